"""Signed, expiring URLs of this gateway for a tenant's media files (``/media/...``).

A media file (a message's attachment, a call recording's audio: each a kind of its own) is shown
to a browser as ``{public_url}/media/{token}``: usable in an ``<img src>`` or ``<audio src>``
without a bearer header, because the token itself says whose file it is and until when. It is
``{kind}.{tenant}.{entity}.{index}.{expires}.{signature}``, the signature an HMAC-SHA256 over
everything before it.

The signing keys are derived (HKDF-SHA256, a purpose of their own) from the encryption keys, so
the raw encryption keys never sign anything and rotating them rotates these: the newest key signs,
every configured key verifies (links signed before a rotation keep working until they expire).
A token that is malformed, forged, altered in any part, or expired verifies to nothing: the
caller cannot tell which.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from dataclasses import dataclass
from enum import StrEnum

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MEDIA_PATH = "/media"
_SALT = b"trunkline-media-links-v1"
_INFO = b"media-url-signing"
# Ids are the API's (1 to 2^63-1, no leading zeros); an index is a file's place in its entity
# (Twilio allows 10 per message); the expiry is Unix seconds. A signature is 43 base64url chars.
_TOKEN = re.compile(
    r"(?P<kind>[a-z])\.(?P<tenant>[1-9][0-9]{0,18})\.(?P<entity>[1-9][0-9]{0,18})"
    r"\.(?P<index>0|[1-9][0-9]?)\.(?P<expires>[1-9][0-9]{0,10})\.(?P<signature>[A-Za-z0-9_-]{43})"
)
_MAX_ID = 2**63 - 1


class MediaKind(StrEnum):
    """What a link's entity id names (one letter in the token)."""

    MESSAGE = "m"
    RECORDING = "r"  # a recording's audio (index 0: a recording is one file)


@dataclass(frozen=True)
class MediaLink:
    """What a verified token grants: one file of one entity of one tenant, until ``expires``."""

    kind: MediaKind
    tenant_id: int
    entity_id: int
    index: int
    expires: int

    def payload(self) -> str:
        return f"{self.kind.value}.{self.tenant_id}.{self.entity_id}.{self.index}.{self.expires}"


class MediaLinks:
    """Signs and verifies media links.

    Args:
        encryption_keys: the Fernet keys of ``TRUNKLINE_ENCRYPTION_KEYS``, newest first.
        public_url: the gateway's public base URL (``TRUNKLINE_PUBLIC_URL``).
        ttl_seconds: how long a link stays valid (``TRUNKLINE_MEDIA_URL_TTL_SECONDS``).
    """

    def __init__(self, encryption_keys: list[str], *, public_url: str, ttl_seconds: int) -> None:
        if not encryption_keys:
            raise ValueError("at least one key is required")
        self._keys = tuple(_signing_key(key) for key in encryption_keys)
        self.base_url = f"{public_url.rstrip('/')}{MEDIA_PATH}"
        self.ttl_seconds = ttl_seconds

    def __repr__(self) -> str:
        return f"MediaLinks(base_url={self.base_url!r}, ttl_seconds={self.ttl_seconds})"

    def expiry(self, now: float | None = None) -> int:
        """When a link signed now expires (Unix seconds)."""
        return int(now if now is not None else time.time()) + self.ttl_seconds

    def url(self, link: MediaLink) -> str:
        """The absolute URL granting ``link``, signed with the newest key."""
        return f"{self.base_url}/{self.token(link)}"

    def token(self, link: MediaLink) -> str:
        payload = link.payload()
        return f"{payload}.{_sign(self._keys[0], payload)}"

    def verify(self, token: str, now: float | None = None) -> MediaLink | None:
        """The link ``token`` grants, or None: malformed, signed by no key of ours, or expired.

        Every configured key's signature is compared (in constant time) whatever the outcome, so
        the time taken tells nothing about which part was wrong.
        """
        match = _TOKEN.fullmatch(token)
        if match is None:
            return None
        payload, signature = token.rsplit(".", 1)
        valid = False
        for key in self._keys:
            valid |= hmac.compare_digest(_sign(key, payload), signature)
        tenant, entity = int(match["tenant"]), int(match["entity"])
        if not valid or tenant > _MAX_ID or entity > _MAX_ID:
            return None
        try:
            kind = MediaKind(match["kind"])
        except ValueError:
            return None
        link = MediaLink(kind, tenant, entity, int(match["index"]), int(match["expires"]))
        if link.expires <= int(now if now is not None else time.time()):
            return None
        return link


def _signing_key(encryption_key: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=_INFO).derive(
        base64.urlsafe_b64decode(encryption_key.encode())
    )


def _sign(key: bytes, payload: str) -> str:
    digest = hmac.new(key, payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
