"""Auth0 signing keys: fetched without blocking the event loop, cached, refetched sparingly."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

import httpx
import jwt

from trunkline.auth.errors import AuthenticationError

logger = logging.getLogger(__name__)

# Keys rotate rarely; refreshing this often also drops keys Auth0 has revoked.
MAX_AGE_SECONDS = 600.0


class JwksCache:
    """The RS256 keys of one JWKS URL, by ``kid``.

    An unknown ``kid`` triggers a refetch, but at most once per cooldown: a burst of tokens with
    random ``kid`` values must not become a burst of requests to Auth0. Concurrent misses share
    one fetch.
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float,
        cooldown: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``clock``: seconds from any fixed point (the cooldown and key age are measured on it)."""
        self._url = url
        self._timeout = timeout
        self._cooldown = cooldown
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._lock = asyncio.Lock()
        self.fetch_count = 0

    async def key_for(self, kid: str) -> jwt.PyJWK:
        key = self._fresh_key(kid)
        if key is not None:
            return key
        async with self._lock:
            key = self._fresh_key(kid)
            if key is not None:
                return key
            if self._may_fetch():
                await self._fetch()
        # While cooling down (or after a failed fetch) answer from the keys we already hold.
        key = self._keys.get(kid)
        if key is None:
            raise AuthenticationError(f"unknown signing key {kid!r}")
        return key

    def _fresh_key(self, kid: str) -> jwt.PyJWK | None:
        return None if self._is_stale() else self._keys.get(kid)

    def _is_stale(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at > MAX_AGE_SECONDS

    def _may_fetch(self) -> bool:
        return self._attempted_at is None or self._clock() - self._attempted_at >= self._cooldown

    async def _fetch(self) -> None:
        self._attempted_at = self._clock()
        self.fetch_count += 1
        try:
            async with httpx.AsyncClient(timeout=self._timeout) as client:
                response = await client.get(self._url)
                response.raise_for_status()
                document = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            # Keep serving the keys we have: Auth0 being slow must not log everybody out.
            logger.warning("JWKS fetch from %s failed: %s", self._url, exc)
            return
        keys: dict[str, jwt.PyJWK] = {}
        for entry in document.get("keys", []) if isinstance(document, dict) else []:
            if not isinstance(entry, dict) or entry.get("kty") != "RSA" or "kid" not in entry:
                continue
            if entry.get("use", "sig") != "sig":
                continue
            try:
                keys[str(entry["kid"])] = jwt.PyJWK(entry, algorithm="RS256")
            except jwt.PyJWTError as exc:
                logger.warning("JWKS key %s ignored: %s", entry.get("kid"), exc)
        self._keys = keys
        self._fetched_at = self._clock()
