"""The activity subscription end to end: the sandbox posts signed webhooks to a subscriber."""

from __future__ import annotations

import uuid

from tests.subscriptions.client import subscribe
from tests.support.identity import IdentityProvider
from tests.webhooks.fixtures import Carrier, TwilioTenant
from tests.webhooks.test_calls import RECORDING_STATUS, VOICE, call_params, call_sid
from tests.webhooks.test_messaging import MESSAGING, inbound, message_sid
from trunkline.models import PhoneNumber, Recording

ACTIVITY = """
subscription Activity($after: String, $numberId: ID, $channels: [ActivityChannel!]) {
  activity(after: $after, numberId: $numberId, channels: $channels) {
    cursor kind numberId
    message { id sid channel direction from to body mediaUrls status errorCode createdAt }
    call { id sid direction from to status duration recordings { sid status } }
    recording { id sid callId duration status }
  }
}
"""

SENDER = "+14155550123"


def admin_token(identity: IdentityProvider, tenant: TwilioTenant) -> str:
    return identity.token(org=tenant.org, sub="auth0|admin", roles=["admin"])


async def test_inbound_sms_from_the_sandbox_reaches_a_subscriber(
    gateway: str, identity: IdentityProvider, twilio_tenant: TwilioTenant, sandbox_carrier: Carrier
) -> None:
    async with subscribe(
        gateway, admin_token(identity, twilio_tenant), ACTIVITY, {"after": "0"}
    ) as subscriber:
        sid = await sandbox_carrier.text(
            to=twilio_tenant.number.phone_number, sender=SENDER, body="hi from the sandbox"
        )
        event = (await subscriber.next())["activity"]

    assert event["kind"] == "MESSAGE_RECEIVED"
    assert event["cursor"] == "1"
    assert event["numberId"] == str(twilio_tenant.number.id)
    message = event["message"]
    assert (message["sid"], message["channel"], message["direction"]) == (sid, "SMS", "INBOUND")
    assert (message["from"], message["to"], message["body"], message["status"]) == (
        SENDER,
        twilio_tenant.number.phone_number,
        "hi from the sandbox",
        "received",
    )
    assert (event["call"], event["recording"]) == (None, None)


async def test_inbound_whatsapp_mms_from_the_sandbox_reaches_a_subscriber(
    gateway: str, identity: IdentityProvider, twilio_tenant: TwilioTenant, sandbox_carrier: Carrier
) -> None:
    async with subscribe(
        gateway, admin_token(identity, twilio_tenant), ACTIVITY, {"after": "0"}
    ) as subscriber:
        await sandbox_carrier.text(
            to=twilio_tenant.number.phone_number,
            sender=SENDER,
            channel="whatsapp",
            media_urls=["https://media.example/cat.jpg"],
        )
        message = (await subscriber.next())["activity"]["message"]

    (hosted,) = await twilio_tenant.client.messages(message["sid"]).media.list_async()
    assert (message["channel"], message["from"], message["mediaUrls"]) == (
        "WHATSAPP",
        f"whatsapp:{SENDER}",
        # Twilio's copy of the file, not the URL the sender named.
        [
            f"https://api.twilio.com/2010-04-01/Accounts/{twilio_tenant.account_sid}"
            f"/Messages/{message['sid']}/Media/{hosted.sid}"
        ],
    )


async def test_inbound_call_from_the_sandbox_reaches_a_subscriber_until_it_ends(
    gateway: str, identity: IdentityProvider, twilio_tenant: TwilioTenant, sandbox_carrier: Carrier
) -> None:
    # Nobody to ring and no voicemail: the caller hears a goodbye (no recording to announce).
    await PhoneNumber.filter(id=twilio_tenant.number.id).update(voice_voicemail=False)
    async with subscribe(
        gateway, admin_token(identity, twilio_tenant), ACTIVITY, {"after": "0"}
    ) as subscriber:
        sid = await sandbox_carrier.call(to=twilio_tenant.number.phone_number, sender=SENDER)
        received = (await subscriber.next())["activity"]
        ended = (await subscriber.next())["activity"]

    assert (received["kind"], received["call"]["sid"], received["call"]["direction"]) == (
        "CALL_RECEIVED",
        sid,
        "INBOUND",
    )
    assert (ended["kind"], ended["call"]["sid"], ended["call"]["status"]) == (
        "CALL_STATUS",
        sid,
        "completed",
    )


async def test_outbound_message_statuses_from_the_sandbox_reach_a_subscriber(
    gateway: str, identity: IdentityProvider, twilio_tenant: TwilioTenant
) -> None:
    async with subscribe(
        gateway, admin_token(identity, twilio_tenant), ACTIVITY, {"after": "0"}
    ) as subscriber:
        sent = await twilio_tenant.client.messages.create_async(
            to=SENDER,
            from_=twilio_tenant.number.phone_number,
            body="status please",
            status_callback=f"{gateway}/webhooks/twilio/message-status",
        )
        statuses = []
        while not statuses or statuses[-1] != "delivered":
            event = (await subscriber.next())["activity"]
            assert (event["kind"], event["message"]["sid"]) == ("MESSAGE_STATUS", sent.sid)
            statuses.append(event["message"]["status"])

    assert statuses == ["sending", "sent", "delivered"]


async def test_recording_ready_reaches_a_subscriber_with_its_call(
    gateway: str, identity: IdentityProvider, twilio_tenant: TwilioTenant
) -> None:
    sid = call_sid()
    recording_sid = "RE" + uuid.uuid4().hex
    async with subscribe(
        gateway, admin_token(identity, twilio_tenant), ACTIVITY, {"after": "0"}
    ) as subscriber:
        await twilio_tenant.post(VOICE, call_params(twilio_tenant, sid, "ringing"))
        call = (await subscriber.next())["activity"]["call"]
        await twilio_tenant.post(
            RECORDING_STATUS,
            [
                ("AccountSid", twilio_tenant.account_sid),
                ("CallSid", sid),
                ("RecordingSid", recording_sid),
                ("RecordingStatus", "completed"),
                ("RecordingDuration", "9"),
            ],
        )
        event = (await subscriber.next())["activity"]

    stored = await Recording.get(sid=recording_sid)
    assert event["kind"] == "RECORDING_READY"
    assert event["recording"] == {
        "id": str(stored.id),
        "sid": recording_sid,
        "callId": call["id"],
        "duration": 9,
        "status": "completed",
    }


async def test_resume_after_a_cursor_replays_then_goes_live_without_gap_or_repeat(
    gateway: str, identity: IdentityProvider, twilio_tenant: TwilioTenant
) -> None:
    sids = [message_sid() for _ in range(5)]
    for sid in sids[:3]:
        assert (await twilio_tenant.post(MESSAGING, inbound(twilio_tenant, sid))).status_code == 200

    async with subscribe(
        gateway, admin_token(identity, twilio_tenant), ACTIVITY, {"after": "1"}
    ) as subscriber:
        replayed = [(await subscriber.next())["activity"] for _ in range(2)]
        for sid in sids[3:]:
            await twilio_tenant.post(MESSAGING, inbound(twilio_tenant, sid))
        live = [(await subscriber.next())["activity"] for _ in range(2)]

    events = replayed + live
    assert [e["cursor"] for e in events] == ["2", "3", "4", "5"]
    assert [e["message"]["sid"] for e in events] == sids[1:]


async def test_a_subscriber_sees_nothing_of_another_tenant(
    gateway: str,
    identity: IdentityProvider,
    twilio_tenant: TwilioTenant,
    sandbox_carrier: Carrier,
    settings: object,
) -> None:
    from tests.webhooks.fixtures import create_twilio_tenant

    other = await create_twilio_tenant(
        carrier=sandbox_carrier,
        gateway=gateway,
        settings=settings,  # type: ignore[arg-type]
        http=twilio_tenant.http,
    )
    ours = message_sid()
    async with subscribe(
        gateway, admin_token(identity, twilio_tenant), ACTIVITY, {"after": "0"}
    ) as subscriber:
        await other.post(MESSAGING, inbound(other, message_sid()))
        await twilio_tenant.post(MESSAGING, inbound(twilio_tenant, ours))
        event = (await subscriber.next())["activity"]

    assert (event["cursor"], event["message"]["sid"]) == ("1", ours)
