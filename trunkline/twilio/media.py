"""Downloading a file Twilio hosts (a message's Media, a recording) with the account's credentials.

Only Twilio's own media URLs of the given account are ever fetched (:func:`account_media_path`):
``https://api.twilio.com/2010-04-01/Accounts/{AC}/Messages/{MM}/Media/{ME}`` (or a Twilio edge
host), or the same path under the configured API base (a mounted sandbox hands those out). The
request goes where the twilio clients' go (:func:`redirect_url`). A redirect Twilio answers with
(its storage, on some accounts) is followed only to Twilio's or its storage's hosts, and the
credentials go only to the host they were first sent to.

The body is streamed, never held whole: a file over ``max_bytes`` is refused when its length is
announced, and cut off when it is not; each wait (connecting, every chunk) has a timeout.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx
from twilio.rest import Client

from trunkline.twilio.clients import TWILIO_DOMAIN, redirect_url

logger = logging.getLogger(__name__)

TWILIO_API_HOST = "https://api.twilio.com"
MAX_REDIRECTS = 3
DEFAULT_CONTENT_TYPE = "application/octet-stream"
# A media file of the account: a message's Media or a recording, nothing else of the API.
_MEDIA_PATH = re.compile(
    r"/2010-04-01/Accounts/(?P<account>AC[0-9a-f]{32})/"
    r"(?:Messages/(?:SM|MM)[0-9a-f]{32}/Media/ME[0-9a-f]{32}|Recordings/RE[0-9a-f]{32})"
    r"(?:\.(?:wav|mp3))?"
)
# Where Twilio redirects media downloads: its CDN and its S3 buckets.
_STORAGE_DOMAINS = (".twiliocdn.com", ".amazonaws.com")
_CONTENT_TYPE = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}"
)


class MediaGone(Exception):
    """Twilio has no such file (deleted, or never there): 404."""


class MediaUnavailable(Exception):
    """The download failed: Twilio unreachable, slow, refusing, or the file too large."""


@dataclass
class MediaDownload:
    """An open download: read :meth:`chunks` once (it closes the response), or :meth:`aclose`."""

    content_type: str
    content_length: int | None
    _response: httpx.Response
    _max_bytes: int

    async def chunks(self) -> AsyncIterator[bytes]:
        received = 0
        try:
            async for chunk in self._response.aiter_bytes():
                received += len(chunk)
                if received > self._max_bytes:
                    # Headers are sent already: all that is left is to cut the body short.
                    raise MediaUnavailable("the file is larger than the media size cap")
                yield chunk
        except httpx.HTTPError as exc:
            raise MediaUnavailable(f"download broke off: {type(exc).__name__}") from exc
        finally:
            await self._response.aclose()

    async def aclose(self) -> None:
        await self._response.aclose()


def account_media_path(url: str, *, account_sid: str, api_base: str | None) -> bool:
    """Whether ``url`` is a media file of ``account_sid`` hosted by Twilio (or the API base)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    if parts.query or parts.fragment or parts.username is not None or parts.password is not None:
        return False
    path = parts.path
    host = (parts.hostname or "").lower()
    twilio = (
        parts.scheme == "https"
        and port in (None, 443)
        and host.endswith(TWILIO_DOMAIN)
        and host.split(".", 1)[0] == "api"
    )
    if not twilio:
        if api_base is None:
            return False
        base = urlsplit(api_base.rstrip("/"))
        prefix = f"{base.path}/api"
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
            return False
        if not path.startswith(f"{prefix}/"):
            return False
        path = path[len(prefix) :]
    match = _MEDIA_PATH.fullmatch(path)
    return match is not None and match["account"] == account_sid


async def hosted_media(client: Client, message_sid: str) -> list[tuple[str, str]]:
    """``(url, content_type)`` of each file Twilio hosts for a message, as ``MediaUrl{N}`` of an
    inbound webhook would give them: what to store for an outbound MMS, so that its signed links
    work as an inbound one's do (the URLs a client sent are never fetched).

    Twilio copies an outbound message's files while it is queued: ask once it is ``sent``.
    """
    listed = await client.messages(message_sid).media.list_async()
    return [
        (f"{TWILIO_API_HOST}{item.uri.removesuffix('.json')}", item.content_type or "")
        for item in listed
        if item.uri
    ]


def download_url(url: str, api_base: str | None) -> str:
    """Where a media URL is fetched: Twilio's hosts through the API base, as the clients do."""
    host = (urlsplit(url).hostname or "").lower()
    return redirect_url(url, api_base) if host.endswith(TWILIO_DOMAIN) else url


class MediaFetcher:
    """One HTTP client for every tenant's media downloads (no credentials kept in it).

    Args:
        api_base: ``TRUNKLINE_TWILIO_API_BASE`` (None: Twilio itself).
        timeout: seconds to connect, and to wait for each chunk.
        max_bytes: the largest file passed on.
    """

    def __init__(self, *, api_base: str | None, timeout: float, max_bytes: int) -> None:
        self.api_base = api_base.rstrip("/") if api_base else None
        self.max_bytes = max_bytes
        # No proxy, .netrc or certificate settings from the environment: like the twilio clients
        # (aiohttp ignores them too), downloads go where the API base says and nowhere else.
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout), follow_redirects=False, trust_env=False
        )

    def __repr__(self) -> str:
        return f"MediaFetcher(api_base={self.api_base!r}, max_bytes={self.max_bytes})"

    def is_account_media(self, url: str, account_sid: str) -> bool:
        return account_media_path(url, account_sid=account_sid, api_base=self.api_base)

    async def open(self, url: str, *, account_sid: str, auth_token: str) -> MediaDownload:
        """Start downloading ``url``, which must have passed :meth:`is_account_media`.

        Raises:
            MediaGone: Twilio answered 404.
            MediaUnavailable: anything else that is not the file.
        """
        target = download_url(url, self.api_base)
        credentials: tuple[str, str] | None = (account_sid, auth_token)
        for _ in range(MAX_REDIRECTS + 1):
            # Identity: the length Twilio announces is then the length passed on.
            request = self._http.build_request(
                "GET", target, headers={"Accept-Encoding": "identity"}
            )
            try:
                response = await self._http.send(request, auth=credentials, stream=True)
            except httpx.HTTPError as exc:
                raise MediaUnavailable(f"Twilio unreachable: {type(exc).__name__}") from exc
            if not response.is_redirect:
                return await self._download(response)
            await response.aclose()
            location = urljoin(target, response.headers.get("location", ""))
            if not _redirect_allowed(location, target):
                raise MediaUnavailable("Twilio redirected the download off its hosts")
            # Credentials never leave Twilio's API hosts (or the API base they were sent to).
            if urlsplit(location).netloc != urlsplit(target).netloc:
                credentials = None
            target = location
        raise MediaUnavailable("too many redirects")

    async def _download(self, response: httpx.Response) -> MediaDownload:
        status = response.status_code
        if status != 200:
            await response.aclose()
            if status == 404:
                raise MediaGone()
            raise MediaUnavailable(f"Twilio answered {status}")
        length = _content_length(response)
        if length is not None and length > self.max_bytes:
            await response.aclose()
            raise MediaUnavailable(f"the file ({length} bytes) is over the media size cap")
        return MediaDownload(
            content_type=_content_type(response),
            content_length=length,
            _response=response,
            _max_bytes=self.max_bytes,
        )

    async def aclose(self) -> None:
        await self._http.aclose()


def _redirect_allowed(location: str, previous: str) -> bool:
    parts = urlsplit(location)
    host = (parts.hostname or "").lower()
    if parts.netloc == urlsplit(previous).netloc:
        return True  # the same host (the sandbox, or Twilio itself)
    return parts.scheme == "https" and host.endswith((TWILIO_DOMAIN, *_STORAGE_DOMAINS))


def _content_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length", "")
    return int(value) if value.isascii() and value.isdigit() else None


def _content_type(response: httpx.Response) -> str:
    """The file's media type, or octet-stream when Twilio sent none we can pass on safely."""
    value = response.headers.get("content-type", "").split(";", 1)[0].strip()
    return value.lower() if _CONTENT_TYPE.fullmatch(value) else DEFAULT_CONTENT_TYPE
