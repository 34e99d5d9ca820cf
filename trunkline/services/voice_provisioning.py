"""Browser calling's two Twilio resources, made on the tenant's account: ``provisionVoice``.

A Voice SDK access token is signed with an API key (its secret stored encrypted beside the auth
token) and names a TwiML App whose voice URL is this gateway's voice webhook; Twilio asks that URL
what to do with each call a browser places. Provisioning makes both, or reuses what is stored:

- the stored app, still at Twilio, is kept and its URLs are pointed here again (the public URL may
  have changed since); an app Twilio no longer has is made anew;
- the stored key, still at Twilio and with its secret stored, is kept; otherwise a key is made.
  Twilio shows a key's secret once, when it is made, so a key stored without one is useless.

So a second run makes nothing, and an app and key saved by hand (``saveTwilioCredentials`` with
``twimlAppSid`` / ``apiKeySid`` / ``apiKeySecret``) are reused as they are. What a run made at
Twilio is removed again when it cannot be stored (as ``buyNumber`` releases a number), and when a
concurrent run or a hand save changed the stored app or key meanwhile: the stored ones win.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

from twilio.rest import Client

from trunkline.models import TwilioSettings
from trunkline.services.accounts import TwilioAccount, TwilioAccounts
from trunkline.services.callbacks import Callback
from trunkline.services.errors import TwilioNotConfigured, provider_failure
from trunkline.twilio import ProviderError, call_twilio

logger = logging.getLogger(__name__)

FRIENDLY_NAME = "Trunkline voice"
NOT_FOUND_AT_TWILIO = 20404


@dataclass(frozen=True)
class VoiceProvisioning:
    """What ``provisionVoice`` left stored, and whether this run made it (else it was reused)."""

    twiml_app_sid: str
    api_key_sid: str
    twiml_app_created: bool
    api_key_created: bool


@dataclass(frozen=True)
class _Key:
    sid: str
    secret: str = field(repr=False)


async def provision_voice(*, tenant_id: int, accounts: TwilioAccounts) -> VoiceProvisioning:
    """Make (or reuse) the tenant's TwiML App and API key at Twilio, and store them.

    Raises:
        TwilioNotConfigured: no Twilio account, or it is disabled.
        ProviderFailure: Twilio refused or could not be reached (nothing new is left stored).
    """
    client, account = await accounts.client_for_tenant(tenant_id)
    app_sid = await _reused_app(client, account, accounts)
    made_app = app_sid is None
    if app_sid is None:
        app_sid = await _create_app(client, accounts)
    try:
        key = await _reused_key(client, account)
        made_key = key is None
        if key is None:
            key = await _create_key(client)
    except Exception:
        if made_app:
            await _remove(client, app=app_sid)
        raise
    if not (made_app or made_key):
        return VoiceProvisioning(app_sid, key.sid, False, False)
    try:
        stored = await _store(
            tenant_id=tenant_id, account=account, app_sid=app_sid, key=key, accounts=accounts
        )
    except Exception:
        # Any failure, not only tortoise's (asyncpg's reach here unwrapped): an app or key made
        # but not stored would be one more credential on the tenant's account nobody knows of.
        logger.exception("storing the voice app and key failed; removing them at Twilio")
        await _remove(client, app=app_sid if made_app else None, key=key.sid if made_key else None)
        raise
    if not stored:
        # Another run (or a hand save) stored its own app or key meanwhile: keep those.
        await _remove(client, app=app_sid if made_app else None, key=key.sid if made_key else None)
        row = await TwilioSettings.get_or_none(tenant_id=tenant_id)
        if row is None or not (row.twiml_app_sid and row.api_key_sid):
            raise TwilioNotConfigured()
        return VoiceProvisioning(row.twiml_app_sid, row.api_key_sid, False, False)
    await accounts.forget_tenant(tenant_id)
    return VoiceProvisioning(app_sid, key.sid, made_app, made_key)


def _app_settings(accounts: TwilioAccounts) -> dict[str, str]:
    """The app's webhooks: the voice URL, its fallback and the call status callback."""
    return {
        "voice_url": accounts.callback_url(Callback.VOICE),
        "voice_method": "POST",
        "voice_fallback_url": accounts.callback_url(Callback.VOICE_FALLBACK),
        "voice_fallback_method": "POST",
        "status_callback": accounts.callback_url(Callback.CALL_STATUS),
        "status_callback_method": "POST",
    }


async def _reused_app(
    client: Client, account: TwilioAccount, accounts: TwilioAccounts
) -> str | None:
    """The stored app's SID once its URLs point here again; None when there is none to reuse."""
    if not account.twiml_app_sid:
        return None
    try:
        await call_twilio(
            client.applications(account.twiml_app_sid).update_async(**_app_settings(accounts))
        )
    except ProviderError as exc:
        if exc.code == NOT_FOUND_AT_TWILIO:
            return None
        raise provider_failure(exc) from exc
    return account.twiml_app_sid


async def _create_app(client: Client, accounts: TwilioAccounts) -> str:
    try:
        app = await call_twilio(
            client.applications.create_async(friendly_name=FRIENDLY_NAME, **_app_settings(accounts))
        )
    except ProviderError as exc:
        raise provider_failure(exc) from exc
    return str(app.sid)


async def _reused_key(client: Client, account: TwilioAccount) -> _Key | None:
    """The stored key, if Twilio still has it and its secret is stored; else None."""
    if not (account.api_key_sid and account.api_key_secret):
        return None
    try:
        await call_twilio(client.keys(account.api_key_sid).fetch_async())
    except ProviderError as exc:
        if exc.code == NOT_FOUND_AT_TWILIO:
            return None
        raise provider_failure(exc) from exc
    return _Key(account.api_key_sid, account.api_key_secret)


async def _create_key(client: Client) -> _Key:
    try:
        key = await call_twilio(client.new_keys.create_async(friendly_name=FRIENDLY_NAME))
    except ProviderError as exc:
        raise provider_failure(exc) from exc
    return _Key(str(key.sid), str(key.secret))


async def _store(
    *,
    tenant_id: int,
    account: TwilioAccount,
    app_sid: str,
    key: _Key,
    accounts: TwilioAccounts,
) -> bool:
    """Store the app and key unless the stored ones changed since they were read; whether it did.

    One conditional UPDATE: the row still naming the app and key this run started from.
    """
    updated = await TwilioSettings.filter(
        tenant_id=tenant_id,
        account_sid=account.account_sid,
        twiml_app_sid=account.twiml_app_sid,
        api_key_sid=account.api_key_sid,
    ).update(
        twiml_app_sid=app_sid,
        api_key_sid=key.sid,
        api_key_secret_encrypted=accounts.secrets.encrypt(
            tenant_id=tenant_id, plaintext=key.secret
        ),
        updated_at=datetime.now(UTC),
    )
    return updated == 1


async def _remove(client: Client, *, app: str | None = None, key: str | None = None) -> None:
    """Delete what this run made at Twilio; a failure is logged (the caller's error stands)."""
    removals = []
    if app is not None:
        removals.append(("app", app, client.applications(app).delete_async))
    if key is not None:
        removals.append(("key", key, client.keys(key).delete_async))
    for kind, sid, delete in removals:
        try:
            await call_twilio(delete())
        except ProviderError as exc:
            if exc.code != NOT_FOUND_AT_TWILIO:
                logger.warning("could not remove the voice %s %s at Twilio: %s", kind, sid, exc)
