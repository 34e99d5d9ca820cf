"""``GET /metrics``: the Prometheus text format, behind an optional bearer token.

With ``TRUNKLINE_METRICS_TOKEN`` set, a scrape must send ``Authorization: Bearer <token>``;
anything else is a 401 that says nothing about the token. The comparison takes the same time
whatever the candidate (``hmac.compare_digest`` on the digests, so not even the length leaks).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from trunkline import metrics
from trunkline.settings import Settings

BEARER = "bearer "


def metrics_router(settings: Settings) -> APIRouter:
    router = APIRouter()
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    expected = _digest(token) if token else None
    registry = metrics.registry()

    @router.get("/metrics", include_in_schema=False)
    async def scrape(request: Request) -> Response:
        if expected is not None and not _authorized(request, expected):
            return JSONResponse(
                {"detail": "a metrics token is required"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        # Reading every worker's files is disk work: off the event loop.
        body = await asyncio.to_thread(generate_latest, registry)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return router


def _authorized(request: Request, expected: bytes) -> bool:
    authorization = request.headers.get("authorization", "")
    if authorization[: len(BEARER)].lower() != BEARER:
        return False
    return hmac.compare_digest(_digest(authorization[len(BEARER) :].strip()), expected)


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8")).digest()
