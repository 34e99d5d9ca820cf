"""Request bodies and WebSocket messages, read within a bound.

Whatever a client sends is refused once it is larger than the bound, before it is buffered
whole or parsed: an HTTP body by its ``Content-Length`` first, then by counting as it streams
in; a WebSocket message as it arrives. Webhooks and ``/graphql`` share these readers.
"""

from __future__ import annotations

from starlette.types import Message, Receive, Scope, Send

# RFC 6455: "1009 indicates that an endpoint is terminating the connection because it has
# received a message that is too big for it to process."
WS_MESSAGE_TOO_BIG = 1009


class BodyTooLarge(Exception):
    """The body is (or announces itself as) larger than the bound."""


class ClientGone(Exception):
    """The client disconnected before its body was complete."""


async def read_body(scope: Scope, receive: Receive, max_bytes: int) -> bytes:
    """The whole body of an HTTP request, refused as soon as it is known to exceed ``max_bytes``.

    Raises:
        BodyTooLarge: ``Content-Length`` says so (nothing is read), or the chunks read say so.
        ClientGone: the client disconnected mid-body.
    """
    for key, value in scope["headers"]:
        if key == b"content-length" and value.isdigit() and int(value) > max_bytes:
            raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > max_bytes:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands an app ``body`` (already read) first, then the client's messages.

    What follows the body (``http.disconnect``) still comes from the client, so an app that
    watches for a disconnect keeps seeing it.
    """
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive_replayed() -> Message:
        return pending.pop() if pending else await receive()

    return receive_replayed


def bounded_messages(receive: Receive, send: Send, max_bytes: int) -> Receive:
    """A WebSocket ``receive`` that closes the socket (1009) on a message over ``max_bytes``.

    The app is then told the client went away, so it stops reading and winds its operations
    down as for any disconnect. The WebSocket server has its own frame limit (uvicorn's
    ``ws_max_size``, set to the same number by ``trunkline serve``); this one holds whichever
    server runs the app.
    """

    async def receive_bounded() -> Message:
        message = await receive()
        if message["type"] == "websocket.receive" and _size(message) > max_bytes:
            await send({"type": "websocket.close", "code": WS_MESSAGE_TOO_BIG, "reason": ""})
            return {"type": "websocket.disconnect", "code": WS_MESSAGE_TOO_BIG}
        return message

    return receive_bounded


def _size(message: Message) -> int:
    text: str | None = message.get("text")
    if text is None:
        return len(message.get("bytes") or b"")
    # A character is one byte in ASCII (checking that is free); up to four otherwise.
    return len(text) if text.isascii() else len(text.encode("utf-8"))
