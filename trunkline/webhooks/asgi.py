"""A lean ASGI endpoint for webhook POSTs: the body in, one small answer out.

A webhook needs no dependency injection, request object or response class: profiled at full
load, FastAPI's per-route machinery cost about a tenth of the gateway's CPU. The endpoint reads
the body itself (bounded: a larger one is refused before it is buffered) and writes the answer
as two ASGI messages.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.types import Receive, Scope, Send

from trunkline.bodies import BodyTooLarge, ClientGone, read_body

# Twilio's callbacks are a few KB (an SMS body is at most 1,600 characters, ten media URLs).
MAX_BODY_BYTES = 256 * 1024
TEXT_XML = b"text/xml; charset=utf-8"
APPLICATION_JSON = b"application/json"


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    media_type: bytes

    @classmethod
    def detail(cls, status: int, detail: str) -> Answer:
        """The ``{"detail": ...}`` JSON body FastAPI answers errors with."""
        body = json.dumps({"detail": detail}, ensure_ascii=False, separators=(",", ":"))
        return cls(status, body.encode("utf-8"), APPLICATION_JSON)

    @classmethod
    def xml(cls, document: str) -> Answer:
        return cls(200, document.encode("utf-8"), TEXT_XML)


TOO_LARGE = Answer.detail(413, "Request Entity Too Large")

Handler = Callable[[Scope, bytes], Awaitable[Answer]]


class WebhookEndpoint:
    """An ASGI app answering a POST with what ``handle(scope, body)`` returns."""

    def __init__(self, handle: Handler, *, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.handle = handle
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            body = await read_body(scope, receive, self.max_body_bytes)
        except BodyTooLarge:
            answer = TOO_LARGE
        except ClientGone:
            return  # nothing read, nothing stored, nobody to answer
        else:
            answer = await self.handle(scope, body)
        await send(
            {
                "type": "http.response.start",
                "status": answer.status,
                "headers": [
                    (b"content-length", str(len(answer.body)).encode()),
                    (b"content-type", answer.media_type),
                ],
            }
        )
        await send({"type": "http.response.body", "body": answer.body})
