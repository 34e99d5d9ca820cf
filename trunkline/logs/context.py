"""What a log line says about the request it was written for, kept in context variables.

Each HTTP request and WebSocket runs in a task of its own, which copies the context it was
started in: a value bound while serving one request is seen by every line written for it (the
access log line included) and by no other request.
"""

from __future__ import annotations

import logging
import re
import secrets
from contextvars import ContextVar

REQUEST_ID_HEADER = "x-request-id"
# A client's request id is kept if it is short and plain (a UUID, a ULID, a trace id); anything
# else (long, spaces, quotes, control characters) would let a client forge or bloat log lines.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
org_id: ContextVar[str | None] = ContextVar("org_id", default=None)
tenant_id: ContextVar[int | None] = ContextVar("tenant_id", default=None)
user_id: ContextVar[str | None] = ContextVar("user_id", default=None)
operation: ContextVar[str | None] = ContextVar("operation", default=None)
document: ContextVar[str | None] = ContextVar("document", default=None)

# The record attribute each variable is copied to, in the order lines show them.
FIELDS: tuple[tuple[str, ContextVar[str | None] | ContextVar[int | None]], ...] = (
    ("request_id", request_id),
    ("org", org_id),
    ("tenant", tenant_id),
    ("user", user_id),
    ("operation", operation),
    ("document", document),
)


def bind_request(offered: str | None) -> str:
    """Start a request's context: its id is ``offered`` if sane, else a new one. Returns it."""
    value = offered if offered and _SANE_REQUEST_ID.fullmatch(offered) else secrets.token_hex(8)
    request_id.set(value)
    org_id.set(None)
    tenant_id.set(None)
    user_id.set(None)
    operation.set(None)
    document.set(None)
    return value


def bind_caller(*, org: str | None, tenant: int | None, user: str | None) -> None:
    """Who is calling: the organization, its tenant row and the user (``sub``)."""
    org_id.set(org)
    tenant_id.set(tenant)
    user_id.set(user)


def bind_tenant(tenant: int) -> None:
    """The tenant a webhook turned out to be for (known once its signature is checked)."""
    tenant_id.set(tenant)


def bind_operation(name: str | None, document_hash: str | None) -> None:
    """The GraphQL operation being run: its name and a short hash of its document (never the
    document itself, which may carry secrets)."""
    operation.set(name)
    document.set(document_hash)


class RequestFields(logging.Filter):
    """Copies the context's fields onto each record a handler emits (``record.request_id``,
    ``record.tenant``, ...); a field already set on the record (``extra=``) is kept."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, variable in FIELDS:
            if not hasattr(record, name):
                setattr(record, name, variable.get())
        return True
