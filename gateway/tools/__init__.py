"""Offline commands that reuse the gateway's own code: scan, explain."""
