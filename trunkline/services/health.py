"""A tenant's Twilio health: are the credentials still accepted, do the webhooks point here.

``twilio_health`` asks Twilio (the Account, the IncomingPhoneNumbers, the Conversations service's
webhook) at most every :data:`CHECK_INTERVAL_SECONDS` per tenant, on any instance, and otherwise
answers the last check with its ``checked_at``; ``refresh`` asks again only when the last check
is older than :data:`REFRESH_MIN_SECONDS`. What the gateway saw itself (the last verified
webhook, the refusals that named one of the tenant's accounts or numbers) is read each time from
:class:`HealthLog`. ``repair_number_webhooks`` points drifted numbers back at this gateway.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from twilio.rest import Client
from twilio.rest.api.v2010.account.incoming_phone_number import IncomingPhoneNumberInstance

from trunkline.models import NumberStatus, PhoneNumber, TwilioSettings
from trunkline.services.accounts import TwilioAccount, TwilioAccounts
from trunkline.services.callbacks import Callback
from trunkline.services.errors import provider_failure
from trunkline.services.health_records import HealthRecords, Refusal
from trunkline.services.numbers import webhook_settings
from trunkline.twilio import ProviderError, provider_errors

# A check is answered again for this long, on every instance.
CHECK_INTERVAL_SECONDS = 300.0
# ``refresh: true`` asks Twilio again only when the last check is at least this old.
REFRESH_MIN_SECONDS = 30.0
# A process writes a tenant's last-webhook time at most this often (webhooks come in bursts).
LAST_WEBHOOK_RESOLUTION_SECONDS = 10.0
# A process records at most one refusal per tenant this often: anyone can post a badly signed
# webhook naming a tenant's account, and a flood of them must not become a flood of writes.
REFUSAL_RESOLUTION_SECONDS = 1.0
# Twilio's code for credentials it does not accept.
AUTHENTICATION_FAILED = 20003


class RefusalReason(StrEnum):
    BAD_SIGNATURE = "bad_signature"
    NUMBER_NOT_HELD = "number_not_held"


class CredentialsState(StrEnum):
    ACCEPTED = "accepted"
    REFUSED = "refused"  # Twilio answered 401 / 20003: the token was rotated or the account closed
    UNREACHABLE = "unreachable"  # Twilio failed or did not answer: nothing is known


class ConversationsState(StrEnum):
    NOT_USED = "not_used"  # no Conversations service saved or configured
    POINTS_HERE = "points_here"
    POINTS_ELSEWHERE = "points_elsewhere"
    UNKNOWN = "unknown"  # Twilio did not say


class HealthLog:
    """Where the webhook routes note what they saw of a tenant (the gateway owns one)."""

    def __init__(self, records: HealthRecords) -> None:
        self.records = records
        self._noted: dict[int, float] = {}
        self._refused: dict[int, float] = {}

    async def webhook_arrived(self, tenant_id: int) -> None:
        """A verified webhook of the tenant: written at most every few seconds per process."""
        now = time.monotonic()
        if self._noted.get(tenant_id, 0.0) > now:
            return
        if len(self._noted) > 100_000:
            self._noted.clear()  # bounded: forgetting only costs an early write
        self._noted[tenant_id] = now + LAST_WEBHOOK_RESOLUTION_SECONDS
        await self.records.note_webhook(tenant_id, datetime.now(UTC))

    async def webhook_refused(
        self, tenant_id: int, *, reason: RefusalReason, route: str, phone_number: str | None
    ) -> None:
        """A refused webhook named the tenant: recorded unless one was, here, a moment ago."""
        now = time.monotonic()
        if self._refused.get(tenant_id, 0.0) > now:
            return
        if len(self._refused) > 100_000:
            self._refused.clear()
        self._refused[tenant_id] = now + REFUSAL_RESOLUTION_SECONDS
        await self.records.add_refusal(
            tenant_id,
            Refusal(
                reason=reason.value, route=route, at=datetime.now(UTC), phone_number=phone_number
            ),
        )


@dataclass(frozen=True)
class WebhookMismatch:
    """One webhook field of an IncomingPhoneNumber that is not what this gateway sets."""

    field: str  # Twilio's parameter name, e.g. sms_url
    expected: str
    actual: str | None


@dataclass(frozen=True)
class NumberDrift:
    """A number of the tenant's whose webhooks Twilio no longer has pointing here."""

    number_id: int
    sid: str
    phone_number: str
    missing_at_twilio: bool = False  # the account no longer holds it
    mismatches: tuple[WebhookMismatch, ...] = ()


@dataclass(frozen=True)
class ConversationsCheck:
    state: ConversationsState
    service_sid: str | None = None
    post_webhook_url: str | None = None


@dataclass(frozen=True)
class TwilioCheck:
    """What Twilio said at ``checked_at``."""

    checked_at: datetime
    credentials: CredentialsState
    provider_code: int | None = None
    message: str | None = None
    drifted_numbers: tuple[NumberDrift, ...] = ()
    conversations: ConversationsCheck | None = None

    def to_wire(self) -> dict[str, Any]:
        data = asdict(self)
        data["checked_at"] = self.checked_at.isoformat()
        return data

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> TwilioCheck:
        conversations = data.get("conversations")
        return cls(
            checked_at=datetime.fromisoformat(data["checked_at"]),
            credentials=CredentialsState(data["credentials"]),
            provider_code=data.get("provider_code"),
            message=data.get("message"),
            drifted_numbers=tuple(
                NumberDrift(
                    number_id=int(n["number_id"]),
                    sid=n["sid"],
                    phone_number=n["phone_number"],
                    missing_at_twilio=bool(n["missing_at_twilio"]),
                    mismatches=tuple(WebhookMismatch(**m) for m in n["mismatches"]),
                )
                for n in data.get("drifted_numbers", [])
            ),
            conversations=(
                ConversationsCheck(
                    state=ConversationsState(conversations["state"]),
                    service_sid=conversations.get("service_sid"),
                    post_webhook_url=conversations.get("post_webhook_url"),
                )
                if conversations
                else None
            ),
        )


@dataclass(frozen=True)
class TwilioHealth:
    configured: bool
    enabled: bool
    check: TwilioCheck | None
    last_webhook_at: datetime | None
    refusals: list[Refusal] = field(default_factory=list)


async def twilio_health(
    *, tenant_id: int, refresh: bool, accounts: TwilioAccounts, log: HealthLog
) -> TwilioHealth:
    """The tenant's Twilio health; Twilio is asked at most every few minutes (see module)."""
    records = log.records
    last_webhook_at = await records.last_webhook(tenant_id)
    refusals = await records.refusals(tenant_id)
    account = await accounts.for_tenant(tenant_id)
    if account is None:
        return TwilioHealth(
            configured=False,
            enabled=False,
            check=None,
            last_webhook_at=last_webhook_at,
            refusals=refusals,
        )
    kept = await records.last_check(tenant_id)
    check = TwilioCheck.from_wire(kept) if kept else None
    age = (datetime.now(UTC) - check.checked_at).total_seconds() if check else None
    wanted = age is None or (refresh and age >= REFRESH_MIN_SECONDS)
    # One instance checks per tenant at a time; the others answer the last check meanwhile.
    if wanted and (check is None or await records.claim_check(tenant_id, REFRESH_MIN_SECONDS)):
        check = await _check(tenant_id, account, accounts)
        await records.save_check(tenant_id, check.to_wire(), CHECK_INTERVAL_SECONDS)
    return TwilioHealth(
        configured=True,
        enabled=account.enabled,
        check=check,
        last_webhook_at=last_webhook_at,
        refusals=refusals,
    )


async def _check(tenant_id: int, account: TwilioAccount, accounts: TwilioAccounts) -> TwilioCheck:
    """Ask Twilio now. A disabled account is checked too: its numbers still take webhooks."""
    client = accounts.clients.client_for(tenant_id, account.account_sid, account.auth_token)
    now = datetime.now(UTC)
    try:
        async with provider_errors():
            await client.api.v2010.accounts(account.account_sid).fetch_async()
            drifted = await _drifted_numbers(tenant_id, client, accounts)
            conversations = await _conversations(tenant_id, account, client, accounts)
    except ProviderError as exc:
        refused = exc.code == AUTHENTICATION_FAILED or exc.status == 401
        return TwilioCheck(
            checked_at=now,
            credentials=CredentialsState.REFUSED if refused else CredentialsState.UNREACHABLE,
            provider_code=exc.code,
            message=exc.message,
        )
    return TwilioCheck(
        checked_at=now,
        credentials=CredentialsState.ACCEPTED,
        drifted_numbers=drifted,
        conversations=conversations,
    )


def _mismatches(
    found: IncomingPhoneNumberInstance, expected: dict[str, str]
) -> tuple[WebhookMismatch, ...]:
    return tuple(
        WebhookMismatch(field=name, expected=value, actual=getattr(found, name, None))
        for name, value in expected.items()
        if (getattr(found, name, None) or "") != value
    )


async def _drifted_numbers(
    tenant_id: int, client: Client, accounts: TwilioAccounts
) -> tuple[NumberDrift, ...]:
    """The tenant's held numbers whose webhooks Twilio has elsewhere (raises ProviderError)."""
    held = (
        await PhoneNumber.filter(tenant_id=tenant_id, sid__isnull=False)
        .exclude(status=NumberStatus.RELEASED)
        .order_by("id")
    )
    if not held:
        return ()
    at_twilio = {
        found.sid: found for found in await client.incoming_phone_numbers.list_async(page_size=100)
    }
    expected = webhook_settings(accounts)
    drifted: list[NumberDrift] = []
    for number in held:
        assert number.sid is not None  # filtered above
        found = at_twilio.get(number.sid)
        if found is None:
            drifted.append(
                NumberDrift(
                    number_id=number.id,
                    sid=number.sid,
                    phone_number=number.phone_number,
                    missing_at_twilio=True,
                )
            )
        elif mismatches := _mismatches(found, expected):
            drifted.append(
                NumberDrift(
                    number_id=number.id,
                    sid=number.sid,
                    phone_number=number.phone_number,
                    mismatches=mismatches,
                )
            )
    return tuple(drifted)


async def _conversations(
    tenant_id: int, account: TwilioAccount, client: Client, accounts: TwilioAccounts
) -> ConversationsCheck:
    """The Conversations webhook, when the tenant uses Conversations (raises ProviderError)."""
    service_sid = account.conversations_service_sid
    if (
        service_sid is None
        or not await TwilioSettings.filter(tenant_id=tenant_id, webhook_configured=True).exists()
    ):
        # Only a webhook the gateway set (configureConversationsWebhook) can have drifted.
        return ConversationsCheck(state=ConversationsState.NOT_USED, service_sid=service_sid)
    webhooks = client.conversations.v1.services(service_sid).configuration.webhooks()
    found = await webhooks.fetch_async()
    post_url = getattr(found, "post_webhook_url", None)
    state = (
        ConversationsState.POINTS_HERE
        if post_url == accounts.callback_url(Callback.CONVERSATIONS)
        else ConversationsState.POINTS_ELSEWHERE
    )
    return ConversationsCheck(state=state, service_sid=service_sid, post_webhook_url=post_url)


@dataclass(frozen=True)
class WebhookRepair:
    """What ``repair_number_webhooks`` did: numbers re-pointed (with what they had) and numbers
    it could not repair because the account no longer holds them."""

    repaired: tuple[NumberDrift, ...]
    missing_at_twilio: tuple[NumberDrift, ...]


async def repair_number_webhooks(
    *, tenant_id: int, accounts: TwilioAccounts, log: HealthLog
) -> WebhookRepair:
    """Point every held number whose webhooks drifted back at this gateway, as Twilio has them
    now (not as the last health check saw them). Idempotent: a second run changes nothing.

    A failure at Twilio midway leaves the numbers repaired so far repaired (each update is whole
    on its own) and answers PROVIDER_ERROR; running it again repairs the rest.
    """
    client, _ = await accounts.client_for_tenant(tenant_id)
    try:
        async with provider_errors():
            drifted = await _drifted_numbers(tenant_id, client, accounts)
            repaired: list[NumberDrift] = []
            for number in drifted:
                if number.missing_at_twilio:
                    continue
                await client.incoming_phone_numbers(number.sid).update_async(
                    **webhook_settings(accounts)
                )
                repaired.append(number)
    except ProviderError as exc:
        raise provider_failure(exc) from exc
    finally:
        # What the last check saw is no longer what Twilio has.
        await log.records.forget_check(tenant_id)
    return WebhookRepair(
        repaired=tuple(repaired),
        missing_at_twilio=tuple(n for n in drifted if n.missing_at_twilio),
    )
