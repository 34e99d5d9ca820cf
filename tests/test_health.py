"""``/healthz`` and ``/readyz`` on the gateway under test."""

from __future__ import annotations

import httpx

from trunkline.settings import Settings


async def test_healthz_answers_while_the_process_lives(gateway: str) -> None:
    async with httpx.AsyncClient(base_url=gateway) as client:
        response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_reports_ready_with_the_bus_in_use(gateway: str, settings: Settings) -> None:
    async with httpx.AsyncClient(base_url=gateway) as client:
        response = await client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "bus": "redis" if settings.redis_url else "in-process",
    }
