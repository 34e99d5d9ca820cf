"""Voice SDK access tokens for the browser: ``createVoiceAccessToken``.

The token is the ``twilio`` library's AccessToken with one VoiceGrant: calls out go through the
tenant's TwiML App (so they reach this gateway's voice webhook), calls in ring the client. It is
signed with the tenant's API key and names the caller's client identity
(:func:`~trunkline.services.voice_identity.identity_of`).

It expires with the caller's session or after an hour, whichever is first: a browser that may
call after its user's session ended would outlive the sign-out. ``Principal.expires_at`` already
is the earlier of the caller's token expiry and the session cap (``TRUNKLINE_MAX_SESSION_HOURS``).

Twilio's webhook for a browser call names only the identity; who it is and whether they are an
admin were in the JWT that asked for the token. So each token is recorded as a ``VoiceGrant``
(one row per tenant and identity), which the voice webhook reads. Several tokens of one user may
be live at once (a laptop and a phone): the grant lasts until the latest of them expires, and
speaks with the roles of the latest request (a revoked admin role stops counting at once).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction
from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant as TwilioVoiceGrant

from trunkline.auth.principal import Principal, Role
from trunkline.models import VoiceGrant
from trunkline.services.accounts import TwilioAccounts
from trunkline.services.errors import TwilioNotConfigured
from trunkline.services.voice_identity import identity_of

MAX_TOKEN_LIFETIME = timedelta(hours=1)
NOT_PROVISIONED = (
    "Browser calling is not set up for this tenant: support must run provisionVoice (or save "
    "twimlAppSid, apiKeySid and apiKeySecret with saveTwilioCredentials)."
)


@dataclass(frozen=True)
class VoiceAccessToken:
    """A signed Voice SDK token, the identity it names and when it expires."""

    token: str
    identity: str
    expires_at: datetime


async def create_voice_access_token(
    *, tenant_id: int, principal: Principal, accounts: TwilioAccounts
) -> VoiceAccessToken:
    """Sign a Voice SDK token for the caller and record its grant for the voice webhook.

    Raises:
        TwilioNotConfigured: no Twilio account or a disabled one (the message of every Twilio
            operation), or no TwiML App or API key yet (a message saying what to run).
    """
    account = await accounts.for_tenant(tenant_id)
    if account is None or not account.enabled:
        raise TwilioNotConfigured()
    if not (account.twiml_app_sid and account.api_key_sid and account.api_key_secret):
        raise TwilioNotConfigured(NOT_PROVISIONED)
    identity = identity_of(principal.user_id)
    expires_at = _expiry(principal, now=datetime.now(UTC))
    token = AccessToken(
        account.account_sid,
        account.api_key_sid,
        account.api_key_secret,
        grants=[
            TwilioVoiceGrant(outgoing_application_sid=account.twiml_app_sid, incoming_allow=True)
        ],
        identity=identity,
        valid_until=int(expires_at.timestamp()),
    )
    await _record_grant(
        tenant_id=tenant_id,
        identity=identity,
        user_id=principal.user_id,
        admin=Role.ADMIN in principal.roles,
        expires_at=expires_at,
    )
    return VoiceAccessToken(token=token.to_jwt(), identity=identity, expires_at=expires_at)


def _expiry(principal: Principal, *, now: datetime) -> datetime:
    """An hour from now, or the end of the caller's session if sooner, to the whole second
    before it (a JWT's ``exp`` is whole seconds: rounding up would outlive the session)."""
    latest = min(now + MAX_TOKEN_LIFETIME, principal.expires_at)
    return datetime.fromtimestamp(math.floor(latest.timestamp()), tz=UTC)


async def _record_grant(
    *, tenant_id: int, identity: str, user_id: str, admin: bool, expires_at: datetime
) -> None:
    """Upsert the tenant's grant for ``identity``: the latest roles, the latest expiry."""
    for _ in range(2):
        async with in_transaction():
            grant = (
                await VoiceGrant.filter(tenant_id=tenant_id, identity=identity)
                .select_for_update()
                .first()
            )
            if grant is not None:
                grant.user_id = user_id
                grant.admin = admin
                grant.expires_at = max(grant.expires_at, expires_at)
                await grant.save(update_fields=["user_id", "admin", "expires_at", "updated_at"])
                return
        try:
            await VoiceGrant.create(
                tenant_id=tenant_id,
                identity=identity,
                user_id=user_id,
                admin=admin,
                expires_at=expires_at,
            )
        except IntegrityError:
            continue  # a concurrent request created it first: update that one
        return
