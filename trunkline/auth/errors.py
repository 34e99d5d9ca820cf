"""Why a caller was turned away, as GraphQL errors with a stable ``extensions.code``."""

from __future__ import annotations

from enum import StrEnum

from graphql import GraphQLError


class AuthErrorCode(StrEnum):
    """The codes of who-may-call failures; the domain's own are ``services.errors.ErrorCode``.

    They live here, below services, because the layers that raise them (auth, the GraphQL edge)
    sit on both sides of it; they are not values of the schema's ``ErrorCode`` enum since no
    mutation result carries them: they are errors, never typed results.
    """

    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"


class AuthenticationError(Exception):
    """A token that does not prove who the caller is. ``reason`` is for logs, never the client."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Unauthenticated(GraphQLError):
    def __init__(self, message: str = "Authentication required") -> None:
        super().__init__(message, extensions={"code": AuthErrorCode.UNAUTHENTICATED})


class Forbidden(GraphQLError):
    def __init__(self, message: str = "You do not have permission to do this") -> None:
        super().__init__(message, extensions={"code": AuthErrorCode.FORBIDDEN})
