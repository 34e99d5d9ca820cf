"""Webhooks without ``I-Twilio-Idempotency-Token``: a redelivery is still recognised.

Twilio omits the token on some deliveries (and older accounts never send it); the delivery is
then known by what it says: the sid, plus the status and sequence of a status callback. The same
delivery twice changes nothing and answers the same; a callback saying something new is stored.
Only behaviour is asserted (answers, rows, activity), never how the receipt is keyed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from tests.webhooks.fixtures import Params, TwilioTenant
from tests.webhooks.test_calls import (
    CALL_STATUS,
    CONVERSATIONS,
    RECORDING_STATUS,
    VOICE,
    call_params,
    call_sid,
)
from tests.webhooks.test_messaging import MESSAGING, STATUS, inbound, message_sid, status
from trunkline.models import ActivityEvent, Call, Message, Recording


async def post_without_token(tenant: TwilioTenant, path: str, params: Params) -> httpx.Response:
    """POST ``params`` signed as Twilio would, but with no idempotency token at all."""
    headers = tenant.signed_headers(path, params)
    del headers["I-Twilio-Idempotency-Token"]
    return await tenant.http.post(
        path,
        content=urlencode(list(params)),
        headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
    )


async def stored(tenant: TwilioTenant) -> dict[str, Any]:
    """Everything the tenant's webhooks can have written, in a comparable form."""
    tenant_id = tenant.tenant_id
    return {
        "activity": await ActivityEvent.filter(tenant_id=tenant_id)
        .order_by("seq")
        .values_list("seq", "kind", "entity_id"),
        "messages": await Message.filter(tenant_id=tenant_id)
        .order_by("id")
        .values_list("sid", "status", "status_history"),
        "calls": await Call.filter(tenant_id=tenant_id)
        .order_by("id")
        .values_list("sid", "status", "status_history", "last_sequence"),
        "recordings": await Recording.filter(tenant_id=tenant_id)
        .order_by("id")
        .values_list("sid", "status", "duration"),
    }


def recording_params(
    tenant: TwilioTenant, call: str, recording: str, value: str
) -> list[tuple[str, str]]:
    return [
        ("AccountSid", tenant.account_sid),
        ("CallSid", call),
        ("RecordingSid", recording),
        ("RecordingStatus", value),
        ("RecordingDuration", "12"),
        ("RecordingUrl", "https://media.example/recording"),
    ]


def conversation_params(tenant: TwilioTenant, event_type: str, message: str) -> Params:
    return [
        ("AccountSid", tenant.account_sid),
        ("EventType", event_type),
        ("ConversationSid", "CH" + "a" * 32),
        ("MessageSid", message),
        ("Author", "alice"),
        ("Body", "hi there"),
    ]


@dataclass(frozen=True)
class Delivery:
    """A webhook to deliver twice: ``build(tenant, key)`` makes the parameters."""

    path: str
    build: Callable[[TwilioTenant, str], Params]
    key: Callable[[], str]
    kinds: list[str]  # the activity the first delivery announces


def _recording(tenant: TwilioTenant, key: str) -> Params:
    return recording_params(tenant, call_sid(), key, "completed")


DELIVERIES = {
    "messaging": Delivery(
        MESSAGING, lambda t, sid: inbound(t, sid), message_sid, ["MESSAGE_RECEIVED"]
    ),
    "message-status": Delivery(
        STATUS, lambda t, sid: status(t, sid, "sent"), message_sid, ["MESSAGE_STATUS"]
    ),
    "voice": Delivery(
        VOICE, lambda t, sid: call_params(t, sid, "ringing"), call_sid, ["CALL_RECEIVED"]
    ),
    "call-status": Delivery(
        CALL_STATUS, lambda t, sid: call_params(t, sid, "ringing", 1), call_sid, ["CALL_STATUS"]
    ),
    "recording-status": Delivery(
        RECORDING_STATUS, _recording, lambda: "RE" + uuid.uuid4().hex, ["RECORDING_READY"]
    ),
    "conversations": Delivery(
        CONVERSATIONS,
        lambda t, sid: conversation_params(t, "onMessageAdded", sid),
        lambda: "IM" + uuid.uuid4().hex,
        ["CONVERSATION_EVENT"],
    ),
}


@pytest.mark.parametrize("route", list(DELIVERIES))
async def test_redelivery_without_a_token_answers_the_same_and_changes_nothing(
    twilio_tenant: TwilioTenant, route: str
) -> None:
    delivery = DELIVERIES[route]
    params = delivery.build(twilio_tenant, delivery.key())
    first = await post_without_token(twilio_tenant, delivery.path, params)
    after_first = await stored(twilio_tenant)

    again = await post_without_token(twilio_tenant, delivery.path, params)

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.text == first.text
    assert [kind for _, kind, _ in after_first["activity"]] == delivery.kinds
    assert await stored(twilio_tenant) == after_first


@dataclass(frozen=True)
class FollowUp:
    """Two deliveries without a token that differ in what they say (or whom they are about)."""

    path: str
    first: Callable[[TwilioTenant, str], Params]
    then: Callable[[TwilioTenant, str], Params]
    key: Callable[[], str]
    kinds: list[str]  # the activity both announce, in order
    same_entity: bool = True  # False: ``then`` is about another entity (a new key)


FOLLOW_UPS = {
    "messaging: another message": FollowUp(
        MESSAGING,
        inbound,
        inbound,
        message_sid,
        ["MESSAGE_RECEIVED", "MESSAGE_RECEIVED"],
        same_entity=False,
    ),
    "voice: another call": FollowUp(
        VOICE,
        lambda t, sid: call_params(t, sid, "ringing"),
        lambda t, sid: call_params(t, sid, "ringing"),
        call_sid,
        ["CALL_RECEIVED", "CALL_RECEIVED"],
        same_entity=False,
    ),
    "message-status: another status": FollowUp(
        STATUS,
        lambda t, sid: status(t, sid, "sent"),
        lambda t, sid: status(t, sid, "delivered"),
        message_sid,
        ["MESSAGE_STATUS", "MESSAGE_STATUS"],
    ),
    "call-status: another status": FollowUp(
        CALL_STATUS,
        lambda t, sid: call_params(t, sid, "ringing"),
        lambda t, sid: call_params(t, sid, "in-progress"),
        call_sid,
        ["CALL_STATUS", "CALL_STATUS"],
    ),
    "call-status: another sequence": FollowUp(
        CALL_STATUS,
        lambda t, sid: call_params(t, sid, "in-progress", 2),
        lambda t, sid: call_params(t, sid, "in-progress", 3),
        call_sid,
        ["CALL_STATUS", "CALL_STATUS"],
    ),
    "recording-status: another status": FollowUp(
        RECORDING_STATUS,
        lambda t, sid: recording_params(t, "CA" + sid[2:], sid, "in-progress"),
        lambda t, sid: recording_params(t, "CA" + sid[2:], sid, "completed"),
        lambda: "RE" + uuid.uuid4().hex,
        ["RECORDING_STATUS", "RECORDING_READY"],
    ),
    "conversations: another event type": FollowUp(
        CONVERSATIONS,
        lambda t, sid: conversation_params(t, "onMessageAdded", sid),
        lambda t, sid: conversation_params(t, "onMessageUpdated", sid),
        lambda: "IM" + uuid.uuid4().hex,
        ["CONVERSATION_EVENT", "CONVERSATION_EVENT"],
    ),
}


@pytest.mark.parametrize("case", list(FOLLOW_UPS))
async def test_a_callback_without_a_token_saying_something_new_is_stored(
    twilio_tenant: TwilioTenant, case: str
) -> None:
    follow_up = FOLLOW_UPS[case]
    key = follow_up.key()
    first = await post_without_token(
        twilio_tenant, follow_up.path, follow_up.first(twilio_tenant, key)
    )
    then_key = key if follow_up.same_entity else follow_up.key()

    then = await post_without_token(
        twilio_tenant, follow_up.path, follow_up.then(twilio_tenant, then_key)
    )

    assert (first.status_code, then.status_code) == (200, 200)
    kinds = await ActivityEvent.filter(tenant_id=twilio_tenant.tenant_id).order_by("seq")
    assert [event.kind for event in kinds] == follow_up.kinds


async def test_message_status_without_a_token_applies_the_new_status_once(
    twilio_tenant: TwilioTenant,
) -> None:
    sid = message_sid()
    for value in ("sent", "sent", "delivered", "delivered"):
        response = await post_without_token(
            twilio_tenant, STATUS, status(twilio_tenant, sid, value)
        )
        assert response.status_code == 200

    message = await Message.get(sid=sid)
    assert message.status == "delivered"
    assert [(e["status"], e["applied"]) for e in message.status_history] == [
        ("sent", True),
        ("delivered", True),
    ]


async def test_call_status_without_a_token_keeps_each_sequence_once(
    twilio_tenant: TwilioTenant,
) -> None:
    sid = call_sid()
    for value, sequence in [("ringing", 1), ("ringing", 1), ("in-progress", 2), ("ringing", 1)]:
        response = await post_without_token(
            twilio_tenant, CALL_STATUS, call_params(twilio_tenant, sid, value, sequence)
        )
        assert response.status_code == 200

    call = await Call.get(sid=sid)
    assert (call.status, call.last_sequence) == ("in-progress", 2)
    assert [(e["status"], e["sequence"]) for e in call.status_history] == [
        ("ringing", 1),
        ("in-progress", 2),
    ]
