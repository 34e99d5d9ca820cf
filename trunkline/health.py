"""``/healthz`` (the process is alive) and ``/readyz`` (it can serve: database and bus)."""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from tortoise import Tortoise

from trunkline.gateway import Gateway

logger = logging.getLogger(__name__)

# A readiness probe that hangs is worse than one that fails: load balancers time out anyway.
CHECK_TIMEOUT_SECONDS = 2.0


async def _database_reachable() -> None:
    await Tortoise.get_connection("default").execute_query("SELECT 1")


def health_router(gateway: Gateway) -> APIRouter:
    router = APIRouter()

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz")
    async def readyz() -> JSONResponse:
        checks = {"database": _database_reachable(), "bus": gateway.bus.ping()}
        results = await asyncio.gather(
            *(asyncio.wait_for(check, CHECK_TIMEOUT_SECONDS) for check in checks.values()),
            return_exceptions=True,
        )
        failing = []
        for name, result in zip(checks, results, strict=True):
            if isinstance(result, BaseException):
                logger.warning("readiness check %s failed: %r", name, result)
                failing.append(name)
        if failing:
            return JSONResponse({"status": "unavailable", "failing": failing}, status_code=503)
        return JSONResponse({"status": "ready", "bus": gateway.bus.name})

    return router
