"""What a ``/graphql`` request body may be, and how a refused one is answered.

- Its size: :class:`GraphQLBodyLimit` reads the body within ``TRUNKLINE_MAX_BODY_BYTES`` before
  anything else sees it (authentication included) and answers 413 past it.
- Its JSON: :func:`decode_json` takes strict UTF-8 only and refuses a value nested deeper than
  :data:`MAX_JSON_DEPTH` (a GraphQL request has no use for more; Python's decoder would
  otherwise recurse until it fails).
- A refusal is a GraphQL-shaped error, ``{"errors": [{"message", "extensions": {"code"}}]}``,
  never a 500.
"""

from __future__ import annotations

import json
from http import HTTPStatus

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from trunkline.bodies import BodyTooLarge, ClientGone, read_body, replaying

# A request's variables nest as deep as its input types (a few levels); 32 leaves room.
MAX_JSON_DEPTH = 32

# A refusal's code is its status's name (BAD_REQUEST, NOT_FOUND, METHOD_NOT_ALLOWED), except where
# that name varies between Python versions (413 is CONTENT_TOO_LARGE from 3.13): a client switches
# on one code.
_CODES = {HTTPStatus.REQUEST_ENTITY_TOO_LARGE: "PAYLOAD_TOO_LARGE"}


class MalformedJSON(json.JSONDecodeError):
    """A document that is not JSON we read: invalid UTF-8, or nested too deep.

    A ``JSONDecodeError``, so strawberry treats it as any unparsable document (a 400 over HTTP,
    close 4400 over WebSocket).
    """

    def __init__(self, message: str) -> None:
        super().__init__(message, "", 0)


def decode_json(data: str | bytes) -> object:
    """Decode a request document (a ``/graphql`` body or a WebSocket message).

    Raises:
        json.JSONDecodeError: not JSON, not UTF-8 (:class:`MalformedJSON`), or nested deeper
            than :data:`MAX_JSON_DEPTH` (:class:`MalformedJSON`).
    """
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")  # RFC 8259: JSON exchanged between systems is UTF-8
        except UnicodeDecodeError as exc:
            raise MalformedJSON(f"Invalid UTF-8 at byte {exc.start}") from None
    try:
        value = json.loads(data)
    except RecursionError:
        # The C decoder recurses once per level and gives up at the interpreter's limit.
        raise MalformedJSON(_too_deep()) from None
    if _depth_exceeds(value, MAX_JSON_DEPTH):
        raise MalformedJSON(_too_deep())
    return value


def _too_deep() -> str:
    return f"JSON nested deeper than {MAX_JSON_DEPTH} levels"


def _depth_exceeds(value: object, limit: int) -> bool:
    """Whether ``value`` nests more than ``limit`` arrays and objects (iteratively)."""
    level: list[object] = [value]
    for _ in range(limit):
        level = [
            child
            for container in level
            if isinstance(container, dict | list)
            for child in (container.values() if isinstance(container, dict) else container)
        ]
        if not level:
            return False
    return any(isinstance(child, dict | list) for child in level)


def error_response(status: int, message: str) -> JSONResponse:
    """A refused request, in the shape GraphQL clients read errors in."""
    code = _CODES.get(HTTPStatus(status), HTTPStatus(status).name)
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status
    )


class GraphQLBodyLimit:
    """ASGI middleware: a ``POST`` to ``path`` is read within ``max_bytes`` before it is routed.

    A body over the limit is answered 413 without being buffered whole; a body within it is
    handed on as it was read. It sits inside CORS, so a browser can read the 413.
    """

    def __init__(self, app: ASGIApp, *, path: str, max_bytes: int) -> None:
        self.app = app
        self.path = path
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        try:
            body = await read_body(scope, receive, self.max_bytes)
        except BodyTooLarge:
            message = f"Request body is larger than {self.max_bytes} bytes"
            await error_response(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, message)(scope, receive, send)
            return
        except ClientGone:
            return  # nobody to answer
        await self.app(scope, replaying(body, receive), send)
