"""Each HTTP request and WebSocket gets a request id: the client's ``X-Request-ID`` if sane,
else a new one, bound to the lines logged for it and echoed in the response's header."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trunkline.logs.context import REQUEST_ID_HEADER, bind_request

_HEADER = REQUEST_ID_HEADER.encode()


def _offered(scope: Scope) -> str | None:
    for name, value in scope.get("headers") or ():
        if name == _HEADER:
            return value.decode("latin-1")
    return None


async def with_request_id(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    """Run ``app`` for ``scope`` with its request id bound (HTTP and WebSocket; nothing else)."""
    if scope["type"] not in {"http", "websocket"}:
        await app(scope, receive, send)
        return
    request_id = bind_request(_offered(scope))
    if scope["type"] == "websocket":
        await app(scope, receive, send)
        return
    header = (_HEADER, request_id.encode())

    async def send_with_id(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", ()), header]}
        await send(message)

    await app(scope, receive, send_with_id)
