"""Typed errors: each carries a ``code`` from one ``ErrorCode`` enum and a message.

Mutations return them as members of their result union; queries raise them as GraphQL errors
whose ``extensions`` carry the same ``code`` (and ``field`` / ``providerCode`` when they apply).
"""

from __future__ import annotations

from typing import Any, NoReturn

import strawberry
from graphql import GraphQLError

from trunkline.metrics import note_typed_error
from trunkline.services import errors as domain

ErrorCode = strawberry.enum(domain.ErrorCode, description="Why an operation did not happen.")


@strawberry.interface(description="An expected failure of a mutation.")
class Error:
    code: ErrorCode
    message: str


@strawberry.type(description="An argument was wrong; `field` names it (dotted for inputs).")
class UserInputError(Error):
    field: str


@strawberry.type(description="The thing asked for does not exist, or is not the caller's.")
class NotFoundError(Error):
    pass


@strawberry.type(description="The request conflicts with existing state.")
class ConflictError(Error):
    pass


@strawberry.type(description="The tenant has no enabled Twilio configuration.")
class TwilioNotConfiguredError(Error):
    pass


@strawberry.type(description="No such phone number in the caller's tenant (or not theirs).")
class PhoneNumberNotFoundError(Error):
    pass


@strawberry.type(description="The phone number is inactive or released.")
class InactiveNumberError(Error):
    pass


@strawberry.type(description="The number can no longer be bought.")
class NumberUnavailableError(Error):
    pass


@strawberry.type(description="The provider refused or failed; `providerCode` is its own code.")
class ProviderError(Error):
    provider: str
    provider_code: int | None


@strawberry.type(
    description="Too many of these costly requests, by the caller or by their tenant: retry "
    "after `retryAfterSeconds` (nothing was done)."
)
class RateLimitedError(Error):
    retry_after_seconds: int


_TYPES: dict[type[domain.DomainError], type[Error]] = {
    domain.Conflict: ConflictError,
    domain.NotFound: NotFoundError,
    domain.TwilioNotConfigured: TwilioNotConfiguredError,
    domain.PhoneNumberNotFound: PhoneNumberNotFoundError,
    domain.InactiveNumber: InactiveNumberError,
    domain.NumberUnavailable: NumberUnavailableError,
}


def error_result(error: domain.DomainError) -> Any:
    """The GraphQL error type for a domain error (a member of a mutation's result union)."""
    code = ErrorCode(error.code)
    note_typed_error(code.value)  # the operation's metrics count it (a value, not an error)
    if isinstance(error, domain.InvalidInput):
        return UserInputError(code=code, message=error.message, field=error.field)
    if isinstance(error, domain.ProviderFailure):
        return ProviderError(
            code=code,
            message=error.message,
            provider=error.provider,
            provider_code=error.provider_code,
        )
    if isinstance(error, domain.RateLimited):
        return RateLimitedError(
            code=code, message=error.message, retry_after_seconds=error.retry_after_seconds
        )
    for domain_type, graphql_type in _TYPES.items():
        if isinstance(error, domain_type):
            return graphql_type(code=code, message=error.message)
    raise TypeError(f"no GraphQL error type for {type(error).__name__}")


def raise_query_error(error: domain.DomainError) -> NoReturn:
    """For queries: the same failure as a GraphQL error with its code in ``extensions``."""
    extensions: dict[str, Any] = {"code": str(error.code)}
    if isinstance(error, domain.InvalidInput):
        extensions["field"] = error.field
    if isinstance(error, domain.ProviderFailure):
        extensions["providerCode"] = error.provider_code
    raise GraphQLError(error.message, extensions=extensions) from error
