"""Built-in filters; they register under `chatguard.filters` like any plugin (see pyproject.toml)."""
