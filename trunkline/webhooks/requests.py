"""Reading a Twilio webhook: its body, the URL it was signed over, and its signature check."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import parse_qs, parse_qsl, urlparse, urlsplit

from starlette.datastructures import ImmutableMultiDict
from starlette.types import Scope
from twilio.request_validator import add_port, remove_port

from trunkline.models import WHATSAPP_PREFIX
from trunkline.webhooks.fields import Field, WebhookRejected

__all__ = ["WebhookRejected", "WebhookRequest", "bare_address", "read_webhook", "signed_url"]

T = TypeVar("T")


@dataclass(frozen=True)
class WebhookRequest:
    """A webhook's parameters, and what its signature covers."""

    url: str
    params: ImmutableMultiDict[str, str]
    raw_body: str
    is_json: bool
    signature: str
    idempotency_token: str | None

    def read(self, field: Field[T]) -> T | None:
        """``field``'s value, parsed against where it is stored; None when absent or empty."""
        return field.read(self.params)

    def require(self, field: Field[T]) -> T:
        """``field``'s value, parsed against where it is stored; absent is a 400 naming it."""
        return field.require(self.params)

    def read_query(self, field: Field[T]) -> T | None:
        """``field``'s value in the URL's query (one the gateway wrote into a URL it handed
        Twilio, such as an action's), parsed like any other; the signature covers it."""
        return field.read(dict(parse_qsl(urlsplit(self.url).query)))

    def signed_by(self, auth_token: str) -> bool:
        """Twilio's signature check (an explicit :443 or :80 is accepted, as Twilio does).

        The same check as ``twilio.request_validator.RequestValidator.validate`` (HMAC-SHA1
        over the URL, then each parameter's name and values in sorted order; a JSON body
        through its ``bodySHA256``), at a fifth of its CPU: the parameters are joined once for
        both URL spellings and the digests compared in C.
        """
        if not self.signature:
            return False
        if self.is_json:
            hashes = parse_qs(urlsplit(self.url).query).get("bodySHA256")
            if not hashes:
                return False  # a JSON body is signed only through its bodySHA256 query parameter
            body_hash = hashlib.sha256(self.raw_body.encode("utf-8")).hexdigest()
            if not hmac.compare_digest(body_hash, hashes[0]):
                return False
            signed_params = ""
        else:
            signed_params = "".join(
                name + value
                for name in sorted(set(self.params.keys()))
                for value in sorted(set(self.params.getlist(name)))
            )
        expected = self.signature.encode("utf-8")
        key = auth_token.encode("utf-8")
        for url in _spellings(self.url):
            digest = hmac.new(key, (url + signed_params).encode("utf-8"), hashlib.sha1).digest()
            if hmac.compare_digest(base64.b64encode(digest), expected):
                return True
        return False


@functools.lru_cache(maxsize=256)
def _spellings(url: str) -> tuple[str, str]:
    """The URL without and with its default port: Twilio signs either."""
    parsed = urlparse(url)
    return remove_port(parsed), add_port(parsed)


def signed_url(public_url: str, scope: Scope) -> str:
    """The URL Twilio called: our public base, then the raw path and query as received.

    Never built from ``Host`` or ``X-Forwarded-Host``: a client controls those.
    """
    raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
    url = public_url.rstrip("/") + raw_path.decode("latin-1")
    query: bytes = scope.get("query_string", b"")
    if query:
        url += "?" + query.decode("latin-1")
    return url


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of the (lower-case) header ``name``; servers lower-case the names."""
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def read_webhook(scope: Scope, body: bytes, *, public_url: str) -> WebhookRequest:
    """Parse the body (form or JSON); a malformed one is a 400."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise WebhookRejected(400, "the body is not UTF-8") from None
    content_type = (header(scope, b"content-type") or "").split(";", 1)[0].strip().lower()
    is_json = content_type == "application/json"
    pairs: list[tuple[str, str]]
    if is_json:
        try:
            document = json.loads(text)
        except (ValueError, RecursionError):
            # RecursionError: nested deeper than the parser's stack (a body of "[[[[...").
            raise WebhookRejected(400, "the body is not valid JSON") from None
        if not isinstance(document, dict):
            raise WebhookRejected(400, "the body must be a JSON object")
        pairs = [(str(k), "" if v is None else str(v)) for k, v in document.items()]
    elif content_type in ("application/x-www-form-urlencoded", ""):
        try:
            pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text))
        except ValueError:
            raise WebhookRejected(400, "the body is not a valid form") from None
    else:
        raise WebhookRejected(400, f"unsupported content type {content_type}")
    for name, value in pairs:
        if "\x00" in value or "\x00" in name:
            # PostgreSQL text cannot hold one: the write would fail on every retry.
            raise WebhookRejected(400, f"field {name!r} contains a NUL character")
        if not _encodable(name) or not _encodable(value):
            # A JSON "\ud800" decodes to a lone surrogate, which no UTF-8 column can hold.
            raise WebhookRejected(400, f"field {name!r} is not valid Unicode")
    return WebhookRequest(
        url=signed_url(public_url, scope),
        params=ImmutableMultiDict(pairs),
        raw_body=text,
        is_json=is_json,
        signature=header(scope, b"x-twilio-signature") or "",
        idempotency_token=header(scope, b"i-twilio-idempotency-token"),
    )


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def bare_address(address: str) -> str:
    """``whatsapp:+15551234567`` -> ``+15551234567``."""
    return address.removeprefix(WHATSAPP_PREFIX)
