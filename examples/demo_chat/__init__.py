"""A small real chat backend (HTTP API, WebSocket, one page) to show chatguard in front of it."""
