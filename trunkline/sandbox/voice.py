"""Calls: placing them through the API, receiving them through the control API, hanging up.

An outbound call reports ``initiated -> ringing -> in-progress -> completed`` (or ends ``busy``,
``no-answer`` or ``failed`` for the outcome numbers in :mod:`trunkline.sandbox.magic`), one clock
step each, posting the status callback events the request asked for (``completed`` by default).
Once answered it runs the TwiML of ``Twiml`` or ``Url`` (see :mod:`trunkline.sandbox.callflow`).
An inbound call fetches the number's ``VoiceUrl``, runs that TwiML, and reports ``completed`` to
the number's ``StatusCallback``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from trunkline.sandbox import magic, sids
from trunkline.sandbox.callflow import CallFlow
from trunkline.sandbox.calls import (
    CALL_EVENTS,
    CallSession,
    announce,
    fetch_twiml,
    finish,
    set_status,
    wrap_up,
)
from trunkline.sandbox.errors import bad_request
from trunkline.sandbox.forms import Form, e164
from trunkline.sandbox.records import CALL_FINAL_STATUSES, Account, Call, PhoneNumber

if TYPE_CHECKING:
    from trunkline.sandbox.runtime import Sandbox

_APPLICATION_SID = re.compile(r"^AP[0-9a-fA-F]{32}$")
_ADDRESS_SCHEMES = ("client:", "sip:")
MAX_RING_SECONDS = 600

__all__ = ["CallSession", "end_interrupted_calls", "hang_up", "place_call", "receive_call"]


def place_call(sandbox: Sandbox, account: Account, form: Form) -> Call:
    """Validate a ``POST Calls.json`` as Twilio does, store the call and start it."""
    to, caller = form.text("To"), form.text("From")
    if to is None:
        raise bad_request(21201, "No 'To' number is specified")
    if caller is None:
        raise bad_request(21213, "No 'From' number is specified")
    url, document, application = form.text("Url"), form.text("Twiml"), form.text("ApplicationSid")
    if url is None and document is None and application is None:
        raise bad_request(21205, "Url parameter is required. Please provide a Url or Twiml.")
    if application is not None and not _APPLICATION_SID.match(application):
        raise bad_request(21218, f"Invalid ApplicationSid {application}")
    for rejection in (magic.CALL_TO_REJECTIONS.get(to), magic.CALL_FROM_REJECTIONS.get(caller)):
        if rejection is not None:
            raise bad_request(rejection.code, rejection.message)
    destination = to if to.startswith(_ADDRESS_SCHEMES) else e164(to)
    if destination is None:
        raise bad_request(21217, "Phone number does not appear to be valid")
    source = e164(caller)
    if source is None:
        raise bad_request(21212, f"The source phone number provided, {caller}, is not valid.")
    owned = sandbox.store.number_owned_by(account.sid, source)
    if owned is None and source != magic.UNIVERSAL_SENDER:
        raise bad_request(
            21210,
            f"The source phone number provided, {caller}, is not yet verified for your account.",
        )
    events = [event for event in form.values("StatusCallbackEvent") if event in CALL_EVENTS]
    now = sandbox.clock.now()
    call = Call(
        sid=sids.new_sid(sids.CALL),
        account_sid=account.sid,
        from_=source,
        to=destination,
        status="queued",
        direction="outbound-api",
        date_created=now,
        date_updated=now,
        phone_number_sid=owned.sid if owned else None,
        url=url,
        method=form.method("Method"),
        twiml=document,
        application_sid=application,
        status_callback=form.text("StatusCallback"),
        status_callback_method=form.method("StatusCallbackMethod"),
        status_callback_events=events or ["completed"],
        record=bool(form.flag("Record")),
        recording_status_callback=form.text("RecordingStatusCallback"),
        recording_status_callback_method=form.method("RecordingStatusCallbackMethod"),
        timeout=_ring_timeout(form),
    )
    sandbox.store.calls[call.sid] = call
    sandbox.store.save()
    _start(sandbox, call, _run_outbound)
    return call


def receive_call(sandbox: Sandbox, number: PhoneNumber, *, caller: str) -> Call:
    """A call from ``caller`` arrives at ``number``: ring the application's ``VoiceUrl``."""
    now = sandbox.clock.now()
    call = Call(
        sid=sids.new_sid(sids.CALL),
        account_sid=number.account_sid,
        from_=caller,
        to=number.phone_number,
        status="ringing",
        direction="inbound",
        date_created=now,
        date_updated=now,
        phone_number_sid=number.sid,
        url=number.voice_url,
        method=number.voice_method,
        status_callback=number.status_callback,
        status_callback_method=number.status_callback_method,
        status_callback_events=["completed"],
    )
    sandbox.store.calls[call.sid] = call
    sandbox.store.save()
    _start(sandbox, call, _run_inbound)
    return call


def hang_up(sandbox: Sandbox, call: Call, status: str) -> None:
    """``Status=completed`` ends a call (one not yet answered is ``canceled``); ``Status=canceled``
    cancels one not yet answered and leaves an answered call alone, as on Twilio.
    """
    session = sandbox.live_calls.get(call.sid)
    if session is None or call.status in CALL_FINAL_STATUSES:
        return
    if status == "canceled" and call.status == "in-progress":
        return
    del sandbox.live_calls[call.sid]
    if session.task is not None:
        session.task.cancel()
    finish(sandbox, session, "completed")
    sandbox.spawn(wrap_up(sandbox, session), name=f"hang up {call.sid}")


def end_interrupted_calls(sandbox: Sandbox) -> None:
    """Calls cut by a restart cannot resume mid-TwiML: they end ``failed``."""
    for call in sandbox.store.calls.values():
        if call.status not in CALL_FINAL_STATUSES:
            call.status = "failed"
            call.end_time = call.date_updated = sandbox.clock.now()
    sandbox.store.save()


def _ring_timeout(form: Form) -> int:
    """``Timeout``: how long the callee may ring; Twilio caps it at 600 seconds."""
    timeout = form.integer("Timeout")
    if timeout is None:
        return 60
    if timeout < 1:
        raise bad_request(21218, f"Invalid Timeout {timeout}: must be between 1 and 600")
    return min(timeout, MAX_RING_SECONDS)


CallRunner = Callable[["Sandbox", CallSession], Coroutine[Any, Any, None]]


def _start(sandbox: Sandbox, call: Call, runner: CallRunner) -> None:
    session = CallSession(call.sid, frozenset(call.status_callback_events))
    sandbox.live_calls[call.sid] = session
    session.task = sandbox.spawn(runner(sandbox, session), name=f"call {call.sid}")


async def _run_outbound(sandbox: Sandbox, session: CallSession) -> None:
    call = sandbox.store.calls[session.call_sid]
    await sandbox.clock.step()
    await announce(sandbox, session, "initiated")
    await sandbox.clock.step()
    set_status(sandbox, call, "ringing")
    await announce(sandbox, session, "ringing")
    if call.to == magic.CALL_RINGS_UNTIL_TIMEOUT:
        await sandbox.clock.wait_seconds(call.timeout)  # (cancelled by a hang-up)
    await sandbox.clock.step()
    outcome = magic.CALL_OUTCOMES.get(call.to)
    if outcome is None:
        set_status(sandbox, call, "in-progress")
        await announce(sandbox, session, "answered")
        document = call.twiml
        if document is None and call.url is not None:
            document = await fetch_twiml(sandbox, call, call.url, call.method)
        await CallFlow(sandbox, session).run(document, call.url)
    await _end(sandbox, session, outcome or "completed")


async def _run_inbound(sandbox: Sandbox, session: CallSession) -> None:
    call = sandbox.store.calls[session.call_sid]
    await sandbox.clock.step()
    document = await fetch_twiml(sandbox, call, call.url, call.method) if call.url else None
    if document is None:
        await _end(sandbox, session, "failed")
        return
    set_status(sandbox, call, "in-progress")
    await CallFlow(sandbox, session).run(document, call.url)
    await _end(sandbox, session, "completed")


async def _end(sandbox: Sandbox, session: CallSession, status: str) -> None:
    # Leaving live_calls first makes a concurrent hang-up a no-op from here on.
    sandbox.live_calls.pop(session.call_sid, None)
    finish(sandbox, session, status)
    await wrap_up(sandbox, session)
