"""Calls: placing them through the API, receiving them through the control API, hanging up.

An outbound call reports ``initiated -> ringing -> in-progress -> completed`` (or ends ``busy``,
``no-answer`` or ``failed`` for the outcome numbers in :mod:`trunkline.sandbox.magic`), one clock
step each, posting the status callback events the request asked for (``completed`` by default).
Once answered it runs the TwiML of ``Twiml`` or ``Url`` (see :mod:`trunkline.sandbox.callflow`).
An inbound call fetches the number's ``VoiceUrl`` (its ``VoiceFallbackUrl`` when that answers an
error or no TwiML), runs that TwiML, and reports ``completed`` to the number's ``StatusCallback``;
TwiML opening with ``<Reject>`` ends it unanswered and unbilled. A browser client dialling out
through a TwiML App is an inbound call too, from ``client:<identity>``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any

from trunkline.sandbox import magic, sids, twiml
from trunkline.sandbox.callflow import CallFlow
from trunkline.sandbox.calls import (
    CALL_EVENTS,
    announce,
    fetch_twiml,
    finish,
    set_status,
    wrap_up,
)
from trunkline.sandbox.errors import bad_request
from trunkline.sandbox.forms import Form, e164
from trunkline.sandbox.records import CALL_FINAL_STATUSES, Account, Call, PhoneNumber
from trunkline.sandbox.sessions import CallSession
from trunkline.sandbox.webhooks import Params

if TYPE_CHECKING:
    from trunkline.sandbox.runtime import Sandbox

_APPLICATION_SID = re.compile(r"^AP[0-9a-fA-F]{32}$")
_ADDRESS_SCHEMES = ("client:", "sip:")
MAX_RING_SECONDS = 600

__all__ = [
    "dial_from_client",
    "end_interrupted_calls",
    "hang_up",
    "place_call",
    "receive_call",
]


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


def dial_from_client(
    sandbox: Sandbox,
    account: Account,
    *,
    identity: str,
    to: str,
    parameters: Sequence[tuple[str, str]],
    url: str,
    method: str = "POST",
    application_sid: str | None = None,
    status_callback: str | None = None,
    status_callback_method: str = "POST",
) -> Call:
    """A Voice SDK client ``identity`` dials out through a TwiML App: Twilio asks the app's
    voice URL what to do, with ``From=client:<identity>``, ``Direction=inbound``, the app's
    ``ApplicationSid`` and the client's own ``parameters`` (``To``, ``CallerId`` ...)."""
    now = sandbox.clock.now()
    call = Call(
        sid=sids.new_sid(sids.CALL),
        account_sid=account.sid,
        from_=f"client:{identity}",
        to=to,
        status="ringing",
        direction="inbound",
        date_created=now,
        date_updated=now,
        url=url,
        method=method,
        application_sid=application_sid,
        status_callback=status_callback,
        status_callback_method=status_callback_method,
        status_callback_events=["completed"],
    )
    sandbox.store.calls[call.sid] = call
    sandbox.store.save()
    extra = [("ApplicationSid", application_sid)] if application_sid else []
    extra += [(name, value) for name, value in parameters if name != "To"]
    _start(sandbox, call, functools.partial(_run_inbound, extra=tuple(extra)))
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


async def _run_inbound(sandbox: Sandbox, session: CallSession, *, extra: Params = ()) -> None:
    """A call coming in (from a phone, or a browser client through its app): fetch and follow
    its TwiML; ``extra``: parameters of the voice request beyond the call's own."""
    call = sandbox.store.calls[session.call_sid]
    await sandbox.clock.step()
    answer = await _answering_twiml(sandbox, call, extra)
    if answer is None:
        await _end(sandbox, session, "failed")
        return
    document, url = answer
    refusal = _rejection(document)
    if refusal is not None:
        await _end(sandbox, session, refusal)
        return
    set_status(sandbox, call, "in-progress")
    await CallFlow(sandbox, session).run(document, url)
    await _end(sandbox, session, "completed")


async def _answering_twiml(
    sandbox: Sandbox, call: Call, extra: Params = ()
) -> tuple[str, str] | None:
    """The TwiML that answers an incoming call, and the URL it came from: the ``VoiceUrl``'s,
    else (it answered an error, nothing, or no TwiML) the ``VoiceFallbackUrl``'s, told why as
    Twilio tells it (``ErrorCode`` 11200 for a failed fetch, 12100 for an unparseable document).
    """
    if call.url is None:
        return None
    document = await fetch_twiml(sandbox, call, call.url, call.method, extra)
    if document is not None and twiml.parse_twiml(document) is not None:
        return document, call.url
    fallback = _fallback_of(sandbox, call)
    if fallback is None:
        return None
    fallback_url, method = fallback
    error = [("ErrorCode", "11200" if document is None else "12100"), ("ErrorUrl", call.url)]
    document = await fetch_twiml(sandbox, call, fallback_url, method, [*extra, *error])
    if document is None or twiml.parse_twiml(document) is None:
        return None
    return document, fallback_url


def _fallback_of(sandbox: Sandbox, call: Call) -> tuple[str, str] | None:
    """The voice fallback URL (and method) of the number or application the call reached."""
    number = sandbox.store.numbers.get(call.phone_number_sid or "")
    if number is not None and number.voice_fallback_url:
        return number.voice_fallback_url, number.voice_fallback_method
    application = sandbox.store.application_owned_by(call.account_sid, call.application_sid or "")
    if application is not None and application.voice_fallback_url:
        return application.voice_fallback_url, application.voice_fallback_method
    return None


def _rejection(document: str) -> str | None:
    """The status a call ends with unanswered when its TwiML opens with ``<Reject>``: ``busy``
    for ``reason="busy"``, ``no-answer`` for the default ``rejected`` (Twilio: "busy or
    no-answer, depending on the verb's reason attribute"); None when the TwiML answers it."""
    root = twiml.parse_twiml(document)
    first = root[0] if root is not None and len(root) else None
    if first is None or first.tag != "Reject":
        return None
    return "busy" if first.get("reason") == "busy" else "no-answer"


async def _end(sandbox: Sandbox, session: CallSession, status: str) -> None:
    # Leaving live_calls first makes a concurrent hang-up a no-op from here on.
    sandbox.live_calls.pop(session.call_sid, None)
    finish(sandbox, session, status)
    await wrap_up(sandbox, session)
