"""Twilio-shaped identifiers: a two-letter prefix and 32 lowercase hex digits."""

from __future__ import annotations

import secrets
import string

ACCOUNT = "AC"
PHONE_NUMBER = "PN"
SMS = "SM"
MMS = "MM"
MEDIA = "ME"
CALL = "CA"
RECORDING = "RE"
CONVERSATION_SERVICE = "IS"
API_KEY = "SK"
APPLICATION = "AP"

_KEY_SECRET_ALPHABET = string.ascii_letters + string.digits


def new_sid(prefix: str) -> str:
    """A fresh SID such as ``SM0123...``: the prefix names the resource type, as in Twilio."""
    return prefix + secrets.token_hex(16)


def new_key_secret() -> str:
    """A fresh API key secret: 32 letters and digits, like the ones Twilio issues."""
    return "".join(secrets.choice(_KEY_SECRET_ALPHABET) for _ in range(32))


def new_auth_token() -> str:
    """A fresh auth token, 32 hex digits like Twilio's."""
    return secrets.token_hex(16)
