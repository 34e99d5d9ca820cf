"""RateLimits against a Redis nobody answers on: requests go through, one warning per outage."""

from __future__ import annotations

import logging

import pytest

from trunkline.services.errors import RateLimited
from trunkline.services.rate_limits import CostlyAction, RateLimits
from trunkline.settings import Settings

UNREACHABLE_REDIS = "redis://127.0.0.1:9/0"  # nothing listens on loopback's port 9


async def test_an_unreachable_redis_lets_requests_through_and_warns_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    limits = RateLimits.from_settings(
        Settings(redis_url=UNREACHABLE_REDIS, rate_limit_send_message="1/minute", _env_file=None)  # type: ignore[call-arg]
    )

    async def send() -> str:
        return "sent"

    with caplog.at_level(logging.WARNING, logger="trunkline.services.rate_limits"):
        answers = [
            await limits.within(CostlyAction.SEND_MESSAGE, tenant_id=1, user_id="ana", run=send)
            for _ in range(3)
        ]
    await limits.aclose()

    assert answers == ["sent"] * 3
    assert [record.getMessage().split(" (")[0] for record in caplog.records] == [
        "rate limits not enforced: their Redis is unreachable"
    ]


async def test_a_refusal_runs_nothing_and_counts_only_what_was_let_through() -> None:
    limits = RateLimits.from_settings(
        Settings(
            rate_limit_send_message="2/minute",
            rate_limit_send_message_tenant="3/minute",
            _env_file=None,  # type: ignore[call-arg]
        )
    )
    ran: list[str] = []

    async def send(user: str) -> None:
        try:
            await limits.within(
                CostlyAction.SEND_MESSAGE,
                tenant_id=7,
                user_id=user,
                run=lambda: _record(ran, user),
            )
        except RateLimited:
            ran.append("refused")

    for user in ("ana", "ana", "ana", "ana", "ben"):
        await send(user)
    await limits.aclose()

    # Ana's refused attempts spent none of the tenant's three: Ben takes the third.
    assert ran == ["ana", "ana", "refused", "refused", "ben"]


async def _record(ran: list[str], user: str) -> None:
    ran.append(user)
