"""The sandbox's ASGI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from trunkline.sandbox.errors import TwilioApiError, not_found, twilio_error_response, twilio_path
from trunkline.sandbox.messaging import resume_messages
from trunkline.sandbox.routes import (
    accounts,
    applications,
    calls,
    control,
    conversations,
    keys,
    media,
    messages,
    numbers,
    pricing,
)
from trunkline.sandbox.runtime import Sandbox
from trunkline.sandbox.voice import end_interrupted_calls


def create_sandbox_app(
    *,
    step_seconds: float = 1.0,
    state_path: Path | None = None,
    callback_timeout: float = 5.0,
    public_url: str | None = None,
) -> FastAPI:
    """Build a sandbox carrier: Twilio's REST API under ``/twilio``, control API under ``/control``.

    Args:
        step_seconds: wall-clock seconds per simulated status step; 0 runs them at once (tests).
        state_path: JSON file keeping accounts, numbers and history across restarts; None keeps
            everything in memory.
        callback_timeout: default connect and read timeout of the webhooks it posts, in seconds.
        public_url: absolute base URL the sandbox is reachable at (e.g.
            ``http://127.0.0.1:8000/sandbox``), for the recording media URLs it hands out; None
            uses Twilio's API host, as Twilio does.

    Returns:
        The app. Its :class:`Sandbox` is ``app.state.sandbox``; the app's lifespan starts and
        closes it, and a parent that mounts the app must do so itself.
    """
    sandbox = Sandbox(
        step_seconds=step_seconds,
        state_path=state_path,
        callback_timeout=callback_timeout,
        public_url=public_url,
        # Messages mid-progress go on; calls cut mid-TwiML end failed.
        resume=(resume_messages, end_interrupted_calls),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with sandbox:
            yield

    app = FastAPI(
        title="Trunkline sandbox carrier",
        description="A Twilio-compatible simulator. Twilio's REST API is under /twilio/{product}.",
        lifespan=lifespan,
    )
    app.state.sandbox = sandbox
    twilio_apis = (
        accounts,
        numbers,
        messages,
        media,
        calls,
        conversations,
        pricing,
        keys,
        applications,
    )
    for twilio_api in twilio_apis:
        app.include_router(twilio_api.router, include_in_schema=False)
    app.include_router(control.router)
    app.add_exception_handler(TwilioApiError, twilio_error_response)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    return app


async def _http_error(request: Request, exc: Exception) -> Response:
    """Unknown paths and methods under ``/twilio`` get Twilio's error bodies."""
    assert isinstance(exc, StarletteHTTPException)
    if "/twilio/" not in request.url.path:
        return await http_exception_handler(request, exc)
    if exc.status_code == 404:
        return await twilio_error_response(request, not_found(twilio_path(request)))
    if exc.status_code == 405:
        body = TwilioApiError(405, 20004, "Method not allowed").body()
        return JSONResponse(body, status_code=405, headers=dict(exc.headers or {}))
    return await http_exception_handler(request, exc)
