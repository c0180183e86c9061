"""`python -m gateway` is the `chatguard` command."""

from gateway.cli import main

raise SystemExit(main())
