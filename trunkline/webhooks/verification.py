"""Whose a Twilio webhook is, and whether it is signed: checked before anything is parsed.

The tenant is found from ``AccountSid``, else the Messaging Service, else the receiving number
(through :class:`~trunkline.services.accounts.TwilioAccounts`, which remembers recent look-ups);
the X-Twilio-Signature is checked with that tenant's auth token over the URL Twilio called.
Unknown tenant or bad signature: 403, nothing stored. A shared sender (Twilio's WhatsApp Sandbox,
which any number of tenants register) is never resolved by number: only its ``AccountSid`` says
whose its traffic is, and that tenant must have registered it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from trunkline.models import PhoneNumber
from trunkline.services.accounts import TwilioAccount, TwilioAccounts
from trunkline.services.health import RefusalReason
from trunkline.services.numbers import tenant_number
from trunkline.webhooks import twilio_fields as fields
from trunkline.webhooks.requests import WebhookRejected, WebhookRequest, bare_address


@dataclass(frozen=True)
class Delivery:
    """A verified webhook: whose it is, and the number it concerns when we hold it."""

    webhook: WebhookRequest
    account: TwilioAccount
    number: PhoneNumber | None

    @property
    def tenant_id(self) -> int:
        return self.account.tenant_id

    def idempotency_key(self, route: str, *identity: str) -> str:
        """What makes this delivery the same as another of the tenant's: its route, what it is
        about (``identity``: the sid, the status ...) and, when Twilio sends one, its token.

        The token is not covered by the signature: whoever replays a signed request can set it.
        Bound to the signed ``identity`` as well, it can merge a redelivery with its original
        but never two different deliveries. (The receipt is the key's digest, per tenant.)
        """
        return json.dumps([route, self.webhook.idempotency_token, *identity])


async def verify(
    webhook: WebhookRequest,
    *,
    accounts: TwilioAccounts,
    receiving_field: str,
    inbound: bool,
) -> Delivery:
    """The tenant ``webhook`` belongs to, its signature checked; 403 or 400 otherwise.

    Args:
        webhook: the request as read.
        accounts: where the tenant's account is found.
        receiving_field: the parameter naming our number.
        inbound: whether the route takes inbound traffic, for which the tenant must hold the
            receiving number.
    """
    field, receiving = _receiving_number(webhook, receiving_field=receiving_field, inbound=inbound)
    account = await _account_for(webhook, accounts, receiving, fresh=False)
    if account is not None and not webhook.signed_by(account.auth_token):
        # Perhaps the token was rotated on an instance whose revocation has not reached us
        # (the bus was down): ask the database.
        account = await _account_for(webhook, accounts, receiving, fresh=True)
        if account is not None and not webhook.signed_by(account.auth_token):
            raise WebhookRejected(
                403,
                "bad signature",
                reason="bad_signature",
                tenant_id=account.tenant_id,
                refusal=RefusalReason.BAD_SIGNATURE,
                phone_number=receiving,
            )
    if account is None:
        raise WebhookRejected(403, "unknown account", reason="unknown_account")
    tenant_id = account.tenant_id
    number = (
        await accounts.lookups.get(
            ("tenant-number", tenant_id, receiving),
            lambda: tenant_number(tenant_id=tenant_id, phone_number=receiving),
            tenant_of=lambda _: tenant_id,
            phone_number=receiving,
        )
        if receiving
        else None
    )
    if inbound and number is None:
        if not receiving:
            raise WebhookRejected(400, f"missing required field {field}")
        raise WebhookRejected(
            403,
            "the receiving number is not the tenant's",
            reason="foreign_number",
            tenant_id=tenant_id,
            refusal=RefusalReason.NUMBER_NOT_HELD,
            phone_number=receiving,
        )
    return Delivery(webhook=webhook, account=account, number=number)


async def _account_for(
    webhook: WebhookRequest, accounts: TwilioAccounts, receiving: str | None, *, fresh: bool
) -> TwilioAccount | None:
    account_sid = webhook.read(fields.ACCOUNT_SID)
    if account_sid:
        found = await accounts.by_sid(account_sid, fresh=fresh)
        if found is not None:
            return found
    service_sid = webhook.read(fields.MESSAGING_SERVICE_SID)
    if service_sid:
        found = await accounts.by_messaging_service(service_sid, fresh=fresh)
        if found is not None:
            return found
    if receiving:
        return await accounts.by_number(receiving, fresh=fresh)
    return None


def _receiving_number(
    webhook: WebhookRequest, *, receiving_field: str, inbound: bool
) -> tuple[str, str | None]:
    """The field naming our number, and that number as the numbers table holds it, if sent.

    On an inbound route it must be a number we could hold (400 naming the field otherwise). A
    status callback's may be something else (a browser caller's ``client:...`` identity): it is
    then no number of ours, and the field is checked against the column it is stored in.
    """
    name = receiving_field
    if name == "To" and not inbound and (webhook.read(fields.DIRECTION) or "inbound") != "inbound":
        name = "From"  # an outbound call's number is its caller
    raw = webhook.params.get(name)
    if not raw:
        return name, None
    number = fields.receiving_number(name)
    bare = bare_address(raw)
    if not inbound and number.max_length is not None and len(bare) > number.max_length:
        return name, None
    return name, number.parse(name, bare)
