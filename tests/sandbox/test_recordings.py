"""Recordings: of whole calls (Record=true), of <Record> and of <Dial>; fetch, list, delete."""

from __future__ import annotations

import io
import wave

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException

from tests.sandbox.fixtures import SandboxAccount, SandboxServer
from tests.sandbox.receiver import WebhookReceiver
from trunkline.sandbox import Sandbox
from trunkline.twilio import redirect_url

CALLEE = "+14155550177"


async def own_number(account: SandboxAccount) -> str:
    bought = await account.client.incoming_phone_numbers.create_async(area_code="312")
    return bought.phone_number


async def test_record_true_records_the_whole_call_and_posts_its_recording_callback(
    account: SandboxAccount, receiver: WebhookReceiver
) -> None:
    caller = await own_number(account)

    call = await account.client.calls.create_async(
        to=CALLEE,
        from_=caller,
        twiml="<Response><Pause length='8'/></Response>",
        record=True,
        recording_status_callback=receiver.url("/recording"),
        status_callback=receiver.url("/status"),
    )
    completed = await receiver.next("/status")
    callback = await receiver.next("/recording")
    recording = await account.client.recordings(callback.fields["RecordingSid"]).fetch_async()

    assert callback.signed_with(account.auth_token)
    assert callback.fields == {
        "AccountSid": account.sid,
        "CallSid": call.sid,
        "RecordingSid": recording.sid,
        "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{account.sid}"
        f"/Recordings/{recording.sid}",
        "RecordingStatus": "completed",
        "RecordingDuration": "8",
        "RecordingChannels": "1",
        "RecordingStartTime": callback.fields["RecordingStartTime"],
        "RecordingSource": "OutboundAPI",
        "RecordingTrack": "both",
        "ErrorCode": "0",
        "ApiVersion": "2010-04-01",
    }
    assert completed.fields["RecordingSid"] == recording.sid
    assert (recording.call_sid, recording.duration, recording.status) == (
        call.sid,
        "8",
        "completed",
    )
    assert (recording.source, recording.channels, recording.price) == ("OutboundAPI", 1, "-0.00250")
    assert recording.media_url == callback.fields["RecordingUrl"]


async def test_a_record_verb_posts_its_recording_then_asks_its_action_what_next(
    account: SandboxAccount, receiver: WebhookReceiver
) -> None:
    caller = await own_number(account)
    receiver.reply(
        "/voice/start",
        "<Response><Say>Leave a message</Say>"
        "<Record maxLength='3' action='after-record' recordingStatusCallback='rec'/>"
        "<Say>not reached: the action's document replaces this one</Say></Response>",
    )
    receiver.reply("/voice/after-record", "<Response><Say>Thanks</Say></Response>")

    call = await account.client.calls.create_async(
        to=CALLEE,
        from_=caller,
        url=receiver.url("/voice/start"),
        status_callback=receiver.url("/voice/status"),
    )
    recording_callback = await receiver.next("/voice/rec")
    action = await receiver.next("/voice/after-record")
    completed = await receiver.next("/voice/status")

    recording_sid = recording_callback.fields["RecordingSid"]
    assert recording_callback.fields["RecordingSource"] == "RecordVerb"
    assert recording_callback.fields["RecordingDuration"] == "3"  # capped by maxLength
    assert action.signed_with(account.auth_token)
    assert (action.fields["CallSid"], action.fields["RecordingSid"]) == (call.sid, recording_sid)
    assert (action.fields["RecordingDuration"], action.fields["Digits"]) == ("3", "hangup")
    # "Leave a message" 2 s + recording 3 s + "Thanks" 1 s.
    assert completed.fields["CallDuration"] == "6"


async def test_a_dial_bridges_a_child_call_records_it_and_reports_to_its_action(
    account: SandboxAccount, receiver: WebhookReceiver
) -> None:
    caller = await own_number(account)
    receiver.reply(
        "/dial/start",
        "<Response><Dial action='done' record='record-from-answer-dual' "
        "recordingStatusCallback='rec' callerId='+15005550006'>"
        "<Number>+14155550188</Number></Dial></Response>",
    )

    call = await account.client.calls.create_async(
        to=CALLEE, from_=caller, url=receiver.url("/dial/start")
    )
    recording_callback = await receiver.next("/dial/rec")
    action = await receiver.next("/dial/done")
    legs = await account.client.calls.list_async(parent_call_sid=call.sid)

    assert [(leg.to, leg._from, leg.direction, leg.status, leg.duration) for leg in legs] == [
        ("+14155550188", "+15005550006", "outbound-dial", "completed", "10")
    ]
    assert (action.fields["DialCallStatus"], action.fields["DialCallSid"]) == (
        "completed",
        legs[0].sid,
    )
    assert (action.fields["DialCallDuration"], action.fields["DialBridged"]) == ("10", "true")
    assert action.fields["RecordingSid"] == recording_callback.fields["RecordingSid"]
    assert recording_callback.fields["RecordingSource"] == "DialVerb"
    assert recording_callback.fields["RecordingChannels"] == "2"
    assert recording_callback.fields["RecordingDuration"] == "10"


async def test_a_dial_to_a_busy_number_reports_busy_and_records_nothing(
    account: SandboxAccount, receiver: WebhookReceiver
) -> None:
    caller = await own_number(account)
    receiver.reply(
        "/dial/start",
        "<Response><Dial action='done' record='record-from-answer'>+15005550011</Dial></Response>",
    )

    call = await account.client.calls.create_async(
        to=CALLEE, from_=caller, url=receiver.url("/dial/start")
    )
    action = await receiver.next("/dial/done")
    recordings = await account.client.recordings.list_async(call_sid=call.sid)

    assert (action.fields["DialCallStatus"], action.fields["DialBridged"]) == ("busy", "false")
    assert "RecordingSid" not in action.fields
    assert recordings == []


async def test_recordings_can_be_listed_fetched_downloaded_and_deleted(
    account: SandboxAccount, receiver: WebhookReceiver, sandbox_server: SandboxServer
) -> None:
    caller = await own_number(account)
    call = await account.client.calls.create_async(
        to=CALLEE,
        from_=caller,
        twiml="<Response><Pause length='2'/></Response>",
        record=True,
        recording_status_callback=receiver.url("/rec"),
    )
    sid = (await receiver.next("/rec")).fields["RecordingSid"]

    of_call = await account.client.calls(call.sid).recordings.list_async()
    of_account = await account.client.recordings.list_async(call_sid=call.sid)
    fetched = await account.client.recordings(sid).fetch_async()
    audio_url = redirect_url(fetched.media_url, f"{sandbox_server.url}/twilio")
    async with httpx.AsyncClient() as http:
        # The gateway reaches media the way it reaches the API: through its API base, and with
        # the account's credentials (media HTTP auth enforced, as for message media).
        audio = await http.get(audio_url, auth=(account.sid, account.auth_token))
        anonymous = await http.get(audio_url)
        wrong_token = await http.get(audio_url, auth=(account.sid, "0" * 32))
    deleted = await account.client.recordings(sid).delete_async()

    assert [r.sid for r in of_call] == [r.sid for r in of_account] == [sid]
    assert audio.status_code == 200
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, 20003)
    assert (wrong_token.status_code, wrong_token.json()["code"]) == (401, 20003)
    assert audio.headers["content-type"] == "audio/x-wav"
    with wave.open(io.BytesIO(audio.content)) as wav:
        assert wav.getnframes() / wav.getframerate() == 2.0
    assert deleted is True
    with pytest.raises(TwilioRestException) as raised:
        await account.client.recordings(sid).fetch_async()
    assert (raised.value.status, raised.value.code) == (404, 20404)


def test_with_a_public_url_recording_media_points_at_the_sandbox() -> None:
    sandbox = Sandbox(step_seconds=0, public_url="http://127.0.0.1:8000/sandbox/")

    assert sandbox.media_base == "http://127.0.0.1:8000/sandbox/twilio/api"
