"""A user's Voice SDK client identity: what their browser client is called at Twilio.

One identity per user, the same on every token (Twilio rings a ``<Client>`` by identity, so the
identity a number's owner is rung at must be the one their browser registered with). Twilio
allows up to 121 characters and advises against anything but letters, digits and ``_``; an Auth0
``sub`` such as ``auth0|6530...`` or ``google-oauth2|1098...`` has others. So the identity is the
``sub`` with every other character replaced by ``_`` (readable in Twilio's console), cut to fit,
and a digest of the whole ``sub`` (two subs that differ only in replaced characters stay apart).
It is not reversible: the voice webhook learns whose an identity is from the grant
``createVoiceAccessToken`` recorded (``models.VoiceGrant``).
"""

from __future__ import annotations

import hashlib
import re

CLIENT_PREFIX = "client:"
MAX_IDENTITY_LENGTH = 121
_UNSAFE = re.compile(r"[^A-Za-z0-9_]")
_DIGEST_CHARACTERS = 12  # hex: 48 bits, no collision among a tenant's users in practice
# 44 + "_" + 12 = 57 characters: ``client:<identity>`` (64) then fits where Twilio's From/To of a
# browser call is stored (``Call.from_address``/``to_address``, 64 characters) and is read by
# the one field parser, which refuses longer values.
_READABLE_LENGTH = 44


def identity_of(user_id: str) -> str:
    """The client identity of ``user_id`` (stable, ``[A-Za-z0-9_]``, at most 57 characters)."""
    digest = hashlib.sha256(user_id.encode("utf-8")).hexdigest()[:_DIGEST_CHARACTERS]
    readable = _UNSAFE.sub("_", user_id)[:_READABLE_LENGTH]
    return f"{readable}_{digest}"


def client_address(identity: str) -> str:
    """How Twilio writes a browser client in ``From``/``To``: ``client:<identity>``."""
    return f"{CLIENT_PREFIX}{identity}"


def identity_in(address: str) -> str | None:
    """The identity in a ``client:<identity>`` address; None for any other address."""
    if not address.startswith(CLIENT_PREFIX):
        return None
    identity = address[len(CLIENT_PREFIX) :]
    return identity if identity and len(identity) <= MAX_IDENTITY_LENGTH else None
