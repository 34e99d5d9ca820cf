"""Twilio-shaped identifiers: a two-letter prefix and 32 lowercase hex digits."""

from __future__ import annotations

import secrets

ACCOUNT = "AC"
PHONE_NUMBER = "PN"
SMS = "SM"
MMS = "MM"
MEDIA = "ME"
CALL = "CA"
RECORDING = "RE"
CONVERSATION_SERVICE = "IS"


def new_sid(prefix: str) -> str:
    """A fresh SID such as ``SM0123...``: the prefix names the resource type, as in Twilio."""
    return prefix + secrets.token_hex(16)


def new_auth_token() -> str:
    """A fresh auth token, 32 hex digits like Twilio's."""
    return secrets.token_hex(16)
