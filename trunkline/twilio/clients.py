"""Per-tenant ``twilio`` clients over the library's async HTTP client, redirectable to a sandbox.

With ``api_base`` set (``TRUNKLINE_TWILIO_API_BASE``), ``https://{product}.twilio.com/{path}``
is sent to ``{api_base}/{product}/{path}``: the sandbox carrier mounted at ``/sandbox`` serves
``{gateway}/sandbox/twilio/api/2010-04-01/...``. Without it the requests go to Twilio itself.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import aiohttp
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from trunkline import metrics

logger = logging.getLogger(__name__)

TWILIO_DOMAIN = ".twilio.com"
DEFAULT_TIMEOUT = 10.0
# Seconds an idle connection to Twilio (or the sandbox) is kept for reuse: below the 5 s servers
# such as uvicorn keep it. aiohttp's 15 s default reused connections the server had closed, and a
# busy event loop had not noticed yet: ServerDisconnectedError, a send answered as unreachable.
KEEPALIVE_SECONDS = 4.0
# Bound once: a look-up costs one increment, not a label look-up.
CACHE_HITS = metrics.TWILIO_CLIENT_CACHE.labels("hit")
CACHE_MISSES = metrics.TWILIO_CLIENT_CACHE.labels("miss")


def redirect_url(url: str, api_base: str | None) -> str:
    """Where a Twilio API URL goes: unchanged without ``api_base``, else under it.

    ``https://api.twilio.com/2010-04-01/Accounts.json?x=1`` with base ``http://gw/sandbox/twilio``
    becomes ``http://gw/sandbox/twilio/api/2010-04-01/Accounts.json?x=1``. The product is the
    host's first label, so edge/region hosts (``api.dublin.ie1.twilio.com``) map the same way.
    """
    if api_base is None:
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host.endswith(TWILIO_DOMAIN):
        return url
    product = host.split(".", 1)[0]
    base = urlsplit(api_base.rstrip("/"))
    return urlunsplit(
        (base.scheme, base.netloc, f"{base.path}/{product}{parts.path}", parts.query, "")
    )


class ApiBaseHttpClient(AsyncTwilioHttpClient):
    """The twilio library's aiohttp client with an API base and a default timeout.

    Args:
        api_base: where Twilio's product hosts are redirected; None for Twilio itself.
        timeout: seconds a whole request may take unless the call passes its own.
    """

    def __init__(self, *, api_base: str | None, timeout: float) -> None:
        super().__init__(timeout=timeout, pool_connections=False)
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS)
        )
        self.api_base = api_base

    async def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the twilio library's signature
        allow_redirects: bool = False,
    ) -> Response:
        headers = dict(headers or {})
        if auth is not None:
            # aiohttp deprecates its BasicAuth object (which the base class would build).
            headers["Authorization"] = aiohttp.encode_basic_auth(*auth)
        # The base class ignores its own timeout (aiohttp's default is 5 minutes): apply it.
        return await super().request(
            method,
            redirect_url(url, self.api_base),
            params=params,
            data=data,
            headers=headers,
            auth=None,
            timeout=timeout if timeout is not None else self.timeout,
            allow_redirects=allow_redirects,
        )


@dataclass
class _Entry:
    fingerprint: str
    client: Client
    http: ApiBaseHttpClient


class TwilioClients:
    """One ``twilio.rest.Client`` per tenant, rebuilt when the tenant's credentials change.

    Clients must be created inside the running event loop (aiohttp binds its session to it).

    Args:
        api_base: ``TRUNKLINE_TWILIO_API_BASE``; None talks to Twilio.
        timeout: seconds per Twilio request.
    """

    def __init__(self, api_base: str | None, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.api_base = api_base.rstrip("/") if api_base else None
        self.timeout = timeout
        self._entries: dict[str | int, _Entry] = {}
        self._retired: list[ApiBaseHttpClient] = []

    def __repr__(self) -> str:
        return f"TwilioClients(api_base={self.api_base!r}, tenants={len(self._entries)})"

    def client_for(self, tenant_key: str | int, account_sid: str, auth_token: str) -> Client:
        """The tenant's client, built from its decrypted credentials on first use or change."""
        fingerprint = _fingerprint(account_sid, auth_token)
        entry = self._entries.get(tenant_key)
        # A tenant's id is the cache's use; a text key is a throwaway client (the credential
        # check's probe), which would count as a miss every time.
        counted = isinstance(tenant_key, int)
        if entry is not None and hmac.compare_digest(entry.fingerprint, fingerprint):
            if counted:
                CACHE_HITS.inc()
            return entry.client
        if counted:
            CACHE_MISSES.inc()
        if entry is not None:
            self._retire(entry)
        http = ApiBaseHttpClient(api_base=self.api_base, timeout=self.timeout)
        client = Client(account_sid, auth_token, http_client=http)
        self._entries[tenant_key] = _Entry(fingerprint, client, http)
        return client

    def invalidate(self, tenant_key: str | int) -> None:
        """Forget the tenant's client (its credentials changed or were deleted).

        Its connections close at :meth:`aclose`, so requests still in flight on it finish.
        """
        entry = self._entries.pop(tenant_key, None)
        if entry is not None:
            self._retire(entry)

    async def aclose(self) -> None:
        """Close every client's connection pool."""
        sessions = [entry.http for entry in self._entries.values()] + self._retired
        self._entries.clear()
        self._retired.clear()
        for http in sessions:
            await http.close()

    def _retire(self, entry: _Entry) -> None:
        self._retired.append(entry.http)


def _fingerprint(account_sid: str, auth_token: str) -> str:
    """A digest that tells credentials apart without keeping a second copy of the token."""
    return hashlib.sha256(f"{account_sid}:{auth_token}".encode()).hexdigest()
