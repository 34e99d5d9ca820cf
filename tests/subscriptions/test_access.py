"""Who sees what: agents their numbers' activity, admins all; filters; expiry ends the stream."""

from __future__ import annotations

import time

from tests.subscriptions.client import subscribe
from tests.subscriptions.test_activity import ACTIVITY, admin_token
from tests.support.identity import IdentityProvider
from tests.webhooks.fixtures import TwilioTenant
from tests.webhooks.test_calls import VOICE, call_params, call_sid
from tests.webhooks.test_messaging import MESSAGING, STATUS, inbound, message_sid, status
from trunkline.models import Message, PhoneNumber

MESSAGE_UPDATED = """
subscription Updated($id: ID!) { messageUpdated(id: $id) { id sid status } }
"""
CALL_UPDATED = """
subscription Updated($id: ID!) { callUpdated(id: $id) { id sid status } }
"""
EXPIRED_CLOSE = 4403


async def second_number(tenant: TwilioTenant, *, owner_id: str | None) -> PhoneNumber:
    bought = await tenant.client.incoming_phone_numbers.create_async(area_code="212")
    return await PhoneNumber.create(
        tenant_id=tenant.tenant_id,
        sid=bought.sid,
        phone_number=bought.phone_number,
        sms_enabled=True,
        owner_id=owner_id,
    )


async def test_an_agent_sees_only_the_activity_of_numbers_assigned_to_them(
    gateway: str, identity: IdentityProvider, twilio_tenant: TwilioTenant
) -> None:
    mine = await second_number(twilio_tenant, owner_id="auth0|agent-ann")
    agent = identity.token(org=twilio_tenant.org, sub="auth0|agent-ann", roles=[])
    others, ours = message_sid(), message_sid()
    async with (
        subscribe(gateway, agent, ACTIVITY, {"after": "0"}) as agent_view,
        subscribe(
            gateway, admin_token(identity, twilio_tenant), ACTIVITY, {"after": "0"}
        ) as admin_view,
    ):
        await twilio_tenant.post(MESSAGING, inbound(twilio_tenant, others))
        await twilio_tenant.post(MESSAGING, inbound(twilio_tenant, ours, To=mine.phone_number))
        agent_event = (await agent_view.next())["activity"]
        admin_events = [(await admin_view.next())["activity"] for _ in range(2)]

    assert (agent_event["cursor"], agent_event["message"]["sid"]) == ("2", ours)
    assert [e["message"]["sid"] for e in admin_events] == [others, ours]


async def test_number_and_channel_filters_narrow_the_stream(
    gateway: str, identity: IdentityProvider, twilio_tenant: TwilioTenant
) -> None:
    other = await second_number(twilio_tenant, owner_id=None)
    sms_elsewhere, call_here, sms_here = message_sid(), call_sid(), message_sid()
    variables = {"after": "0", "numberId": str(twilio_tenant.number.id), "channels": ["SMS"]}
    async with subscribe(
        gateway, admin_token(identity, twilio_tenant), ACTIVITY, variables
    ) as subscriber:
        await twilio_tenant.post(
            MESSAGING, inbound(twilio_tenant, sms_elsewhere, To=other.phone_number)
        )
        await twilio_tenant.post(VOICE, call_params(twilio_tenant, call_here, "ringing"))
        await twilio_tenant.post(MESSAGING, inbound(twilio_tenant, sms_here))
        event = (await subscriber.next())["activity"]

    assert (event["cursor"], event["message"]["sid"]) == ("3", sms_here)


async def test_an_agent_cannot_subscribe_to_a_number_not_assigned_to_them(
    gateway: str, identity: IdentityProvider, twilio_tenant: TwilioTenant
) -> None:
    agent = identity.token(org=twilio_tenant.org, sub="auth0|agent-bob", roles=[])
    variables = {"numberId": str(twilio_tenant.number.id)}
    async with subscribe(gateway, agent, ACTIVITY, variables) as subscriber:
        reply = await subscriber.message()

    assert reply["type"] in {"next", "error"}
    errors = reply["payload"]["errors"] if reply["type"] == "next" else reply["payload"]
    assert [e["extensions"]["code"] for e in errors] == ["NOT_FOUND"]


async def test_message_updated_yields_the_message_then_each_change(
    gateway: str, identity: IdentityProvider, twilio_tenant: TwilioTenant
) -> None:
    sid = message_sid()
    await twilio_tenant.post(STATUS, status(twilio_tenant, sid, "queued"))
    message = await Message.get(sid=sid)
    async with subscribe(
        gateway, admin_token(identity, twilio_tenant), MESSAGE_UPDATED, {"id": str(message.id)}
    ) as subscriber:
        first = (await subscriber.next())["messageUpdated"]
        await twilio_tenant.post(MESSAGING, inbound(twilio_tenant, message_sid()))
        await twilio_tenant.post(STATUS, status(twilio_tenant, sid, "sent"))
        second = (await subscriber.next())["messageUpdated"]

    assert first == {"id": str(message.id), "sid": sid, "status": "queued"}
    assert second == {"id": str(message.id), "sid": sid, "status": "sent"}


async def test_call_updated_yields_the_call_then_each_change(
    gateway: str, identity: IdentityProvider, twilio_tenant: TwilioTenant
) -> None:
    sid = call_sid()
    await twilio_tenant.post(VOICE, call_params(twilio_tenant, sid, "ringing"))
    from trunkline.models import Call

    call = await Call.get(sid=sid)
    async with subscribe(
        gateway, admin_token(identity, twilio_tenant), CALL_UPDATED, {"id": str(call.id)}
    ) as subscriber:
        first = (await subscriber.next())["callUpdated"]
        await twilio_tenant.post(
            "/webhooks/twilio/call-status", call_params(twilio_tenant, sid, "completed")
        )
        second = (await subscriber.next())["callUpdated"]

    assert (first["status"], second["status"]) == ("ringing", "completed")


async def test_message_updated_of_another_tenant_is_not_found(
    gateway: str, identity: IdentityProvider, twilio_tenant: TwilioTenant, unique_org: str
) -> None:
    sid = message_sid()
    await twilio_tenant.post(MESSAGING, inbound(twilio_tenant, sid))
    message = await Message.get(sid=sid)
    stranger = identity.token(org=unique_org, sub="auth0|admin", roles=["admin"])

    async with subscribe(gateway, stranger, MESSAGE_UPDATED, {"id": str(message.id)}) as sub:
        reply = await sub.message()

    errors = reply["payload"]["errors"] if reply["type"] == "next" else reply["payload"]
    assert [e["extensions"]["code"] for e in errors] == ["NOT_FOUND"]


async def test_subscription_ends_and_socket_closes_when_the_token_expires(
    gateway: str, identity: IdentityProvider, twilio_tenant: TwilioTenant
) -> None:
    now = int(time.time())
    token = identity.token(
        org=twilio_tenant.org, sub="auth0|admin", roles=["admin"], iat=now, exp=now + 2
    )
    async with subscribe(gateway, token, ACTIVITY, {"after": "0"}) as subscriber:
        await twilio_tenant.post(MESSAGING, inbound(twilio_tenant, message_sid()))
        delivered = (await subscriber.next())["activity"]
        code = await subscriber.close_code()

    assert delivered["kind"] == "MESSAGE_RECEIVED"
    assert code == EXPIRED_CLOSE
    assert time.time() >= now + 2
