"""Relaying to the backend: HTTP, server-sent events, WebSockets. No decisions here."""
