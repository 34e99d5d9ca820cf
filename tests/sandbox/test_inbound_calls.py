"""Inbound calls through the control API: VoiceUrl's TwiML followed, status to StatusCallback."""

from __future__ import annotations

import httpx

from tests.sandbox.fixtures import SandboxAccount
from tests.sandbox.receiver import WebhookReceiver

CALLER = "+61491570150"


async def test_an_inbound_call_follows_say_dial_record_and_hangup(
    account: SandboxAccount, receiver: WebhookReceiver, control: httpx.AsyncClient
) -> None:
    number = await account.client.incoming_phone_numbers.create_async(
        area_code="415",
        voice_url=receiver.url("/voice"),
        status_callback=receiver.url("/call-status"),
    )
    receiver.reply(
        "/voice",
        "<Response><Say>Connecting you</Say>"
        "<Dial action='dial-done'><Number>+14155550188</Number></Dial></Response>",
    )
    receiver.reply(
        "/dial-done",
        "<Response><Say>Please leave a message</Say>"
        "<Record recordingStatusCallback='recording'/><Hangup/>"
        "<Say>never spoken</Say></Response>",
    )

    response = await control.post("/inbound/call", json={"to": number.phone_number, "from": CALLER})
    voice = await receiver.next("/voice")
    dial_done = await receiver.next("/dial-done")
    recording = await receiver.next("/recording")
    completed = await receiver.next("/call-status")
    call = await account.client.calls(response.json()["sid"]).fetch_async()

    sid = response.json()["sid"]
    assert response.status_code == 202
    assert voice.signed_with(account.auth_token)
    assert voice.fields == {
        "AccountSid": account.sid,
        "ApiVersion": "2010-04-01",
        "CallSid": sid,
        "CallStatus": "ringing",
        "Called": number.phone_number,
        "CalledCity": "",
        "CalledCountry": "US",
        "CalledState": "",
        "CalledZip": "",
        "Caller": CALLER,
        "CallerCity": "",
        "CallerCountry": "AU",
        "CallerState": "",
        "CallerZip": "",
        "Direction": "inbound",
        "From": CALLER,
        "FromCity": "",
        "FromCountry": "AU",
        "FromState": "",
        "FromZip": "",
        "To": number.phone_number,
        "ToCity": "",
        "ToCountry": "US",
        "ToState": "",
        "ToZip": "",
    }
    assert (dial_done.fields["DialCallStatus"], dial_done.fields["CallStatus"]) == (
        "completed",
        "in-progress",
    )
    assert (recording.fields["CallSid"], recording.fields["RecordingSource"]) == (sid, "RecordVerb")
    assert completed.signed_with(account.auth_token)
    # "Connecting you" 1 s + dialled talk 10 s + "Please leave a message" 2 s + recording 5 s.
    assert (completed.fields["CallStatus"], completed.fields["CallDuration"]) == ("completed", "18")
    assert (completed.fields["Direction"], completed.fields["SequenceNumber"]) == ("inbound", "0")
    assert (call.status, call.direction, call.duration) == ("completed", "inbound", "18")
    assert call.phone_number_sid == number.sid


async def test_an_inbound_call_to_a_number_without_voice_url_fails(
    account: SandboxAccount, receiver: WebhookReceiver, control: httpx.AsyncClient
) -> None:
    number = await account.client.incoming_phone_numbers.create_async(
        area_code="206", status_callback=receiver.url("/call-status")
    )

    response = await control.post("/inbound/call", json={"to": number.phone_number, "from": CALLER})
    completed = await receiver.next("/call-status")

    assert response.status_code == 202
    assert (completed.fields["CallStatus"], completed.fields["CallDuration"]) == ("failed", "0")


async def test_an_inbound_call_whose_voice_url_errors_fails(
    account: SandboxAccount, receiver: WebhookReceiver, control: httpx.AsyncClient
) -> None:
    number = await account.client.incoming_phone_numbers.create_async(
        area_code="512",
        voice_url=receiver.url("/broken"),
        status_callback=receiver.url("/call-status"),
        status_callback_method="GET",
    )
    receiver.reply("/broken", "oops", status=500, content_type="text/plain")

    await control.post("/inbound/call", json={"to": number.phone_number, "from": CALLER})
    await receiver.next("/broken")
    completed = await receiver.next("/call-status")

    assert completed.method == "GET"
    assert completed.fields["CallStatus"] == "failed"


async def test_an_inbound_call_from_something_not_a_phone_number_is_refused(
    account: SandboxAccount, control: httpx.AsyncClient
) -> None:
    number = await account.client.incoming_phone_numbers.create_async(area_code="312")

    response = await control.post(
        "/inbound/call", json={"to": number.phone_number, "from": "not-a-number"}
    )

    assert response.status_code == 422
    assert response.json() == {"detail": "not-a-number is not a phone number"}
