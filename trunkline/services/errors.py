"""The expected failures of the domain. Resolvers turn them into typed GraphQL results."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trunkline.twilio import ProviderError


class ErrorCode(StrEnum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    TWILIO_NOT_CONFIGURED = "TWILIO_NOT_CONFIGURED"
    PHONE_NUMBER_NOT_FOUND = "PHONE_NUMBER_NOT_FOUND"
    INACTIVE_NUMBER = "INACTIVE_NUMBER"
    NUMBER_UNAVAILABLE = "NUMBER_UNAVAILABLE"
    PROVIDER_ERROR = "PROVIDER_ERROR"
    CURSOR_EXPIRED = "CURSOR_EXPIRED"
    RATE_LIMITED = "RATE_LIMITED"


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


class CursorExpired(DomainError):
    """The position a client resumes from is older than what is kept: it must reload."""

    code = ErrorCode.CURSOR_EXPIRED


class NotAllowed(DomainError):
    """The caller may see the thing but not make this change (reported as FORBIDDEN)."""


class TwilioNotConfigured(DomainError):
    code = ErrorCode.TWILIO_NOT_CONFIGURED

    def __init__(
        self, message: str = "Twilio is not configured or is disabled for this tenant."
    ) -> None:
        super().__init__(message)


class PhoneNumberNotFound(DomainError):
    code = ErrorCode.PHONE_NUMBER_NOT_FOUND

    def __init__(self, message: str = "No such phone number.") -> None:
        super().__init__(message)


class InactiveNumber(DomainError):
    code = ErrorCode.INACTIVE_NUMBER


class NumberUnavailable(DomainError):
    code = ErrorCode.NUMBER_UNAVAILABLE


class ProviderFailure(DomainError):
    """The provider refused or could not be reached; ``provider_code`` is its own error code."""

    code = ErrorCode.PROVIDER_ERROR

    def __init__(self, message: str, *, provider: str, provider_code: int | None) -> None:
        super().__init__(message)
        self.provider = provider
        self.provider_code = provider_code


class RateLimited(DomainError):
    """A costly action over its limit; it may be tried again in ``retry_after_seconds``."""

    code = ErrorCode.RATE_LIMITED

    def __init__(self, message: str, *, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


def provider_failure(error: ProviderError) -> ProviderFailure:
    """What the caller learns of a Twilio error: its message and Twilio's own code."""
    return ProviderFailure(error.message, provider="twilio", provider_code=error.code)
