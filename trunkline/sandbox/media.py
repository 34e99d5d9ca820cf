"""Message media, hosted as Twilio hosts it: a Media resource per file, its bytes served by the API.

Twilio copies every file of a message (inbound, or sent with ``MediaUrl``) to its own storage and
hands out its Media resource's URL
(``https://api.twilio.com/2010-04-01/Accounts/{AC}/Messages/{MM}/Media/{ME}``) in ``MediaUrl{N}``.
The sandbox does the same without fetching anything: whatever URL it was given, it only keeps the
content type that URL's file name implies, and generates the file's bytes from that type
(:func:`media_content`), the same bytes every time.

The sandbox models an account with HTTP authentication of media enforced (Twilio's "Enforce HTTP
Auth on Media URLs" setting, which production accounts should use): the bytes are served only to
the account's Account SID and auth token.
"""

from __future__ import annotations

import hashlib
import mimetypes
import struct
import zlib
from typing import TYPE_CHECKING

from trunkline.sandbox import sids
from trunkline.sandbox.records import Media, Message

if TYPE_CHECKING:
    from trunkline.sandbox.runtime import Sandbox

DEFAULT_CONTENT_TYPE = "application/octet-stream"
# Files of other types are this many bytes: large enough that serving one takes several chunks.
GENERATED_SIZE = 256 * 1024


def content_type_of(url: str) -> str:
    """The media type Twilio would report, guessed from the URL's file name."""
    return mimetypes.guess_type(url.split("?", 1)[0])[0] or DEFAULT_CONTENT_TYPE


def attach_media(sandbox: Sandbox, message: Message, urls: list[str]) -> None:
    """Create the message's Media resources, one per URL, in order (nothing is fetched)."""
    now = sandbox.clock.now()
    for url in urls:
        media = Media(
            sid=sids.new_sid(sids.MEDIA),
            account_sid=message.account_sid,
            parent_sid=message.sid,
            content_type=content_type_of(url),
            date_created=now,
            date_updated=now,
        )
        sandbox.store.media[media.sid] = media
        message.media_sids.append(media.sid)


def message_media(sandbox: Sandbox, message: Message) -> list[Media]:
    """The message's Media resources still stored, in order."""
    stored = (sandbox.store.media.get(sid) for sid in message.media_sids)
    return [media for media in stored if media is not None]


def media_content(content_type: str) -> bytes:
    """The file the sandbox serves for ``content_type``: deterministic, and valid where it can be
    (a 1x1 PNG, JPEG or GIF; a line of text); other types get :data:`GENERATED_SIZE` bytes derived
    from the type."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "image/png":
        return _PNG
    if kind == "image/jpeg":
        return _JPEG
    if kind == "image/gif":
        return _GIF
    if kind.startswith("text/"):
        return f"Sandbox media ({kind})\n".encode()
    return hashlib.shake_256(kind.encode()).digest(GENERATED_SIZE)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


# One opaque white RGB pixel.
_PNG = (
    b"\x89PNG\r\n\x1a\n"
    + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    + _png_chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
    + _png_chunk(b"IEND", b"")
)
# The smallest well-known baseline 1x1 grey JPEG (JFIF, arithmetic-coded scan).
_JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010101004800480000"
    "ffdb004300030202020202030202020303030304060404040404080606050609080a0a090809090a0c0f0c0a0b0e0b"
    "09090d110d0e0f101011100a0c12131210130f101010"
    "ffc9000b080001000101011100ffcc000600101005ffda0008010100003f00d2cf20ffd9"
)
# A transparent 1x1 GIF.
_GIF = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)
