"""Outgoing webhooks, sent as Twilio sends them: signed, idempotent, retried per URL overrides.

Signing follows Twilio's documented scheme, which ``twilio.request_validator`` checks: HMAC-SHA1,
keyed with the account's auth token, over the URL followed by each POST parameter name and value
in name order; base64 in ``X-Twilio-Signature``. A GET carries its parameters in the query string
and signs the full URL alone.

Retries follow Twilio's connection overrides, a URL fragment such as ``#rc=3&rp=5xx,ct``
(https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides): ``ct`` connect
timeout, ``rt`` read timeout, ``tt`` total time (all in ms), ``rc`` retry count, ``rp`` retry
policy (``4xx``, ``5xx``, ``ct``, ``rt``, ``all``). Without overrides Twilio retries once, and only
when it could not connect; so does the sandbox. Every attempt of one webhook carries the same
``I-Twilio-Idempotency-Token``. The fragment never goes on the wire, so it is not signed either.

The webhooks go out over aiohttp (already installed: the ``twilio`` library's async client), not
httpx: at 150 status callbacks a second httpx took most of the sandbox's CPU (its pool walks
every connection per request, and without ``sniffio`` httpcore retries a failing import per
lock). Idle connections are kept for less than the 5 s uvicorn keeps them open, so a callback is
never written into a connection the application is closing (an error that is no answer).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, urldefrag, urlencode

import aiohttp
from yarl import URL

logger = logging.getLogger(__name__)

Params = Sequence[tuple[str, str]]

USER_AGENT = "TwilioProxy/1.1"
DEFAULT_RETRY_COUNT = 1
DEFAULT_RETRY_POLICY = frozenset({"ct"})
_ALL_FAILURES = frozenset({"4xx", "5xx", "ct", "rt"})
# Seconds an idle connection is kept: below uvicorn's (and most servers') 5 s keep-alive.
KEEPALIVE_SECONDS = 4.0
# Connections open at once; more callbacks at once wait for one (within their total time).
MAX_CONNECTIONS = 100


def signature(auth_token: str, url: str, params: Params) -> str:
    """Twilio's X-Twilio-Signature for a request to ``url`` with POST ``params``."""
    payload = url + "".join(
        name + value for name, value in sorted(params, key=lambda pair: (pair[0], pair[1]))
    )
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


@dataclass(frozen=True)
class ConnectionOverrides:
    """The connection settings of one webhook URL (seconds and counts)."""

    connect_timeout: float
    read_timeout: float
    total_timeout: float
    retry_count: int
    retry_policy: frozenset[str]

    @classmethod
    def from_fragment(cls, fragment: str, default_timeout: float) -> ConnectionOverrides:
        """Parse ``ct=..&rt=..&tt=..&rc=..&rp=..``, clamped to Twilio's documented ranges."""
        given = dict(parse_qsl(fragment))

        def millis(key: str, low: int, high: int, default: float) -> float:
            raw = given.get(key, "")
            return min(max(int(raw), low), high) / 1000 if raw.isdigit() else default

        raw_count = given.get("rc", "")
        policy = {part.strip() for part in given.get("rp", "").split(",") if part.strip()}
        if "all" in policy:
            policy = set(_ALL_FAILURES)
        return cls(
            connect_timeout=millis("ct", 100, 10_000, default_timeout),
            read_timeout=millis("rt", 100, 15_000, default_timeout),
            total_timeout=millis("tt", 100, 15_000, 3 * default_timeout),
            retry_count=min(int(raw_count), 5) if raw_count.isdigit() else DEFAULT_RETRY_COUNT,
            retry_policy=frozenset(policy & _ALL_FAILURES) or DEFAULT_RETRY_POLICY,
        )


@dataclass(frozen=True)
class WebhookReply:
    """What the application answered (any status: the caller decides what counts)."""

    status: int
    content_type: str
    text: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class WebhookSender:
    """Sends webhooks over one pooled HTTP client.

    Args:
        timeout: seconds for connect and read when the URL sets no override.
    """

    def __init__(self, *, timeout: float) -> None:
        self.timeout = timeout
        self._http: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        if self._http is None:
            connector = aiohttp.TCPConnector(
                limit=MAX_CONNECTIONS, keepalive_timeout=KEEPALIVE_SECONDS
            )
            self._http = aiohttp.ClientSession(connector=connector, trust_env=False)

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def send(
        self, url: str, params: Params, *, auth_token: str, method: str = "POST"
    ) -> WebhookReply | None:
        """Deliver one webhook; None when no attempt got an HTTP answer.

        Args:
            url: the configured URL, possibly with a connection-override fragment.
            params: the form fields, in the order Twilio lists them.
            auth_token: the owning account's token, the signing key.
            method: ``POST`` (form body) or ``GET`` (query string).
        """
        await self.start()
        assert self._http is not None
        target, fragment = urldefrag(url)
        overrides = ConnectionOverrides.from_fragment(fragment, self.timeout)
        headers = {
            "User-Agent": USER_AGENT,
            "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
            "X-Home-Region": "us1",
        }
        body: Params = params
        if method.upper() == "GET":
            target = f"{target}{'&' if '?' in target else '?'}{urlencode(list(params))}"
            body = ()
        headers["X-Twilio-Signature"] = signature(auth_token, target, body)
        # Waiting for a pooled connection counts against the total time only.
        limits = aiohttp.ClientTimeout(
            total=None, sock_connect=overrides.connect_timeout, sock_read=overrides.read_timeout
        )
        reply: WebhookReply | None = None
        try:
            async with asyncio.timeout(overrides.total_timeout):
                for attempt in range(overrides.retry_count + 1):
                    reply, failure = await self._attempt(
                        method.upper(), target, body, headers, limits
                    )
                    if failure is None or failure not in overrides.retry_policy:
                        break
                    logger.info("webhook %s failed (%s), attempt %d", target, failure, attempt + 1)
        except TimeoutError:
            logger.warning("webhook %s exceeded its total time", target)
        if reply is None:
            logger.warning("webhook %s got no answer", target)
        elif not reply.ok:
            logger.warning("webhook %s answered %d", target, reply.status)
        return reply

    async def _attempt(
        self,
        method: str,
        url: str,
        body: Params,
        headers: dict[str, str],
        limits: aiohttp.ClientTimeout,
    ) -> tuple[WebhookReply | None, str | None]:
        """One HTTP exchange: the reply (if any) and the failure class it falls in (if any)."""
        assert self._http is not None
        try:
            # encoded=True: the URL goes out exactly as it was signed.
            async with self._http.request(
                method,
                URL(url, encoded=True),
                data=aiohttp.FormData(list(body)) if method != "GET" else None,
                headers=headers,
                timeout=limits,
            ) as response:
                reply = WebhookReply(
                    response.status,
                    response.headers.get("Content-Type", ""),
                    await response.text(errors="replace"),
                )
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError):
            return None, "ct"
        except aiohttp.ClientError:  # read timeouts, resets: the request may have arrived
            return None, "rt"
        if reply.ok:
            return reply, None
        return reply, "5xx" if reply.status >= 500 else "4xx"
