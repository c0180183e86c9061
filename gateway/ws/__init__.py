"""WebSocket forwarding parts; `gateway.ws_proxy` is the entry the app calls."""
