"""Sending messages through the tenant's Twilio account (today the test SMS; sendMessage next)."""

from __future__ import annotations

from trunkline.models import Channel, Direction, Message, PhoneNumber
from trunkline.services import validation
from trunkline.services.accounts import TwilioAccounts
from trunkline.services.callbacks import Callback
from trunkline.services.errors import InvalidInput, provider_failure
from trunkline.services.messages import history_entry
from trunkline.twilio import ProviderError, provider_errors

MAX_TEST_SMS_LENGTH = 320


async def send_test_sms(
    *, tenant_id: int, to: str, body: str, user_id: str, accounts: TwilioAccounts
) -> Message:
    """Send one SMS from the configured number (or Messaging Service) and record it.

    Its later statuses arrive on the message-status webhook like any other message's.
    """
    validation.e164(to, field="to")
    body = validation.text(body, field="body", max_length=MAX_TEST_SMS_LENGTH, multiline=True)
    client, account = await accounts.client_for_tenant(tenant_id)
    if not account.from_number and not account.messaging_service_sid:
        raise InvalidInput("fromNumber", "Save a from number or Messaging Service SID first.")
    sender: dict[str, str] = (
        {"from_": account.from_number}
        if account.from_number
        else {"messaging_service_sid": account.messaging_service_sid or ""}
    )
    status_callback = accounts.callback_url(Callback.MESSAGE_STATUS)
    try:
        async with provider_errors():
            sent = await client.messages.create_async(
                to=to, body=body, status_callback=status_callback, **sender
            )
    except ProviderError as exc:
        raise provider_failure(exc) from exc
    number = (
        await PhoneNumber.filter(tenant_id=tenant_id, phone_number=account.from_number).first()
        if account.from_number
        else None
    )
    # The status callback may beat us here: the ingestion writer creates a message it does not
    # know yet. One INSERT ... ON CONFLICT DO NOTHING (the conflict: this tenant's same sid) holds
    # no lock while it waits for that batch to commit (get_or_create's select-then-insert
    # transaction deadlocked with it).
    await Message.bulk_create(
        [
            Message(
                sid=sent.sid,
                tenant_id=tenant_id,
                channel=Channel.SMS,
                direction=Direction.OUTBOUND,
                from_address=sent.from_ or account.from_number or "",
                to_address=to,
                counterpart=to,
                body=body,
                status=sent.status or "queued",
                status_history=[history_entry(sent.status or "queued", applied=True)],
                number_id=number.id if number else None,
                user_id=user_id,
            )
        ],
        ignore_conflicts=True,
    )
    # Had the callback created it, the row lacks what only the sender knows (the callback's
    # writes touch status, history and error code only, so this cannot undo them).
    await Message.filter(tenant_id=tenant_id, sid=sent.sid, user_id__isnull=True).update(
        body=body, user_id=user_id
    )
    return await Message.get(tenant_id=tenant_id, sid=sent.sid)
