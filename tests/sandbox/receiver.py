"""A webhook receiver on loopback: it records what the sandbox posts and answers as scripted.

Tests await ``receiver.next(path)`` instead of sleeping: each path has its own queue, so the order
of webhooks to *different* URLs never matters, and the order to one URL is the order sent.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData, Headers, ImmutableMultiDict
from starlette.requests import Request
from starlette.responses import Response
from twilio.request_validator import RequestValidator

EMPTY_TWIML = "<Response/>"
WAIT_SECONDS = 5.0


@dataclass(frozen=True)
class ReceivedRequest:
    """One webhook as the application saw it."""

    method: str
    url: str
    path: str
    headers: Headers
    form: ImmutableMultiDict[str, Any] | FormData

    @property
    def fields(self) -> dict[str, str]:
        """The form fields (for GET: the query), one value each."""
        return {key: str(value) for key, value in self.form.items()}

    def signed_with(self, auth_token: str) -> bool:
        """Whether X-Twilio-Signature checks out, as the twilio library's validator sees it."""
        params = self.form if self.method == "POST" else {}
        signature = self.headers.get("x-twilio-signature", "")
        return RequestValidator(auth_token).validate(self.url, params, signature)


@dataclass
class Reply:
    status: int = 200
    body: str = EMPTY_TWIML
    content_type: str = "application/xml"
    hold: asyncio.Event | None = None


@dataclass
class WebhookReceiver:
    """An ASGI app standing in for the tenant's webhook endpoints.

    One server serves the whole session; each test works through :meth:`scoped`, a view whose
    paths live under a prefix of their own, so no test sees another's webhooks.
    """

    base_url: str = ""
    prefix: str = ""
    _queues: defaultdict[str, asyncio.Queue[ReceivedRequest]] = field(
        default_factory=lambda: defaultdict(asyncio.Queue)
    )
    _replies: defaultdict[str, deque[Reply]] = field(default_factory=lambda: defaultdict(deque))

    def scoped(self, prefix: str) -> WebhookReceiver:
        """A view of this receiver under ``prefix`` (sharing its server and queues)."""
        return dataclasses.replace(self, prefix=prefix)

    def url(self, path: str) -> str:
        return f"{self.base_url}{self.prefix}{path}"

    def reply(
        self,
        path: str,
        body: str = EMPTY_TWIML,
        *,
        status: int = 200,
        content_type: str = "application/xml",
        times: int = 1,
        hold: asyncio.Event | None = None,
    ) -> None:
        """Answer the next ``times`` requests to ``path`` so (then 200 with empty TwiML)."""
        for _ in range(times):
            self._replies[self.prefix + path].append(Reply(status, body, content_type, hold))

    async def next(self, path: str) -> ReceivedRequest:
        """The next request that arrived at ``path``, waiting (a bounded time) if need be."""
        return await asyncio.wait_for(self._queues[self.prefix + path].get(), WAIT_SECONDS)

    def waiting(self, path: str) -> int:
        """How many requests to ``path`` arrived and were not taken with :meth:`next` yet."""
        return self._queues[self.prefix + path].qsize()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":  # lifespan: nothing to set up
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
                await receive()
                await send({"type": "lifespan.shutdown.complete"})
            return
        request = Request(scope, receive)
        form = await request.form() if request.method == "POST" else request.query_params
        path = request.url.path  # the full path: this is the server, whose prefix is empty
        self._queues[path].put_nowait(
            ReceivedRequest(request.method, str(request.url), path, request.headers, form)
        )
        reply = self._replies[path].popleft() if self._replies[path] else Reply()
        if reply.hold is not None:
            await reply.hold.wait()
        response = Response(reply.body, status_code=reply.status, media_type=reply.content_type)
        await response(scope, receive, send)
