"""End-to-end encryption: encrypted payloads pass untouched; a route may require or forbid them;
a blind backend keeps only `cg1:` envelopes of the fields a route encrypts (docs/e2ee.md)."""
