"""Browser clients at the sandbox: <Dial><Client> rings them (unless marked unavailable), they
dial out through a TwiML App (control API client-call); <Reject>; the voice fallback URL."""

from __future__ import annotations

import uuid

import httpx

from tests.sandbox.fixtures import SandboxAccount
from tests.sandbox.receiver import WebhookReceiver

CALLER = "+61491570150"
APPLICATION = "AP" + "0" * 32


def identity() -> str:
    return f"user_{uuid.uuid4().hex[:8]}"


async def test_a_dialled_client_answers_after_a_short_ring(
    account: SandboxAccount, receiver: WebhookReceiver, control: httpx.AsyncClient
) -> None:
    number = await account.client.incoming_phone_numbers.create_async(
        area_code="415", voice_url=receiver.url("/voice")
    )
    amy = identity()
    receiver.reply(
        "/voice",
        f"<Response><Dial timeout='7' action='dialled'><Client>{amy}</Client></Dial></Response>",
    )
    receiver.reply("/dialled", "<Response><Hangup/></Response>")

    await control.post("/inbound/call", json={"to": number.phone_number, "from": CALLER})
    dialled = await receiver.next("/dialled")

    assert dialled.fields["DialCallStatus"] == "completed"
    assert dialled.fields["DialBridged"] == "true"
    leg = await account.client.calls(dialled.fields["DialCallSid"]).fetch_async()
    assert (leg.to, leg.direction, leg.status) == (f"client:{amy}", "outbound-dial", "completed")


async def test_a_client_marked_unavailable_rings_out_until_it_is_available_again(
    account: SandboxAccount, receiver: WebhookReceiver, control: httpx.AsyncClient
) -> None:
    number = await account.client.incoming_phone_numbers.create_async(
        area_code="212", voice_url=receiver.url("/voice")
    )
    amy = identity()
    receiver.reply(
        "/voice",
        f"<Response><Dial timeout='7' action='dialled'><Client>{amy}</Client></Dial></Response>",
        times=2,
    )

    away = await control.post(f"/clients/{amy}", json={"available": False})
    await control.post("/inbound/call", json={"to": number.phone_number, "from": CALLER})
    missed = await receiver.next("/dialled")
    back = await control.post(f"/clients/{amy}", json={"available": True})
    await control.post("/inbound/call", json={"to": number.phone_number, "from": CALLER})
    taken = await receiver.next("/dialled")

    assert (away.status_code, away.json()) == (200, {"available": False})
    assert (back.status_code, back.json()) == (200, {"available": True})
    assert (missed.fields["DialCallStatus"], missed.fields["DialBridged"]) == ("no-answer", "false")
    assert taken.fields["DialCallStatus"] == "completed"


async def test_reject_ends_the_call_unanswered_and_unbilled(
    account: SandboxAccount, receiver: WebhookReceiver, control: httpx.AsyncClient
) -> None:
    number = await account.client.incoming_phone_numbers.create_async(
        area_code="312", voice_url=receiver.url("/voice"), status_callback=receiver.url("/status")
    )
    receiver.reply("/voice", "<Response><Reject reason='busy'/><Say>never</Say></Response>")
    receiver.reply("/voice-2", "<Response><Reject/></Response>")

    await control.post("/inbound/call", json={"to": number.phone_number, "from": CALLER})
    busy = await receiver.next("/status")
    await account.client.incoming_phone_numbers(number.sid).update_async(
        voice_url=receiver.url("/voice-2")
    )
    await control.post("/inbound/call", json={"to": number.phone_number, "from": CALLER})
    rejected = await receiver.next("/status")

    assert (busy.fields["CallStatus"], busy.fields["CallDuration"]) == ("busy", "0")
    assert (busy.fields["Price"], busy.fields["SipResponseCode"]) == ("0.00000", "486")
    assert (rejected.fields["CallStatus"], rejected.fields["CallDuration"]) == ("no-answer", "0")


async def test_the_voice_fallback_url_answers_when_the_voice_url_fails(
    account: SandboxAccount, receiver: WebhookReceiver, control: httpx.AsyncClient
) -> None:
    number = await account.client.incoming_phone_numbers.create_async(
        area_code="512",
        voice_url=receiver.url("/broken"),
        voice_fallback_url=receiver.url("/fallback"),
        status_callback=receiver.url("/status"),
    )
    receiver.reply("/broken", "oops", status=500, content_type="text/plain")
    receiver.reply("/fallback", "<Response><Say>Sorry</Say><Hangup/></Response>")

    await control.post("/inbound/call", json={"to": number.phone_number, "from": CALLER})
    await receiver.next("/broken")
    fallback = await receiver.next("/fallback")
    completed = await receiver.next("/status")

    assert fallback.signed_with(account.auth_token)
    assert (fallback.fields["ErrorCode"], fallback.fields["ErrorUrl"]) == (
        "11200",
        receiver.url("/broken"),
    )
    assert (completed.fields["CallStatus"], completed.fields["CallDuration"]) == ("completed", "1")


async def test_the_voice_fallback_url_answers_when_the_voice_url_answers_no_twiml(
    account: SandboxAccount, receiver: WebhookReceiver, control: httpx.AsyncClient
) -> None:
    number = await account.client.incoming_phone_numbers.create_async(
        area_code="206",
        voice_url=receiver.url("/garbled"),
        voice_fallback_url=receiver.url("/fallback"),
    )
    receiver.reply("/garbled", "<html>not twiml</html>")
    receiver.reply("/fallback", "<Response><Hangup/></Response>")

    await control.post("/inbound/call", json={"to": number.phone_number, "from": CALLER})
    fallback = await receiver.next("/fallback")

    assert fallback.fields["ErrorCode"] == "12100"


async def test_a_browser_client_dials_out_through_its_twiml_app(
    account: SandboxAccount, receiver: WebhookReceiver, control: httpx.AsyncClient
) -> None:
    number = await account.client.incoming_phone_numbers.create_async(area_code="415")
    amy = identity()
    receiver.reply(
        "/app-voice",
        f"<Response><Dial callerId='{number.phone_number}' action='dialled'>"
        "<Number>+14155550188</Number></Dial></Response>",
    )
    receiver.reply("/dialled", "<Response><Hangup/></Response>")
    application = await account.client.applications.create_async(
        friendly_name="Browser calling",
        voice_url=receiver.url("/app-voice"),
        status_callback=receiver.url("/status"),
    )

    response = await control.post(
        "/client-call",
        json={
            "account_sid": account.sid,
            "application_sid": application.sid,
            "identity": amy,
            "to": "+14155550188",
            "caller_id": number.phone_number,
        },
    )
    voice = await receiver.next("/app-voice")
    dialled = await receiver.next("/dialled")
    completed = await receiver.next("/status")

    sid = response.json()["sid"]
    assert response.status_code == 202
    assert voice.signed_with(account.auth_token)
    assert {
        key: voice.fields[key]
        for key in ("CallSid", "From", "To", "Direction", "CallerId", "ApplicationSid")
    } == {
        "CallSid": sid,
        "From": f"client:{amy}",
        "To": "+14155550188",
        "Direction": "inbound",
        "CallerId": number.phone_number,
        "ApplicationSid": application.sid,
    }
    leg = await account.client.calls(dialled.fields["DialCallSid"]).fetch_async()
    assert (leg._from, leg.to, leg.parent_call_sid) == (number.phone_number, "+14155550188", sid)
    assert (completed.fields["CallSid"], completed.fields["CallStatus"]) == (sid, "completed")


async def test_a_client_call_needs_a_known_account_and_one_of_its_twiml_apps_with_a_voice_url(
    control: httpx.AsyncClient, account: SandboxAccount, receiver: WebhookReceiver
) -> None:
    with_url = await account.client.applications.create_async(voice_url=receiver.url("/v"))
    without_url = await account.client.applications.create_async(friendly_name="No voice")
    call = {"identity": "amy", "to": "+14155550188"}

    unknown_account = await control.post(
        "/client-call",
        json={**call, "account_sid": "AC" + "0" * 32, "application_sid": with_url.sid},
    )
    unknown_app = await control.post(
        "/client-call", json={**call, "account_sid": account.sid, "application_sid": APPLICATION}
    )
    no_url = await control.post(
        "/client-call",
        json={**call, "account_sid": account.sid, "application_sid": without_url.sid},
    )
    no_app = await control.post("/client-call", json={**call, "account_sid": account.sid})
    bad_identity = await control.post(
        "/client-call",
        json={
            **call,
            "identity": "a b",
            "account_sid": account.sid,
            "application_sid": with_url.sid,
        },
    )

    assert unknown_account.status_code == 404
    assert unknown_app.status_code == 404
    assert no_url.status_code == 422
    assert no_app.status_code == 422
    assert bad_identity.status_code == 422
