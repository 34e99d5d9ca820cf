"""Why a caller was turned away, as GraphQL errors with a stable ``extensions.code``."""

from __future__ import annotations

from graphql import GraphQLError


class AuthenticationError(Exception):
    """A token that does not prove who the caller is. ``reason`` is for logs, never the client."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Unauthenticated(GraphQLError):
    def __init__(self, message: str = "Authentication required") -> None:
        super().__init__(message, extensions={"code": "UNAUTHENTICATED"})


class Forbidden(GraphQLError):
    def __init__(self, message: str = "You do not have permission to do this") -> None:
        super().__init__(message, extensions={"code": "FORBIDDEN"})
