"""TLS for the listener and towards upstreams, development certificates, HTTPS headers."""
