"""How resolvers turn service outcomes into GraphQL: typed results for mutations, errors for
queries, FORBIDDEN for what the caller may see but not change."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from trunkline.auth.errors import Forbidden
from trunkline.schema.errors import error_result, raise_query_error
from trunkline.services.errors import DomainError, NotAllowed

T = TypeVar("T")


async def mutation_result(awaitable: Awaitable[T], present: Callable[[T], Any]) -> Any:
    """The success type from ``present``, or the typed error the service raised."""
    try:
        value = await awaitable
    except NotAllowed as error:
        raise Forbidden(error.message) from error
    except DomainError as error:
        return error_result(error)
    return present(value)


async def query_result(awaitable: Awaitable[T]) -> T:
    """The value, or the service's failure as a GraphQL error carrying its code."""
    with query_errors():
        return await awaitable


@contextmanager
def query_errors() -> Iterator[None]:
    """Inside, a service's failure becomes a GraphQL error carrying its code (queries and
    subscriptions, whose failures are errors rather than typed results)."""
    try:
        yield
    except NotAllowed as error:
        raise Forbidden(error.message) from error
    except DomainError as error:
        raise_query_error(error)
