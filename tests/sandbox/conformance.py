"""Checking wire traffic against Twilio's OpenAPI specifications (``tests/twilio_oai``).

:class:`ExchangeRecorder` wraps the sandbox app and records each HTTP exchange before its response
leaves; :class:`TwilioSpecs` checks one exchange: the request (what the twilio library, driven by
``trunkline.twilio``, sent) and the JSON response (what the sandbox answered).

Responses are held to a stricter reading of the specs than openapi-core's: every property a
resource schema lists must be present and no other (Twilio sends them all, null when empty).
Error bodies, which the specs do not describe, must have Twilio's documented error shape.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import jsonschema
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

SPEC_DIR = Path(__file__).resolve().parents[1] / "twilio_oai"
SPEC_FILES = {"api": "twilio_api_v2010.json", "conversations": "twilio_conversations_v1.json"}

TWILIO_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["code", "message", "more_info", "status"],
    "additionalProperties": False,
    "properties": {
        "code": {"type": "integer"},
        "message": {"type": "string"},
        "more_info": {"type": "string", "pattern": r"^https://www\.twilio\.com/docs/errors/\d+$"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
    },
}


@dataclass(frozen=True)
class Exchange:
    """One request to the sandbox and its response, as bytes on the wire."""

    method: str
    path: str
    query: str
    request_headers: Headers
    request_body: bytes
    status: int
    response_headers: Headers
    response_body: bytes

    @property
    def product(self) -> str | None:
        """``api`` or ``conversations`` for Twilio API traffic, None for the control API."""
        _, marker, rest = self.path.partition("/twilio/")
        return rest.split("/", 1)[0] if marker else None

    @property
    def is_json(self) -> bool:
        return self.response_headers.get("content-type", "").startswith("application/json")


class ExchangeRecorder:
    """ASGI middleware keeping every HTTP exchange it passes through."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.exchanges: list[Exchange] = []

    @property
    def state(self) -> Any:
        return self.app.state

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_body = bytearray()
        response: dict[str, Any] = {"body": bytearray()}

        async def receive_and_keep() -> dict[str, Any]:
            message = await receive()
            if message["type"] == "http.request":
                request_body.extend(message.get("body", b""))
            return message

        async def keep_and_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                response["status"] = message["status"]
                response["headers"] = message.get("headers", [])
            elif message["type"] == "http.response.body":
                response["body"].extend(message.get("body", b""))
                if not message.get("more_body", False):
                    # Recorded before the client can see the end of the response.
                    self.exchanges.append(_exchange(scope, request_body, response))
            await send(message)

        await self.app(scope, receive_and_keep, keep_and_send)


def _exchange(scope: dict[str, Any], body: bytearray, response: dict[str, Any]) -> Exchange:
    def headers(raw: list[tuple[bytes, bytes]]) -> Headers:
        return Headers([(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw])

    return Exchange(
        method=scope["method"],
        path=scope["path"],
        query=scope["query_string"].decode("latin-1"),
        request_headers=headers(scope["headers"]),
        request_body=bytes(body),
        status=response["status"],
        response_headers=headers(response["headers"]),
        response_body=bytes(response["body"]),
    )


class _Request:
    """An exchange's request in the shape openapi-core reads, addressed to Twilio's host."""

    def __init__(self, exchange: Exchange) -> None:
        product = exchange.product or ""
        self.host_url = f"https://{product}.twilio.com"
        self.path = exchange.path.split(f"/twilio/{product}", 1)[1]
        self.full_url_pattern = self.host_url + self.path
        self.method = exchange.method.lower()
        self.body = exchange.request_body or None
        self.content_type = exchange.request_headers.get("content-type", "")
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qsl(exchange.query, keep_blank_values=True)),
            header=exchange.request_headers,
            cookie=ImmutableMultiDict(),
        )


class _Response:
    def __init__(self, exchange: Exchange) -> None:
        self.status_code = exchange.status
        self.data = exchange.response_body
        self.content_type = exchange.response_headers.get("content-type", "")
        self.headers = exchange.response_headers


class TwilioSpecs:
    """Twilio's API specifications, with resource schemas made exact (see module docstring)."""

    def __init__(self) -> None:
        self._apis = {product: _load(name) for product, name in SPEC_FILES.items()}

    def operations(self, product: str) -> set[tuple[str, str]]:
        """Every (METHOD, path template) the product's specification defines."""
        paths = _document(SPEC_FILES[product])["paths"]
        return {(m.upper(), p) for p, item in paths.items() for m in item if m in _METHODS}

    def violations(self, exchange: Exchange, *, check_request: bool = True) -> list[str]:
        """What in this exchange departs from the specs (empty when it conforms)."""
        product = exchange.product
        if product is None or (not exchange.is_json and exchange.status != 204):
            return []  # the control API and audio media are not Twilio JSON
        api = self._apis[product]
        request, found = _Request(exchange), []
        where = f"{exchange.method} {exchange.path} -> {exchange.status}"
        if product == "api" and not exchange.path.endswith(".json"):
            # A media file's URL (a message's Media, a recording): the specs describe no such
            # path, but its errors still have Twilio's shape.
            check_request = False
            if exchange.status < 400:
                return []
        if check_request:
            try:
                api.validate_request(request)
            except Exception as exc:  # openapi-core raises a family of errors; each is a finding
                found.append(f"request {where}: {_describe(exc)}")
        if exchange.status >= 400:
            try:
                jsonschema.validate(json.loads(exchange.response_body), TWILIO_ERROR_SCHEMA)
            except (ValueError, jsonschema.ValidationError) as exc:
                found.append(f"error body {where}: {_describe(exc)}")
            return found
        try:
            api.validate_response(request, _Response(exchange))
        except Exception as exc:  # as above
            found.append(f"response {where}: {_describe(exc)}")
        return found


_METHODS = ("get", "post", "put", "delete", "patch")


@cache
def _load(name: str) -> OpenAPI:
    return OpenAPI.from_dict(copy.deepcopy(_document(name)))


@cache
def _document(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((SPEC_DIR / name).read_text(encoding="utf-8"))
    for schema in document["components"]["schemas"].values():
        _make_exact(schema)
    for item in document["paths"].values():
        for method in _METHODS:
            for response in item.get(method, {}).get("responses", {}).values():
                for media in response.get("content", {}).values():
                    _make_exact(media.get("schema", {}))
    return document


def _make_exact(schema: dict[str, Any]) -> None:
    """Require every listed property and forbid others, in this schema and nested objects."""
    properties = schema.get("properties")
    if schema.get("type") == "object" and properties:
        schema["required"] = sorted(properties)
        schema["additionalProperties"] = False
    for nested in (properties or {}).values():
        _make_exact(nested)
        _make_exact(nested.get("items", {}))


def _describe(exc: BaseException) -> str:
    cause = exc.__cause__
    details = getattr(cause, "schema_errors", None) or getattr(exc, "schema_errors", None)
    if details:
        return "; ".join(str(getattr(e, "message", e)) for e in details)
    return f"{type(exc).__name__}: {exc}" + (f" ({cause})" if cause else "")
