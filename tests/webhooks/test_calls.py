"""Voice webhooks: the inbound ring (answered with TwiML), call status, recordings."""

from __future__ import annotations

import random
import uuid

from tests.webhooks.fixtures import TwilioTenant
from trunkline.models import ActivityEvent, Call, Recording
from trunkline.services.call_routing import DEFAULT_GREETING

VOICE = "/webhooks/twilio/voice"
CALL_STATUS = "/webhooks/twilio/call-status"
RECORDING_STATUS = "/webhooks/twilio/recording-status"
CONVERSATIONS = "/webhooks/twilio/conversations"
CALLER = "+14155550199"


def call_sid() -> str:
    return "CA" + uuid.uuid4().hex


def call_params(
    tenant: TwilioTenant, sid: str, status: str, sequence: int | None = None, **extra: str
) -> list[tuple[str, str]]:
    params = {
        "AccountSid": tenant.account_sid,
        "CallSid": sid,
        "CallStatus": status,
        "Direction": "inbound",
        "From": CALLER,
        "To": tenant.number.phone_number,
        **extra,
    }
    if sequence is not None:
        params["SequenceNumber"] = str(sequence)
    return list(params.items())


async def test_inbound_call_to_a_number_nobody_owns_goes_to_voicemail_and_is_recorded(
    twilio_tenant: TwilioTenant,
) -> None:
    sid = call_sid()

    response = await twilio_tenant.post(VOICE, call_params(twilio_tenant, sid, "ringing"))

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    assert f"<Say>{DEFAULT_GREETING}</Say><Record " in response.text
    assert response.text.endswith("/></Response>")
    call = await Call.get(sid=sid)
    assert (call.direction, call.status, call.from_address) == ("inbound", "ringing", CALLER)
    assert call.number_id == twilio_tenant.number.id  # type: ignore[attr-defined]
    kinds = await ActivityEvent.filter(tenant_id=twilio_tenant.tenant_id).values_list(
        "kind", flat=True
    )
    assert kinds == ["CALL_RECEIVED"]


async def test_call_statuses_follow_sequence_number_not_arrival(
    twilio_tenant: TwilioTenant,
) -> None:
    sid = call_sid()
    callbacks = [("initiated", 0), ("ringing", 1), ("in-progress", 2), ("completed", 3)]
    shuffled = random.Random(7).sample(callbacks, k=len(callbacks))

    for status, sequence in shuffled:
        response = await twilio_tenant.post(
            CALL_STATUS,
            call_params(twilio_tenant, sid, status, sequence, CallDuration="42"),
        )
        assert response.status_code == 200

    call = await Call.get(sid=sid)
    assert (call.status, call.last_sequence, call.duration) == ("completed", 3, 42)
    assert sorted(entry["sequence"] for entry in call.status_history) == [0, 1, 2, 3]


async def test_late_ringing_does_not_reopen_a_completed_call(twilio_tenant: TwilioTenant) -> None:
    sid = call_sid()
    await twilio_tenant.post(CALL_STATUS, call_params(twilio_tenant, sid, "completed"))

    response = await twilio_tenant.post(CALL_STATUS, call_params(twilio_tenant, sid, "ringing"))

    assert response.status_code == 200
    assert (await Call.get(sid=sid)).status == "completed"


async def test_recording_completed_is_announced_as_recording_ready(
    twilio_tenant: TwilioTenant,
) -> None:
    sid = call_sid()
    await twilio_tenant.post(VOICE, call_params(twilio_tenant, sid, "ringing"))
    recording_sid = "RE" + uuid.uuid4().hex
    params = [
        ("AccountSid", twilio_tenant.account_sid),
        ("CallSid", sid),
        ("RecordingSid", recording_sid),
        ("RecordingStatus", "completed"),
        ("RecordingDuration", "12"),
        ("RecordingUrl", "https://media.example/recording"),
    ]

    response = await twilio_tenant.post(RECORDING_STATUS, params)

    assert response.status_code == 200
    recording = await Recording.get(sid=recording_sid)
    call = await Call.get(sid=sid)
    assert (recording.call_id, recording.status, recording.duration) == (  # type: ignore[attr-defined]
        call.id,
        "completed",
        12,
    )
    events = await ActivityEvent.filter(tenant_id=twilio_tenant.tenant_id).order_by("seq")
    assert [(e.kind, e.number_id) for e in events] == [
        ("CALL_RECEIVED", twilio_tenant.number.id),
        ("RECORDING_READY", twilio_tenant.number.id),
    ]


async def test_conversations_event_is_logged_as_activity(twilio_tenant: TwilioTenant) -> None:
    params = [
        ("AccountSid", twilio_tenant.account_sid),
        ("EventType", "onMessageAdded"),
        ("ConversationSid", "CH" + "a" * 32),
        ("MessageSid", "IM" + "b" * 32),
        ("Author", "alice"),
        ("Body", "hi there"),
    ]

    response = await twilio_tenant.post(CONVERSATIONS, params)

    assert response.status_code == 200
    event = await ActivityEvent.get(tenant_id=twilio_tenant.tenant_id)
    assert (event.kind, event.payload["EventType"], event.payload["Body"]) == (
        "CONVERSATION_EVENT",
        "onMessageAdded",
        "hi there",
    )


async def test_json_webhook_is_verified_with_its_body_hash(twilio_tenant: TwilioTenant) -> None:
    document = {
        "AccountSid": twilio_tenant.account_sid,
        "EventType": "onConversationAdded",
        "ConversationSid": "CH" + "c" * 32,
    }

    accepted = await twilio_tenant.post_json(CONVERSATIONS, document)
    document["EventType"] = "tampered"
    response = await twilio_tenant.http.post(
        str(accepted.request.url.raw_path.decode()),
        json=document,
        headers={"X-Twilio-Signature": accepted.request.headers["X-Twilio-Signature"]},
    )

    assert (accepted.status_code, response.status_code) == (200, 403)
    kinds = await ActivityEvent.filter(tenant_id=twilio_tenant.tenant_id).values_list(
        "kind", flat=True
    )
    assert kinds == ["CONVERSATION_EVENT"]
