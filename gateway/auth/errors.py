"""The one refusal type of authentication, shared by the flows, token carriage and delegation."""

from __future__ import annotations


class AuthError(Exception):
    """A refusal with the HTTP status and the message the client may see."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


# Seconds a client is asked to wait (Retry-After) when the shared state store cannot answer: sign-in
# refuses with 503 then, since lockouts, rate limits and replay guards cannot be checked.
STORE_DOWN_RETRY = 5
