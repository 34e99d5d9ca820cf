"""Typed mutation errors: each carries a ``code`` from one ``ErrorCode`` enum and a message."""

from __future__ import annotations

import strawberry

from trunkline.services import errors as domain

ErrorCode = strawberry.enum(domain.ErrorCode, description="Why a mutation did not happen.")


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


def error_result(error: domain.DomainError) -> Error:
    """The GraphQL type for a domain error."""
    code = ErrorCode(error.code)
    if isinstance(error, domain.InvalidInput):
        return UserInputError(code=code, message=error.message, field=error.field)
    if isinstance(error, domain.Conflict):
        return ConflictError(code=code, message=error.message)
    if isinstance(error, domain.NotFound):
        return NotFoundError(code=code, message=error.message)
    raise TypeError(f"no GraphQL error type for {type(error).__name__}")
