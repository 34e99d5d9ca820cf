"""Identical subscriptions share one execution of each event; different ones get their own.

End to end: real sockets on the gateway, signed webhooks, several subscriptions per event.
"""

from __future__ import annotations

import json

from tests.subscriptions.client import Socket, connect
from tests.subscriptions.test_access import second_number
from tests.subscriptions.test_activity import ACTIVITY, admin_token
from tests.support.identity import IdentityProvider
from tests.webhooks.fixtures import TwilioTenant
from tests.webhooks.test_messaging import MESSAGING, inbound, message_sid

# Every subscription replays from the start of the (fresh) tenant's log, so none misses an event
# posted while it is still being set up; later events reach them live.
FROM_START = {"after": "0"}
KINDS = 'subscription { activity(after: "0") { cursor kind } }'
BODIES = 'subscription { activity(after: "0") { cursor message { sid body } } }'
MAYBE_BODY = """
subscription Maybe($withBody: Boolean!) {
  activity(after: "0") { cursor message { sid body @include(if: $withBody) } }
}
"""
UNKNOWN_FIELD = "subscription { activity { cursor nonsense } }"


def payload_text(frame: str) -> str:
    """The frame's payload exactly as sent (after the operation's own id and type)."""
    return frame.split(',"payload":', 1)[1]


async def both_live(tenant: TwilioTenant, *sockets: tuple[Socket, str]) -> None:
    """A first event every operation receives: from then on each one's stream is live."""
    await tenant.post(MESSAGING, inbound(tenant, message_sid(), Body="warm-up"))
    for socket, op_id in sockets:
        assert (await socket.message(op_id))["type"] == "next"


async def test_subscriptions_selecting_differently_each_get_their_own_payload(
    gateway: str, identity: IdentityProvider, twilio_tenant: TwilioTenant
) -> None:
    async with connect(gateway, admin_token(identity, twilio_tenant)) as socket:
        await socket.start("kinds", KINDS)
        await socket.start("bodies", BODIES)
        await both_live(twilio_tenant, (socket, "kinds"), (socket, "bodies"))
        sid = message_sid()
        await twilio_tenant.post(MESSAGING, inbound(twilio_tenant, sid, Body="one event"))
        kinds = await socket.message("kinds")
        bodies = await socket.message("bodies")

    assert kinds == {
        "id": "kinds",
        "type": "next",
        "payload": {"data": {"activity": {"cursor": "2", "kind": "MESSAGE_RECEIVED"}}},
    }
    assert bodies == {
        "id": "bodies",
        "type": "next",
        "payload": {
            "data": {"activity": {"cursor": "2", "message": {"sid": sid, "body": "one event"}}}
        },
    }


async def test_one_document_with_different_variables_gives_each_its_own_payload(
    gateway: str, identity: IdentityProvider, twilio_tenant: TwilioTenant
) -> None:
    async with connect(gateway, admin_token(identity, twilio_tenant)) as socket:
        await socket.start("with", MAYBE_BODY, {"withBody": True})
        await socket.start("without", MAYBE_BODY, {"withBody": False})
        await both_live(twilio_tenant, (socket, "with"), (socket, "without"))
        sid = message_sid()
        await twilio_tenant.post(MESSAGING, inbound(twilio_tenant, sid, Body="maybe"))
        with_body = (await socket.message("with"))["payload"]["data"]["activity"]
        without_body = (await socket.message("without"))["payload"]["data"]["activity"]

    assert with_body == {"cursor": "2", "message": {"sid": sid, "body": "maybe"}}
    assert without_body == {"cursor": "2", "message": {"sid": sid}}


async def test_identical_subscriptions_on_different_sockets_receive_the_same_payload(
    gateway: str, identity: IdentityProvider, twilio_tenant: TwilioTenant
) -> None:
    token = admin_token(identity, twilio_tenant)
    async with connect(gateway, token) as first, connect(gateway, token) as second:
        await first.start("a", ACTIVITY, FROM_START)
        await first.start("b", ACTIVITY, FROM_START)
        await second.start("a", ACTIVITY, FROM_START)
        await both_live(twilio_tenant, (first, "a"), (first, "b"), (second, "a"))
        sid = message_sid()
        await twilio_tenant.post(MESSAGING, inbound(twilio_tenant, sid, Body="same for all"))
        frames = [await first.frame("a"), await first.frame("b"), await second.frame("a")]

    messages = [json.loads(frame) for frame in frames]
    assert [(m["id"], m["type"]) for m in messages] == [("a", "next"), ("b", "next"), ("a", "next")]
    assert len({payload_text(frame) for frame in frames}) == 1
    event = messages[0]["payload"]["data"]["activity"]
    assert (event["cursor"], event["kind"], event["numberId"]) == (
        "2",
        "MESSAGE_RECEIVED",
        str(twilio_tenant.number.id),
    )
    assert (event["message"]["sid"], event["message"]["body"]) == (sid, "same for all")
    assert (event["call"], event["recording"]) == (None, None)


async def test_an_agent_beside_an_admin_still_sees_only_the_activity_of_its_numbers(
    gateway: str, identity: IdentityProvider, twilio_tenant: TwilioTenant
) -> None:
    mine = await second_number(twilio_tenant, owner_id="auth0|agent-sam")
    agent = identity.token(org=twilio_tenant.org, sub="auth0|agent-sam", roles=[])
    others, ours = message_sid(), message_sid()
    async with (
        connect(gateway, agent) as agent_socket,
        connect(gateway, admin_token(identity, twilio_tenant)) as admin_socket,
    ):
        await agent_socket.start("1", ACTIVITY, FROM_START)
        await admin_socket.start("1", ACTIVITY, FROM_START)
        await twilio_tenant.post(MESSAGING, inbound(twilio_tenant, others, To=mine.phone_number))
        await agent_socket.message("1")
        await admin_socket.message("1")  # both live from here
        await twilio_tenant.post(MESSAGING, inbound(twilio_tenant, message_sid()))
        await twilio_tenant.post(MESSAGING, inbound(twilio_tenant, ours, To=mine.phone_number))
        agent_frame = await agent_socket.frame("1")
        admin_frames = [await admin_socket.frame("1") for _ in range(2)]

    agent_event = json.loads(agent_frame)["payload"]["data"]["activity"]
    admin_events = [json.loads(f)["payload"]["data"]["activity"] for f in admin_frames]
    assert (agent_event["cursor"], agent_event["message"]["sid"]) == ("3", ours)
    assert [e["cursor"] for e in admin_events] == ["2", "3"]
    assert payload_text(agent_frame) == payload_text(admin_frames[1])


async def test_a_failing_subscription_leaves_the_others_on_its_socket_receiving(
    gateway: str, identity: IdentityProvider, twilio_tenant: TwilioTenant
) -> None:
    agent = identity.token(org=twilio_tenant.org, sub="auth0|agent-kim", roles=[])
    admin_socket_token = admin_token(identity, twilio_tenant)
    async with connect(gateway, agent) as agent_socket, connect(gateway, admin_socket_token) as s:
        await agent_socket.start("not-mine", ACTIVITY, {"numberId": str(twilio_tenant.number.id)})
        refused = await agent_socket.message("not-mine")
        await s.start("unknown", UNKNOWN_FIELD)
        invalid = await s.message("unknown")
        await s.start("good", KINDS)
        await s.start("also-good", BODIES)
        sid = message_sid()
        await twilio_tenant.post(MESSAGING, inbound(twilio_tenant, sid))
        good = (await s.message("good"))["payload"]
        also_good = (await s.message("also-good"))["payload"]

    refused_errors = (
        refused["payload"]["errors"] if refused["type"] == "next" else refused["payload"]
    )
    assert [e["extensions"]["code"] for e in refused_errors] == ["NOT_FOUND"]
    assert invalid["type"] == "error"
    assert [e["message"] for e in invalid["payload"]] == [
        "Cannot query field 'nonsense' on type 'ActivityEvent'."
    ]
    assert good == {"data": {"activity": {"cursor": "1", "kind": "MESSAGE_RECEIVED"}}}
    assert also_good == {
        "data": {"activity": {"cursor": "1", "message": {"sid": sid, "body": "hello"}}}
    }


async def test_a_completed_subscription_receives_nothing_more_while_its_neighbour_does(
    gateway: str, identity: IdentityProvider, twilio_tenant: TwilioTenant
) -> None:
    async with connect(gateway, admin_token(identity, twilio_tenant)) as socket:
        await socket.start("stays", KINDS)
        await socket.start("leaves", KINDS)
        await both_live(twilio_tenant, (socket, "stays"), (socket, "leaves"))
        await socket.socket.send(json.dumps({"id": "leaves", "type": "complete"}))
        await twilio_tenant.post(MESSAGING, inbound(twilio_tenant, message_sid()))
        await twilio_tenant.post(MESSAGING, inbound(twilio_tenant, message_sid()))
        stays = [(await socket.message("stays"))["payload"] for _ in range(2)]

    assert [p["data"]["activity"]["cursor"] for p in stays] == ["2", "3"]
    assert socket.frames.get("leaves", []) == []
