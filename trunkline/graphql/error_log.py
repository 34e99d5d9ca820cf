"""What the log says about a GraphQL operation: its name and a hash of its document, never the
document or its variables (a ``saveTwilioCredentials`` document carries an auth token).

strawberry's default logs each error with ``str(error)``, which quotes the document around the
error's location, and a traceback even for the errors we raise on purpose. Here an expected
error (UNAUTHENTICATED, FORBIDDEN, a parse or validation error, a refused variable) is one line
without a traceback; an unexpected exception is logged with its traceback (the client sees
"Unexpected error."; see :mod:`trunkline.graphql.limits`).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from trunkline.logs import bind_operation

logger = logging.getLogger("trunkline.graphql.errors")

# graphql-core quotes values and tokens of the document in its parse and validation messages
# ('Expected Name, found String "…"', 'String cannot represent a non string value: "…"',
# 'Unterminated string "…'): everything from there on stays out of the log.
_QUOTED = re.compile(r"""(?:[,;]?\s*[Ff]ound\b|\s*\bvalue: |\s*").*""", re.DOTALL)


def document_hash(query: str | None) -> str | None:
    """A short, stable name for a document: the same query text always gives the same one."""
    if not query:
        return None
    return hashlib.sha256(query.encode()).hexdigest()[:12]


def _operation_fields(context: ExecutionContext | None) -> dict[str, str | None]:
    if context is None:
        return {}
    try:
        name = context.operation_name
    except (RuntimeError, GraphQLError):  # a document that names no single operation
        name = None
    return {"operation": name, "document": document_hash(context.query)}


def _code(error: GraphQLError) -> str | None:
    code = (error.extensions or {}).get("code")
    return str(code) if code else None


def is_unexpected(error: GraphQLError) -> bool:
    """Mask exceptions of ours that are not GraphQL errors: their text is for the log only.

    Parse and validation errors carry no original error, and the errors we raise on purpose
    (UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT, ...) are GraphQLErrors: those reach the client.
    """
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def log_errors(errors: list[GraphQLError], context: ExecutionContext | None) -> None:
    """Log each of ``errors``: one line each, a traceback only for an unexpected exception."""
    fields = _operation_fields(context)
    for error in errors:
        where = ".".join(str(part) for part in error.path or ()) or "-"
        if is_unexpected(error):
            original = error.original_error
            logger.error(
                "unexpected error at %s: %s",
                where,
                type(original).__name__,
                exc_info=original,
                extra=fields,
            )
            continue
        code = _code(error)
        # Our own errors' messages are written for the client; graphql-core's may quote the
        # document, so they are cut where a quote could start.
        message = error.message if code else _QUOTED.sub("", error.message)
        logger.info(
            "%s at %s: %s", code or "GRAPHQL_VALIDATION_FAILED", where, message, extra=fields
        )


class OperationLogFields(SchemaExtension):
    """Binds the operation's name and document hash to every line logged while it runs."""

    def on_execute(self) -> Iterator[None]:
        fields = _operation_fields(self.execution_context)
        bind_operation(fields.get("operation"), fields.get("document"))
        yield
