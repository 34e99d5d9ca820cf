"""``GET /media/{token}``: a tenant's media file, streamed from Twilio for a signed link.

The token (:mod:`trunkline.services.media_links`) is the only credential, so the URL works in an
``<img src>``. Answers: 403 for a token that is malformed, forged, altered, expired or names
nothing (one answer for all, no detail); 404 when Twilio no longer has the file; 502 when Twilio
cannot be reached, refuses, is too slow, or the file is over ``TRUNKLINE_MEDIA_MAX_BYTES``.

The file is served from this gateway's origin, and an inbound message may carry any file a sender
chose (HTML included): the response forbids sniffing and scripts, and only images, audio and
video are shown inline (anything else downloads).
"""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse, Response, StreamingResponse

from trunkline.gateway import Gateway
from trunkline.services.media import MediaRefused, open_media
from trunkline.services.media_links import MEDIA_PATH
from trunkline.twilio.media import MediaGone, MediaUnavailable

logger = logging.getLogger(__name__)

INLINE_TYPES = ("image/", "audio/", "video/")
_SAFETY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Referrer-Policy": "no-referrer",
}


def _refusal(status: int, text: str) -> Response:
    return PlainTextResponse(
        text, status_code=status, headers={"Cache-Control": "no-store", **_SAFETY_HEADERS}
    )


def media_router(gateway: Gateway) -> APIRouter:
    router = APIRouter()

    @router.get(f"{MEDIA_PATH}/{{token}}", include_in_schema=False)
    async def media_file(token: str) -> Response:
        link = gateway.media_links.verify(token)
        if link is None:
            return _refusal(403, "Forbidden")
        try:
            download = await open_media(accounts=gateway.accounts, fetcher=gateway.media, link=link)
        except MediaRefused:
            return _refusal(403, "Forbidden")
        except MediaGone:
            return _refusal(404, "Not Found")
        except MediaUnavailable as exc:
            logger.warning("media of tenant %s not served: %s", link.tenant_id, exc)
            return _refusal(502, "Bad Gateway")
        disposition = "inline" if download.content_type.startswith(INLINE_TYPES) else "attachment"
        headers = {
            # Set as Twilio gave it (media_type would add a charset to text types).
            "Content-Type": download.content_type,
            **_SAFETY_HEADERS,
            "Content-Disposition": disposition,
            # The link expires; a browser may keep the file no longer than the link is valid.
            "Cache-Control": f"private, max-age={gateway.media_links.ttl_seconds}",
        }
        if download.content_length is not None:
            headers["Content-Length"] = str(download.content_length)
        return StreamingResponse(download.chunks(), headers=headers)

    return router
