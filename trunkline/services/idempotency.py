"""Idempotency keys of costly mutations: the first request with a key acts, others get its outcome.

A key is claimed by inserting its row (``INSERT ... ON CONFLICT DO NOTHING``) *before* the provider
is called: of twenty requests arriving at once, in one process or several, exactly one inserts and
acts; the others read the row and wait, polling with backoff, until it holds the outcome (the
entity, or the provider's refusal). A request that could not reach the provider releases its claim
(deletes the row), so a retry with the same key may act. The key and the request are stored as
SHA-256 digests: the same key with a different request is refused rather than answered with
another request's outcome.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise import connections

from trunkline.models import IdempotentRequest
from trunkline.services import validation
from trunkline.services.errors import InvalidInput, ProviderFailure

# How long a request waits for the one holding its key; beyond it the caller may retry. Longer
# than a Twilio call may take (its timeout, 10 s by default), so a wait only ends early when the
# holder died mid-way.
DEFAULT_WAIT_SECONDS = 30.0
MAX_KEY_LENGTH = 255
_FIRST_POLL_SECONDS = 0.01
_MAX_POLL_SECONDS = 0.25

_CLAIM = (
    'INSERT INTO idempotent_request (tenant_id, operation, "key", fingerprint, created_at) '
    "VALUES ({marks}) "
    'ON CONFLICT (tenant_id, operation, "key") DO NOTHING RETURNING id'
)
_CLAIM_POSTGRES = _CLAIM.format(marks="$1, $2, $3, $4, $5")
_CLAIM_SQLITE = _CLAIM.format(marks="?, ?, ?, ?, ?")


@dataclass(frozen=True)
class Claim:
    """This request holds the key: it acts, then records what came of it."""

    id: int


@dataclass(frozen=True)
class Outcome:
    """What the request that held the key produced: an entity's id, or a provider refusal."""

    entity_id: int | None
    error: dict[str, Any] | None


def client_key(value: str | None, *, field: str) -> str | None:
    """The key a client sent (None: none), checked as free text of at most 255 characters."""
    if value is None:
        return None
    return validation.text(value, field=field, max_length=MAX_KEY_LENGTH)


def fingerprint(request: dict[str, Any]) -> str:
    """SHA-256 of the request's canonical JSON: equal for equal requests, whatever the order."""
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


async def claim_or_wait(
    *,
    tenant_id: int,
    operation: str,
    key: str,
    request_fingerprint: str,
    field: str,
    wait_seconds: float = DEFAULT_WAIT_SECONDS,
) -> Claim | Outcome:
    """Claim ``key`` for this request, or wait for the outcome of the request that holds it.

    Raises:
        InvalidInput: on ``field``, when the key was used with a different request.
        ProviderFailure: the holder took longer than ``wait_seconds`` (no provider code: retry).
    """
    digest = key_digest(key)
    deadline = time.monotonic() + wait_seconds
    delay = _FIRST_POLL_SECONDS
    while True:
        claim_id = await _insert_claim(tenant_id, operation, digest, request_fingerprint)
        if claim_id is not None:
            return Claim(claim_id)
        held = await IdempotentRequest.get_or_none(
            tenant_id=tenant_id, operation=operation, key=digest
        )
        if held is None:
            continue  # released since (its holder could not reach the provider): claim again
        if held.fingerprint != request_fingerprint:
            raise InvalidInput(field, f"{field} was already used for a different request.")
        if held.entity_id is not None or held.error is not None:
            return Outcome(entity_id=held.entity_id, error=held.error)
        if time.monotonic() >= deadline:
            raise ProviderFailure(
                "A request with this idempotency key is still in progress; retry later.",
                provider="twilio",
                provider_code=None,
            )
        await asyncio.sleep(delay)
        delay = min(delay * 2, _MAX_POLL_SECONDS)


async def record_refusal(claim: Claim, error: ProviderFailure) -> None:
    """The provider refused: every later request with the key gets the same refusal."""
    await IdempotentRequest.filter(id=claim.id).update(
        error={"message": error.message, "providerCode": error.provider_code}
    )


async def release(claim: Claim) -> None:
    """Nothing happened at the provider (it could not be reached): the key may be used again."""
    await IdempotentRequest.filter(id=claim.id).delete()


@asynccontextmanager
async def attempt(claim: Claim | None) -> AsyncIterator[None]:
    """Around the provider call ``claim`` (if any) guards: settles the claim when it fails.

    A refusal (a ProviderFailure with the provider's code) is kept for every later request with
    the key; a failure without a code (the provider was not reached) or a cancellation releases
    the key for a retry. On success the caller records the entity (in its recording's
    transaction); from then on the claim is never released, so a retry cannot act twice.
    """
    try:
        yield
    except ProviderFailure as failure:
        if claim is not None:
            if failure.provider_code is None:
                await release(claim)
            else:
                await record_refusal(claim, failure)
        raise
    except BaseException:
        if claim is not None:
            await release(claim)  # (cancelled before the provider answered)
        raise


def refusal_of(outcome: Outcome) -> ProviderFailure:
    error = outcome.error or {}
    code = error.get("providerCode")
    return ProviderFailure(
        str(error.get("message") or "The provider refused the request."),
        provider="twilio",
        provider_code=code if isinstance(code, int) else None,
    )


async def _insert_claim(
    tenant_id: int, operation: str, digest: str, request_fingerprint: str
) -> int | None:
    connection = connections.get("default")
    postgres = connection.capabilities.dialect == "postgres"
    rows = await connection.execute_query_dict(
        _CLAIM_POSTGRES if postgres else _CLAIM_SQLITE,
        [tenant_id, operation, digest, request_fingerprint, datetime.now(UTC)],
    )
    return int(rows[0]["id"]) if rows else None
