"""HTTP Basic authentication with Account SID and auth token, as Twilio's API does it."""

from __future__ import annotations

import base64
import binascii
import hmac

from fastapi import Request

from trunkline.sandbox.errors import not_found, twilio_path, unauthenticated
from trunkline.sandbox.records import Account
from trunkline.sandbox.runtime import Sandbox


def sandbox_of(request: Request) -> Sandbox:
    """The :class:`Sandbox` serving this request (``app.state.sandbox``)."""
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox


async def credentials_account(request: Request) -> Account:
    """The account whose SID and token the request's Basic credentials carry (else 20003)."""
    header = request.headers.get("authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        raise unauthenticated()
    try:
        username, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise unauthenticated() from None
    account = sandbox_of(request).store.accounts.get(username)
    if account is None or not hmac.compare_digest(account.auth_token, password):
        raise unauthenticated()
    return account


async def path_account(request: Request, account_sid: str) -> Account:
    """The authenticated account, which must be the one the path names.

    Another account's resources are "not found", as on Twilio: no hint that they exist.
    """
    account = await credentials_account(request)
    if account.sid != account_sid:
        raise not_found(twilio_path(request))
    return account
