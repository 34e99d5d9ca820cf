"""Twilio's REST error bodies: ``{"code", "message", "more_info", "status"}``."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

MORE_INFO = "https://www.twilio.com/docs/errors/{code}"


class TwilioApiError(Exception):
    """An error the sandbox answers with Twilio's JSON error body.

    Args:
        status: the HTTP status.
        code: Twilio's error code (e.g. 21211).
        message: Twilio's human message for it.
        detail: an optional longer explanation (Twilio sends one with 20003).
    """

    def __init__(self, status: int, code: int, message: str, *, detail: str | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "more_info": MORE_INFO.format(code=self.code),
            "status": self.status,
        }
        if self.detail is not None:
            body["detail"] = self.detail
        return body


def bad_request(code: int, message: str) -> TwilioApiError:
    """A 400 with Twilio's code, the shape of nearly every validation failure."""
    return TwilioApiError(400, code, message)


def not_found(twilio_path: str) -> TwilioApiError:
    """Twilio's 404 (20404) for a resource path relative to the product host."""
    return TwilioApiError(404, 20404, f"The requested resource {twilio_path} was not found")


def unauthenticated() -> TwilioApiError:
    """Twilio's 401 (20003) for a missing or wrong Account SID / auth token pair."""
    return TwilioApiError(
        401, 20003, "Authenticate", detail="Your AccountSid or AuthToken was incorrect."
    )


def twilio_path(request: Request) -> str:
    """The request path as Twilio would name it: ``/2010-04-01/...`` or ``/v1/...``.

    Works mounted (``/sandbox/twilio/api/...``) and standalone (``/twilio/api/...``).
    """
    _, _, product_path = request.url.path.partition("/twilio/")
    _, _, path = product_path.partition("/")
    return "/" + path


async def twilio_error_response(request: Request, exc: Exception) -> JSONResponse:
    """Exception handler: render a :class:`TwilioApiError` as Twilio does."""
    assert isinstance(exc, TwilioApiError)
    headers = {"WWW-Authenticate": 'Basic realm="Twilio API"'} if exc.status == 401 else None
    return JSONResponse(exc.body(), status_code=exc.status, headers=headers)
