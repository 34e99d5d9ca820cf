"""The tenants' Twilio accounts: found by tenant, Account SID, Messaging Service or number.

:class:`TwilioAccounts` is what a service that talks to Twilio (or hands Twilio a webhook URL)
takes instead of the whole gateway: the secrets box that decrypts the stored credentials, the
per-tenant client cache, the public URL the webhooks live under, and the recent webhook
look-ups. It is built once per process (by ``Gateway.from_settings``), so every cache in it is
one the app owns and can invalidate.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass, field

from tortoise.queryset import QuerySet
from twilio.rest import Client

from trunkline.models import NumberStatus, PhoneNumber, TwilioSettings, is_shared_sender
from trunkline.services.callbacks import Callback, callback_url
from trunkline.services.errors import TwilioNotConfigured
from trunkline.services.lookups import RecentLookups, Revocation
from trunkline.services.secrets import SecretBox
from trunkline.twilio import TwilioClients


@dataclass(frozen=True)
class TwilioAccount:
    """Decrypted credentials of one tenant. ``auth_token`` never appears in a repr or log."""

    tenant_id: int
    account_sid: str
    auth_token: str = field(repr=False)
    enabled: bool
    from_number: str | None = None
    messaging_service_sid: str | None = None
    conversations_service_sid: str | None = None
    twiml_app_sid: str | None = None
    api_key_sid: str | None = None
    api_key_secret: str | None = field(default=None, repr=False)


logger = logging.getLogger(__name__)


def mask_account_sid(account_sid: str) -> str:
    """``AC…1234``: enough to recognise an account, not enough to use it."""
    return f"AC…{account_sid[-4:]}"


def _tenant_of(account: TwilioAccount) -> int:
    return account.tenant_id


class TwilioAccounts:
    """The way to every tenant's Twilio account, and to the webhook URLs Twilio is given.

    Webhook look-ups (:meth:`by_sid`, :meth:`by_messaging_service`, :meth:`by_number`) are
    remembered for a few seconds in ``lookups`` and revoked on every instance when what they
    resolve to changes (:meth:`forget_tenant`, :meth:`revoke`); an operation's look-up
    (:meth:`for_tenant`, :meth:`client_for_tenant`) always reads the database.
    """

    def __init__(
        self,
        *,
        secrets: SecretBox,
        clients: TwilioClients,
        lookups: RecentLookups,
        public_url: str,
    ) -> None:
        self.secrets = secrets
        self.clients = clients
        self.lookups = lookups
        self.public_url = public_url

    def __repr__(self) -> str:
        return f"TwilioAccounts(public_url={self.public_url!r})"

    def callback_url(self, callback: Callback, query: Mapping[str, str] | None = None) -> str:
        """The URL Twilio is given for ``callback``, under this gateway's public URL (with
        ``query``, which Twilio signs with the rest of the URL)."""
        return callback_url(self.public_url, callback, query)

    async def for_tenant(self, tenant_id: int) -> TwilioAccount | None:
        """The tenant's account, enabled or not; None when none is configured."""
        return await self._first(TwilioSettings.filter(tenant_id=tenant_id))

    async def client_for_tenant(self, tenant_id: int) -> tuple[Client, TwilioAccount]:
        """The tenant's client and account for an operation; TWILIO_NOT_CONFIGURED when absent
        or disabled."""
        account = await self.for_tenant(tenant_id)
        if account is None or not account.enabled:
            raise TwilioNotConfigured()
        client = self.clients.client_for(tenant_id, account.account_sid, account.auth_token)
        return client, account

    async def by_sid(self, account_sid: str, *, fresh: bool = False) -> TwilioAccount | None:
        """The account a webhook's ``AccountSid`` names (each SID belongs to one tenant)."""
        return await self._remembered(
            ("sid", account_sid),
            lambda: self._first(TwilioSettings.filter(account_sid=account_sid)),
            fresh=fresh,
        )

    async def by_messaging_service(
        self, messaging_service_sid: str, *, fresh: bool = False
    ) -> TwilioAccount | None:
        """For sender pools: the tenant whose Messaging Service it is."""
        return await self._remembered(
            ("service", messaging_service_sid),
            lambda: self._first(TwilioSettings.filter(messaging_service_sid=messaging_service_sid)),
            fresh=fresh,
        )

    async def by_number(self, phone_number: str, *, fresh: bool = False) -> TwilioAccount | None:
        """The tenant that holds ``phone_number`` (E.164) now; released numbers belong to nobody.

        A number held by two tenants at once (possible only across Twilio accounts that both
        claim it, e.g. two sandboxes) resolves to nobody: traffic is never guessed into a tenant.
        Nor does a shared sender (Twilio's WhatsApp Sandbox), even registered by one tenant
        only: its traffic is any account's, and belongs to the tenant its ``AccountSid`` names.
        """
        if is_shared_sender(phone_number):
            return None

        async def load() -> TwilioAccount | None:
            holders = (
                await PhoneNumber.filter(phone_number=phone_number)
                .exclude(status=NumberStatus.RELEASED)
                .limit(2)
            )
            if len(holders) != 1:
                return None
            return await self.for_tenant(holders[0].tenant_id)  # type: ignore[attr-defined]

        return await self._remembered(
            ("number", phone_number), load, phone_number=phone_number, fresh=fresh
        )

    async def forget_tenant(self, tenant_id: int) -> None:
        """The tenant's credentials changed: drop its client here and its look-ups everywhere."""
        self.clients.invalidate(tenant_id)
        await self.lookups.revoke(Revocation(tenant_id=tenant_id))
        # Audit line (REQUIREMENTS 151); the log context adds the org and user who changed them.
        logger.info("Twilio client cache invalidated for tenant %s", tenant_id)

    async def revoke(self, revocation: Revocation) -> None:
        """What webhooks of these numbers resolved to changed: forget it on every instance."""
        await self.lookups.revoke(revocation)

    async def _remembered(
        self,
        key: tuple[Hashable, ...],
        load: Callable[[], Awaitable[TwilioAccount | None]],
        *,
        phone_number: str | None = None,
        fresh: bool,
    ) -> TwilioAccount | None:
        return await self.lookups.get(
            key, load, tenant_of=_tenant_of, phone_number=phone_number, fresh=fresh
        )

    async def _first(self, rows: QuerySet[TwilioSettings]) -> TwilioAccount | None:
        # Tenant and Account SID are unique columns; a Messaging Service SID is not, and
        # resolves to the first row that names it.
        row = await rows.first()
        return self._account(row) if row else None

    def _account(self, row: TwilioSettings) -> TwilioAccount:
        box = self.secrets
        tenant_id = row.tenant_id  # type: ignore[attr-defined]
        return TwilioAccount(
            tenant_id=tenant_id,
            account_sid=row.account_sid,
            auth_token=box.decrypt(tenant_id=tenant_id, ciphertext=row.auth_token_encrypted),
            enabled=row.enabled,
            from_number=row.from_number,
            messaging_service_sid=row.messaging_service_sid,
            conversations_service_sid=row.conversations_service_sid,
            twiml_app_sid=row.twiml_app_sid,
            api_key_sid=row.api_key_sid,
            api_key_secret=(
                box.decrypt(tenant_id=tenant_id, ciphertext=row.api_key_secret_encrypted)
                if row.api_key_secret_encrypted
                else None
            ),
        )
