"""Twilio failures as one exception the services can act on: :class:`ProviderError`.

Services wrap their Twilio calls (``async with provider_errors(): ...`` or
``await call_twilio(...)``) and map a ProviderError to the GraphQL ``PROVIDER_ERROR`` result with
Twilio's own code and message. Timeouts and connection failures carry no code.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import TypeVar

import aiohttp
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.response import Response

logger = logging.getLogger(__name__)

T = TypeVar("T")

# The twilio library prefixes Twilio's message with what it was doing; callers want Twilio's.
_LIBRARY_PREFIX = re.compile(r"^Unable to [a-z ]+: ")
_FIRST_TWILIO_CODE = 10000  # Twilio's error codes have five digits


class ProviderError(Exception):
    """Twilio refused, failed or could not be reached.

    Attributes:
        code: Twilio's error code (e.g. 21211), None when Twilio gave none (timeouts, network).
        message: Twilio's message, or what went wrong on the way to Twilio.
        status: the HTTP status Twilio answered, None when there was no answer.
    """

    def __init__(self, code: int | None, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status

    def __str__(self) -> str:
        return f"Twilio error {self.code}: {self.message}" if self.code else self.message

    def __repr__(self) -> str:
        return (
            f"ProviderError(code={self.code!r}, message={self.message!r}, status={self.status!r})"
        )


@asynccontextmanager
async def provider_errors() -> AsyncIterator[None]:
    """Turn what the twilio library raises inside the block into :class:`ProviderError`."""
    try:
        yield
    except TwilioServiceException as exc:
        raise ProviderError(exc.code, exc.detail or exc.title, exc.status) from exc
    except TwilioRestException as exc:
        message = str(exc.msg)
        has_twilio_message = _LIBRARY_PREFIX.match(message) is not None
        message = _LIBRARY_PREFIX.sub("", message) if has_twilio_message else ""
        # Without an error body the library reuses the HTTP status as the code: not Twilio's.
        code = exc.code if isinstance(exc.code, int) and exc.code >= _FIRST_TWILIO_CODE else None
        raise ProviderError(
            code, message or f"Twilio answered HTTP {exc.status}", exc.status
        ) from exc
    except TimeoutError as exc:
        logger.warning("Twilio request timed out")
        raise ProviderError(None, "Twilio did not answer in time") from exc
    except aiohttp.ClientError as exc:
        logger.warning("Twilio request failed: %s", type(exc).__name__)
        raise ProviderError(None, f"Could not reach Twilio ({type(exc).__name__})") from exc
    except TwilioException as exc:
        raise _from_library_exception(exc) from exc


async def call_twilio(awaitable: Awaitable[T]) -> T:
    """Await one twilio library call, raising :class:`ProviderError` on failure."""
    async with provider_errors():
        return await awaitable


def _from_library_exception(exc: TwilioException) -> ProviderError:
    """Paged reads raise a bare TwilioException("Unable to fetch page", response)."""
    response = next((arg for arg in exc.args if isinstance(arg, Response)), None)
    if response is None:
        return ProviderError(None, str(exc.args[0]) if exc.args else "Twilio request failed")
    try:
        body = json.loads(response.text)
    except ValueError:
        body = {}
    code = body.get("code") if isinstance(body, dict) else None
    message = body.get("message") if isinstance(body, dict) else None
    return ProviderError(
        code if isinstance(code, int) else None,
        message if isinstance(message, str) else f"HTTP {response.status_code}",
        response.status_code,
    )
