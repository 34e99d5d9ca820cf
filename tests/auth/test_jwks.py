"""The JWKS cache against a real JWKS on loopback: refetches are rare and shared."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from tests.support.identity import IdentityProvider, SigningKey
from trunkline.auth.errors import AuthenticationError
from trunkline.auth.jwks import JwksCache


def _cache(identity: IdentityProvider, *, cooldown: float = 60.0) -> JwksCache:
    return JwksCache(identity.jwks_url, timeout=5.0, cooldown=cooldown)


async def test_known_kid_is_served_from_one_fetch(identity: IdentityProvider) -> None:
    cache = _cache(identity)

    first = await cache.key_for("key-1")
    second = await cache.key_for("key-1")

    assert first is second
    assert cache.fetch_count == 1


async def test_burst_of_random_kids_costs_one_fetch(identity: IdentityProvider) -> None:
    cache = _cache(identity)
    await cache.key_for("key-1")
    before = identity.jwks_fetches

    for _ in range(50):
        with pytest.raises(AuthenticationError):
            await cache.key_for(f"random-{uuid.uuid4().hex}")

    # The first unknown kid could not refetch either: the warm-up fetch started the cooldown.
    assert identity.jwks_fetches == before
    assert cache.fetch_count == 1


async def test_concurrent_misses_share_one_fetch(identity: IdentityProvider) -> None:
    cache = _cache(identity)
    before = identity.jwks_fetches

    results = await asyncio.gather(
        *(cache.key_for(f"random-{n}") for n in range(30)), return_exceptions=True
    )

    assert all(isinstance(result, AuthenticationError) for result in results)
    assert identity.jwks_fetches - before == 1


class ManualClock:
    """A monotonic clock that moves only when the test moves it."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


async def test_new_kid_is_fetched_once_the_cooldown_has_passed(identity: IdentityProvider) -> None:
    clock = ManualClock()
    cache = JwksCache(identity.jwks_url, timeout=5.0, cooldown=30.0, clock=clock)
    await cache.key_for("key-1")
    new_key = SigningKey(f"new-{uuid.uuid4().hex[:6]}")
    identity.keys.append(new_key)
    try:
        clock.now += 29.75
        with pytest.raises(AuthenticationError):
            await cache.key_for(new_key.kid)  # still cooling down from the first fetch
        assert cache.fetch_count == 1
        clock.now += 0.25  # exactly the cooldown (binary fractions: no rounding)

        key = await cache.key_for(new_key.kid)

        assert key.key_id == new_key.kid
        assert cache.fetch_count == 2
    finally:
        identity.keys.remove(new_key)


async def test_unreachable_jwks_is_an_authentication_error_not_a_crash() -> None:
    cache = JwksCache("http://127.0.0.1:9/.well-known/jwks.json", timeout=1.0, cooldown=60.0)

    with pytest.raises(AuthenticationError):
        await cache.key_for("key-1")
