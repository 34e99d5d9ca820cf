"""The expected failures of the domain. Resolvers turn them into typed GraphQL results."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    TWILIO_NOT_CONFIGURED = "TWILIO_NOT_CONFIGURED"
    PHONE_NUMBER_NOT_FOUND = "PHONE_NUMBER_NOT_FOUND"
    INACTIVE_NUMBER = "INACTIVE_NUMBER"
    NUMBER_UNAVAILABLE = "NUMBER_UNAVAILABLE"
    PROVIDER_ERROR = "PROVIDER_ERROR"


class DomainError(Exception):
    """A failure the caller can act on; ``message`` is safe to show (never carries a secret)."""

    code: ErrorCode = ErrorCode.BAD_USER_INPUT

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    code = ErrorCode.BAD_USER_INPUT

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class NotFound(DomainError):
    code = ErrorCode.NOT_FOUND


class Conflict(DomainError):
    code = ErrorCode.CONFLICT
