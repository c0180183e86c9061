"""The admin listener: health, readiness, metrics, the admin API."""
