"""The voice routes' exact answers to signed deliveries: TwiML per number mode and per kind of
call, the action route (who answered, then voicemail or goodbye), the fallback route, retries."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from tests.webhooks.fixtures import TwilioTenant
from trunkline.models import ActivityEvent, Call, PhoneNumber, VoiceMode
from trunkline.services.call_routing import (
    CALL_NOT_CONNECTED,
    DEFAULT_GREETING,
    NOBODY_AVAILABLE,
    NUMBER_NOT_IN_SERVICE,
    RECORDED,
    REFUSAL_SPEECH,
    Refusal,
)
from trunkline.services.voice_identity import client_address, identity_of
from trunkline.webhooks.voice import FALLBACK_SPEECH

VOICE = "/webhooks/twilio/voice"
ACTION = "/webhooks/twilio/voice-action"
FALLBACK = "/webhooks/twilio/voice-fallback"
CALLER = "+14155550199"
OWNER = "auth0|amy"
RETRY = "#rc=3&amp;rp=ct,rt,5xx"
HEAD = '<?xml version="1.0" encoding="UTF-8"?>'


def call_sid() -> str:
    return "CA" + uuid.uuid4().hex


def ringing(tenant: TwilioTenant, sid: str, **extra: str) -> list[tuple[str, str]]:
    params = {
        "AccountSid": tenant.account_sid,
        "CallSid": sid,
        "CallStatus": "ringing",
        "Direction": "inbound",
        "From": CALLER,
        "To": tenant.number.phone_number,
        **extra,
    }
    return list(params.items())


def action_url(tenant: TwilioTenant, **query: str) -> str:
    return f"{tenant.gateway}{ACTION}?{urlencode(query).replace('&', '&amp;')}{RETRY}"


def goodbye(message: str) -> str:
    return f"{HEAD}<Response><Say>{message}</Say><Hangup /></Response>"


def voicemail(tenant: TwilioTenant, greeting: str) -> str:
    return (
        f"{HEAD}<Response><Say>{greeting}</Say>"
        f'<Record action="{action_url(tenant, step="recorded")}"'
        ' maxLength="120" method="POST" playBeep="true" recordingStatusCallback='
        f'"{tenant.gateway}/webhooks/twilio/recording-status{RETRY}"'
        ' recordingStatusCallbackMethod="POST" /></Response>'
    )


async def set_number(tenant: TwilioTenant, **columns: object) -> None:
    await PhoneNumber.filter(id=tenant.number.id).update(**columns)


async def test_a_call_to_an_owned_number_rings_the_owners_client(
    twilio_tenant: TwilioTenant,
) -> None:
    await set_number(twilio_tenant, owner_id=OWNER, voice_ring_seconds=12)
    target = client_address(identity_of(OWNER))

    response = await twilio_tenant.post(VOICE, ringing(twilio_tenant, call_sid()))

    action = action_url(twilio_tenant, step="dial", answeredBy=target)
    assert response.text == (
        f'{HEAD}<Response><Dial action="{action}" method="POST" timeout="12">'
        f"<Client>{identity_of(OWNER)}</Client></Dial></Response>"
    )


async def test_a_forwarding_number_dials_its_forward_number(twilio_tenant: TwilioTenant) -> None:
    await set_number(twilio_tenant, voice_mode=VoiceMode.FORWARD, voice_forward_to="+14155550188")

    response = await twilio_tenant.post(VOICE, ringing(twilio_tenant, call_sid()))

    action = action_url(twilio_tenant, step="dial", answeredBy="+14155550188")
    assert response.text == (
        f'{HEAD}<Response><Dial action="{action}" method="POST" timeout="20">'
        "<Number>+14155550188</Number></Dial></Response>"
    )


async def test_voicemail_and_reject_modes_answer_their_twiml(twilio_tenant: TwilioTenant) -> None:
    await set_number(twilio_tenant, voice_mode=VoiceMode.VOICEMAIL, voice_greeting="Hi & bye")
    recorded = await twilio_tenant.post(VOICE, ringing(twilio_tenant, call_sid()))
    await set_number(twilio_tenant, voice_mode=VoiceMode.REJECT)
    rejected = await twilio_tenant.post(VOICE, ringing(twilio_tenant, call_sid()))

    assert recorded.text == voicemail(twilio_tenant, "Hi &amp; bye")
    assert rejected.text == f'{HEAD}<Response><Reject reason="busy" /></Response>'


async def test_an_unowned_number_without_voicemail_says_nobody_is_available(
    twilio_tenant: TwilioTenant,
) -> None:
    await set_number(twilio_tenant, voice_voicemail=False)

    response = await twilio_tenant.post(VOICE, ringing(twilio_tenant, call_sid()))

    assert response.text == goodbye(NOBODY_AVAILABLE)


async def test_an_inactive_number_declines_politely_whatever_its_mode(
    twilio_tenant: TwilioTenant,
) -> None:
    await set_number(twilio_tenant, status="inactive", voice_mode=VoiceMode.REJECT)
    sid = call_sid()

    response = await twilio_tenant.post(VOICE, ringing(twilio_tenant, sid))

    assert response.text == goodbye(NUMBER_NOT_IN_SERVICE)
    assert (await Call.get(sid=sid)).status == "ringing"  # stored all the same


async def test_a_retried_delivery_gets_the_same_answer_and_stores_one_call(
    twilio_tenant: TwilioTenant,
) -> None:
    await set_number(twilio_tenant, owner_id=OWNER)
    sid = call_sid()
    token = str(uuid.uuid4())

    first = await twilio_tenant.post(VOICE, ringing(twilio_tenant, sid), idempotency_token=token)
    again = await twilio_tenant.post(VOICE, ringing(twilio_tenant, sid), idempotency_token=token)

    assert (first.status_code, again.status_code) == (200, 200)
    assert first.text == again.text
    assert await Call.filter(sid=sid).count() == 1
    assert await ActivityEvent.filter(tenant_id=twilio_tenant.tenant_id).count() == 1


async def test_an_answered_dial_records_who_answered_once(twilio_tenant: TwilioTenant) -> None:
    await set_number(twilio_tenant, owner_id=OWNER)
    sid = call_sid()
    await twilio_tenant.post(VOICE, ringing(twilio_tenant, sid))
    target = client_address(identity_of(OWNER))
    path = f"{ACTION}?{urlencode({'step': 'dial', 'answeredBy': target})}"
    result = [*ringing(twilio_tenant, sid), ("DialCallStatus", "completed")]
    token = str(uuid.uuid4())

    first = await twilio_tenant.post(path, result, idempotency_token=token)
    again = await twilio_tenant.post(path, result, idempotency_token=token)

    assert first.text == again.text == f"{HEAD}<Response><Hangup /></Response>"
    assert (await Call.get(sid=sid)).answered_by == target
    kinds = await ActivityEvent.filter(tenant_id=twilio_tenant.tenant_id).values_list(
        "kind", flat=True
    )
    assert sorted(kinds) == ["CALL_RECEIVED", "CALL_STATUS"]


async def test_an_unanswered_dial_falls_to_voicemail_or_says_goodbye(
    twilio_tenant: TwilioTenant,
) -> None:
    await set_number(twilio_tenant, owner_id=OWNER, voice_greeting="Leave one")
    sid = call_sid()
    path = f"{ACTION}?{urlencode({'step': 'dial', 'answeredBy': '+14155550188'})}"

    missed = await twilio_tenant.post(
        path, [*ringing(twilio_tenant, sid), ("DialCallStatus", "no-answer")]
    )
    await set_number(twilio_tenant, voice_voicemail=False)
    busy = await twilio_tenant.post(
        path, [*ringing(twilio_tenant, sid), ("DialCallStatus", "busy")]
    )
    recorded = await twilio_tenant.post(
        f"{ACTION}?step=recorded", [*ringing(twilio_tenant, sid), ("RecordingSid", "RE" + "a" * 32)]
    )

    assert missed.text == voicemail(twilio_tenant, "Leave one")
    assert busy.text == goodbye(NOBODY_AVAILABLE)
    assert recorded.text == goodbye(RECORDED)
    assert await Call.filter(sid=sid).count() == 0  # nothing stored by the action route


async def test_an_action_whose_query_was_not_signed_is_refused(
    twilio_tenant: TwilioTenant,
) -> None:
    sid = call_sid()
    await twilio_tenant.post(VOICE, ringing(twilio_tenant, sid))
    params = [*ringing(twilio_tenant, sid), ("DialCallStatus", "completed")]
    headers = twilio_tenant.signed_headers(f"{ACTION}?step=dial&answeredBy=%2B1", params)

    forged = await twilio_tenant.http.post(
        f"{ACTION}?step=dial&answeredBy=%2B15005550006",
        content=urlencode(params),
        headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
    )

    assert forged.status_code == 403
    assert (await Call.get(sid=sid)).answered_by is None


async def test_the_fallback_route_answers_a_sorry_and_stores_nothing(
    twilio_tenant: TwilioTenant,
) -> None:
    sid = call_sid()

    response = await twilio_tenant.post(
        FALLBACK, [*ringing(twilio_tenant, sid), ("ErrorCode", "11200")]
    )
    unsigned = await twilio_tenant.http.post(FALLBACK, data=dict(ringing(twilio_tenant, sid)))

    assert (response.status_code, response.text) == (200, goodbye(FALLBACK_SPEECH))
    assert response.headers["content-type"].startswith("text/xml")
    assert unsigned.status_code == 403
    assert await Call.filter(sid=sid).count() == 0


async def test_a_placed_call_without_a_bridge_is_hung_up_politely(
    twilio_tenant: TwilioTenant,
) -> None:
    sid = call_sid()
    params = [
        ("AccountSid", twilio_tenant.account_sid),
        ("CallSid", sid),
        ("CallStatus", "in-progress"),
        ("Direction", "outbound-api"),
        ("From", twilio_tenant.number.phone_number),
        ("To", "+14155550188"),
    ]

    response = await twilio_tenant.post(VOICE, params)

    assert response.text == goodbye(CALL_NOT_CONNECTED)
    call = await Call.get(sid=sid)
    assert (call.direction, call.status, call.number_id) == (  # type: ignore[attr-defined]
        "outbound",
        "in-progress",
        twilio_tenant.number.id,
    )


async def test_a_placed_call_answered_before_its_row_is_written_is_bridged_from_its_signed_url(
    twilio_tenant: TwilioTenant,
) -> None:
    # placeCall writes where to bridge into the voice URL it gives Twilio; the row may come
    # later (a backlog in the writer longer than the ring).
    sid = call_sid()
    identity = identity_of("auth0|amy")
    params = [
        ("AccountSid", twilio_tenant.account_sid),
        ("CallSid", sid),
        ("CallStatus", "in-progress"),
        ("Direction", "outbound-api"),
        ("From", twilio_tenant.number.phone_number),
        ("To", "+14155550188"),
    ]
    path = f"{VOICE}?{urlencode({'bridge': client_address(identity)})}"
    elsewhere = f"{VOICE}?{urlencode({'bridge': '+14155550199'})}"

    response = await twilio_tenant.post(path, params)
    forged = await twilio_tenant.http.post(
        elsewhere,
        content=urlencode(params),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            **twilio_tenant.signed_headers(path, params),
        },
    )

    assert response.status_code == 200
    assert f"<Client>{identity}</Client>" in response.text
    assert f'callerId="{twilio_tenant.number.phone_number}"' in response.text
    assert forged.status_code == 403  # the bridge is covered by Twilio's signature
    assert await Call.filter(sid=sid).count() == 1


async def test_a_browser_call_from_a_number_the_tenant_does_not_hold_is_refused(
    twilio_tenant: TwilioTenant,
) -> None:
    sid = call_sid()
    params = [
        ("AccountSid", twilio_tenant.account_sid),
        ("CallSid", sid),
        ("CallStatus", "ringing"),
        ("Direction", "inbound"),
        ("From", "client:" + identity_of(OWNER)),
        ("To", "+14155550188"),
        ("CallerId", "+14155550100"),
    ]

    response = await twilio_tenant.post(VOICE, params)

    assert response.text == goodbye(REFUSAL_SPEECH[Refusal.UNAUTHORIZED])
    call = await Call.get(sid=sid)
    assert (call.status, call.refusal, call.from_address, call.number_id) == (  # type: ignore[attr-defined]
        "failed",
        "UNAUTHORIZED",
        "+14155550100",
        None,
    )


async def test_defaults_greet_with_the_default_greeting(twilio_tenant: TwilioTenant) -> None:
    response = await twilio_tenant.post(VOICE, ringing(twilio_tenant, call_sid()))

    assert response.text == voicemail(twilio_tenant, DEFAULT_GREETING)
