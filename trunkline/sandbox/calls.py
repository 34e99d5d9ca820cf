"""Call state and the webhooks about it: shared by the outbound, inbound and TwiML flows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trunkline.sandbox import magic
from trunkline.sandbox.forms import country_of
from trunkline.sandbox.recordings import announce_recording, create_recording
from trunkline.sandbox.records import CALL_FINAL_STATUSES, Call
from trunkline.sandbox.sessions import CallSession
from trunkline.sandbox.webhooks import Params
from trunkline.sandbox.wire import API_VERSION, rfc2822

if TYPE_CHECKING:
    from trunkline.sandbox.runtime import Sandbox

PRICE_PER_MINUTE = 0.014
CALL_EVENTS = ("initiated", "ringing", "answered", "completed")
# The status each progress event reports in its callback's CallStatus.
EVENT_STATUS = {"initiated": "initiated", "ringing": "ringing", "answered": "in-progress"}


def call_params(call: Call) -> list[tuple[str, str]]:
    """The fields Twilio sends about a call in every voice webhook."""
    from_country = country_of(call.from_)
    to_country = country_of(call.to)
    params = [
        ("AccountSid", call.account_sid),
        ("ApiVersion", API_VERSION),
        ("CallSid", call.sid),
        ("CallStatus", call.status),
        ("Called", call.to),
        ("CalledCity", ""),
        ("CalledCountry", to_country),
        ("CalledState", ""),
        ("CalledZip", ""),
        ("Caller", call.from_),
        ("CallerCity", ""),
        ("CallerCountry", from_country),
        ("CallerState", ""),
        ("CallerZip", ""),
        ("Direction", call.direction),
        ("From", call.from_),
        ("FromCity", ""),
        ("FromCountry", from_country),
        ("FromState", ""),
        ("FromZip", ""),
        ("To", call.to),
        ("ToCity", ""),
        ("ToCountry", to_country),
        ("ToState", ""),
        ("ToZip", ""),
    ]
    if call.parent_call_sid:
        params.append(("ParentCallSid", call.parent_call_sid))
    return params


async def announce(sandbox: Sandbox, session: CallSession, event: str) -> None:
    """Post the call's status callback for ``event`` if the call asked for it."""
    call = sandbox.store.calls[session.call_sid]
    if not call.status_callback or event not in session.events:
        return
    status = EVENT_STATUS.get(event, call.status)
    params = [(k, status if k == "CallStatus" else v) for k, v in call_params(call)]
    params += [
        ("Timestamp", rfc2822(sandbox.clock.now()) or ""),
        ("CallbackSource", "call-progress-events"),
        ("SequenceNumber", str(session.sequence)),
    ]
    session.sequence += 1
    if event == "completed":
        duration = call.duration or 0
        params += [
            ("CallDuration", str(duration)),
            ("Duration", str(-(-duration // 60))),
            ("SipResponseCode", str(magic.SIP_RESPONSE_CODES[call.status])),
            ("Price", call.price or ""),
            ("PriceUnit", call.price_unit),
        ]
        for recording in session.recordings[:1]:
            params += [
                ("RecordingSid", recording.sid),
                ("RecordingDuration", str(recording.duration)),
            ]
    account = sandbox.store.accounts[call.account_sid]
    await sandbox.webhooks.send(
        call.status_callback,
        params,
        auth_token=account.auth_token,
        method=call.status_callback_method,
    )


def set_status(sandbox: Sandbox, call: Call, status: str) -> None:
    call.status = status
    call.date_updated = sandbox.clock.now()
    if status == "in-progress":
        call.start_time = call.date_updated
    sandbox.store.save()


def finish(sandbox: Sandbox, session: CallSession, status: str) -> None:
    """End the call: final status, end time, duration, price; end its dialled legs too."""
    call = sandbox.store.calls[session.call_sid]
    answered = call.status == "in-progress"
    final = status if answered or status != "completed" else "canceled"
    call.duration = max(session.elapsed, 1) if answered else 0
    call.end_time = sandbox.clock.now()
    minutes = -(-call.duration // 60)
    call.price = f"-{PRICE_PER_MINUTE * minutes:.5f}" if answered else "0.00000"
    for leg in sandbox.store.calls.values():
        if leg.parent_call_sid == call.sid and leg.status not in CALL_FINAL_STATUSES:
            leg.status, leg.end_time = "completed", call.end_time
    set_status(sandbox, call, final)
    if call.record and answered:
        session.recordings.insert(
            0, create_recording(sandbox, call, duration=call.duration, source="OutboundAPI")
        )


async def wrap_up(sandbox: Sandbox, session: CallSession) -> None:
    """After the call ended: its ``completed`` callback, then the API-requested recording's."""
    await announce(sandbox, session, "completed")
    call = sandbox.store.calls[session.call_sid]
    for recording in session.recordings:
        if recording.source == "OutboundAPI":
            await announce_recording(
                sandbox,
                recording,
                call.recording_status_callback,
                call.recording_status_callback_method,
            )


async def fetch_twiml(
    sandbox: Sandbox, call: Call, url: str, method: str, extra: Params = ()
) -> str | None:
    """Request TwiML for ``call`` from the application; None when it does not answer 2xx."""
    account = sandbox.store.accounts[call.account_sid]
    reply = await sandbox.webhooks.send(
        url, [*call_params(call), *extra], auth_token=account.auth_token, method=method
    )
    return reply.text if reply is not None and reply.ok else None
