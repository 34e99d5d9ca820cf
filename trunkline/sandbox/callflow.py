"""Following the TwiML an application returns for a call, verb by verb.

Simulated: ``<Say>``, ``<Play>``, ``<Pause>``, ``<Gather>`` (the caller never presses a key),
``<Record>`` (a recording, its status callback, then ``action``), ``<Dial>`` (a child call leg
to each ``<Number>`` or ``<Client>`` in turn: a number's outcome the magic numbers decide, a
browser client answers after a short ring unless the control API marked it unavailable, when it
rings out as ``no-answer``; optional recording, then ``action``), ``<Redirect>`` and
``<Hangup>``. ``<Reject>`` as a call's first verb refuses it unanswered (see
:mod:`trunkline.sandbox.voice`); later it hangs up. Other verbs are skipped. Each verb takes
one clock step and adds its simulated length to the call's duration. Unlike Twilio, a
``<Record>`` without ``action`` continues with the next verb rather than re-requesting the
document (which loops forever in practice).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from trunkline.sandbox import magic, sids, twiml
from trunkline.sandbox.calls import fetch_twiml
from trunkline.sandbox.recordings import (
    announce_recording,
    create_recording,
    recording_result_params,
)
from trunkline.sandbox.records import Call, Recording
from trunkline.sandbox.sessions import CallSession

if TYPE_CHECKING:
    from trunkline.sandbox.runtime import Sandbox

MAX_DOCUMENTS = 20  # guards against <Redirect> loops
CLIENT_PREFIX = "client:"
_DIAL_RECORD = {
    "true": 1,
    "record-from-answer": 1,
    "record-from-ringing": 1,
    "record-from-answer-dual": 2,
    "record-from-ringing-dual": 2,
}


@dataclass(frozen=True)
class _Next:
    """Continue with another document (from an ``action`` or ``<Redirect>``)."""

    document: str | None
    url: str


_HANG_UP = object()


class CallFlow:
    """Runs TwiML documents for one answered call until they end or hang up."""

    def __init__(self, sandbox: Sandbox, session: CallSession) -> None:
        self.sandbox = sandbox
        self.session = session

    @property
    def call(self) -> Call:
        return self.sandbox.store.calls[self.session.call_sid]

    async def run(self, document: str | None, url: str | None) -> None:
        for _ in range(MAX_DOCUMENTS):
            root = twiml.parse_twiml(document) if document else None
            if root is None:
                return
            outcome: object = None
            for verb in root:
                outcome = await self._perform(verb, url)
                if outcome is not None:
                    break
            if not isinstance(outcome, _Next):
                return
            document, url = outcome.document, outcome.url

    async def _perform(self, verb: ET.Element, url: str | None) -> object:
        await self.sandbox.clock.step()
        match verb.tag:
            case "Say":
                self.session.elapsed += twiml.speech_seconds(verb.text or "") * twiml.loops(verb)
            case "Play":
                self.session.elapsed += twiml.PLAY_SECONDS * twiml.loops(verb)
            case "Pause":
                self.session.elapsed += twiml.seconds(verb, "length", 1)
            case "Gather":
                for child in verb:
                    if child.tag == "Say":
                        self.session.elapsed += twiml.speech_seconds(child.text or "")
                self.session.elapsed += twiml.seconds(verb, "timeout", twiml.GATHER_TIMEOUT_SECONDS)
            case "Record":
                return await self._record(verb, url)
            case "Dial":
                return await self._dial(verb, url)
            case "Redirect":
                target = self._resolve(url, (verb.text or "").strip())
                return await self._follow(target, verb.get("method", "POST")) if target else None
            case "Hangup" | "Reject":
                # <Reject> after the call was answered is a hang-up (it refuses only as the
                # first verb: see voice.py).
                return _HANG_UP
        return None

    async def _record(self, verb: ET.Element, url: str | None) -> object:
        duration = min(twiml.seconds(verb, "maxLength", 3600), twiml.RECORD_SECONDS)
        self.session.elapsed += duration
        recording = create_recording(
            self.sandbox, self.call, duration=duration, source="RecordVerb"
        )
        self.session.recordings.append(recording)
        await self._announce(recording, verb, url)
        action = self._resolve(url, verb.get("action"))
        if action is None:
            return None
        extra = [*recording_result_params(self.sandbox, recording), ("Digits", "hangup")]
        return await self._follow(action, verb.get("method", "POST"), extra)

    async def _dial(self, verb: ET.Element, url: str | None) -> object:
        targets = [_address(child) for child in verb if child.tag in ("Number", "Client")]
        targets = [t for t in targets if t] or [(verb.text or "").strip()]
        leg: Call | None = None
        for target in targets:
            leg = await self._ring(target, verb)
            if leg.status == "completed":
                break
        if leg is None:
            return None
        channels = _DIAL_RECORD.get(verb.get("record", "do-not-record"))
        recording: Recording | None = None
        if channels and leg.status == "completed":
            recording = create_recording(
                self.sandbox,
                self.call,
                duration=leg.duration or 0,
                source="DialVerb",
                channels=channels,
            )
            self.session.recordings.append(recording)
            await self._announce(recording, verb, url)
        action = self._resolve(url, verb.get("action"))
        if action is None:
            return None
        extra = [
            ("DialCallStatus", leg.status),
            ("DialCallSid", leg.sid),
            ("DialCallDuration", str(leg.duration or 0)),
            ("DialBridged", str(leg.status == "completed").lower()),
        ]
        if recording is not None:
            extra += recording_result_params(self.sandbox, recording)
        return await self._follow(action, verb.get("method", "POST"), extra)

    async def _ring(self, target: str, verb: ET.Element) -> Call:
        """Place the ``<Dial>``'s child leg to ``target`` and play it out."""
        parent = self.call
        now = self.sandbox.clock.now()
        leg = Call(
            sid=sids.new_sid(sids.CALL),
            account_sid=parent.account_sid,
            from_=verb.get("callerId") or parent.from_,
            to=target,
            status="ringing",
            direction="outbound-dial",
            date_created=now,
            date_updated=now,
            parent_call_sid=parent.sid,
        )
        self.sandbox.store.calls[leg.sid] = leg
        await self.sandbox.clock.step()
        outcome = self._outcome(target)
        leg.date_updated = self.sandbox.clock.now()
        if outcome == "completed":
            leg.start_time = leg.date_updated
            leg.duration = twiml.DIAL_TALK_SECONDS
            self.session.elapsed += twiml.DIAL_TALK_SECONDS
        else:
            leg.duration = 0
            if outcome == "no-answer":
                self.session.elapsed += twiml.seconds(verb, "timeout", 30)
        leg.status = outcome
        leg.end_time = leg.date_updated
        leg.price = "-0.01400" if outcome == "completed" else "0.00000"
        self.sandbox.store.save()
        return leg

    def _outcome(self, target: str) -> str:
        """How a dialled party answers: a browser client after a short ring unless marked
        unavailable (then it rings out), a number as the outcome numbers say."""
        if target.startswith(CLIENT_PREFIX):
            identity = target.removeprefix(CLIENT_PREFIX)
            return "no-answer" if identity in self.sandbox.unavailable_clients else "completed"
        return magic.CALL_OUTCOMES.get(target, "completed")

    async def _announce(self, recording: Recording, verb: ET.Element, url: str | None) -> None:
        callback = self._resolve(url, verb.get("recordingStatusCallback"))
        method = verb.get("recordingStatusCallbackMethod", "POST")
        await announce_recording(self.sandbox, recording, callback, method)

    async def _follow(
        self, target: str, method: str, extra: list[tuple[str, str]] | None = None
    ) -> _Next:
        document = await fetch_twiml(self.sandbox, self.call, target, method.upper(), extra or ())
        return _Next(document, target)

    @staticmethod
    def _resolve(base: str | None, reference: str | None) -> str | None:
        """An absolute URL for a TwiML attribute; relative ones need a document URL."""
        if not reference:
            return None
        if reference.startswith(("http://", "https://")):
            return reference
        return urljoin(base, reference) if base else None


def _address(noun: ET.Element) -> str:
    """Whom a ``<Dial>`` noun rings: ``client:<identity>`` for a ``<Client>``, else the number."""
    text = (noun.text or "").strip()
    if noun.tag == "Client" and text:
        return f"{CLIENT_PREFIX}{text}"
    return text
