"""The voice routes' answers: TwiML computed per call, and what each delivery stores.

The decision is :mod:`trunkline.services.call_routing`'s; here it becomes TwiML (built with the
``twilio`` library's ``VoiceResponse``) and an ingestion. A ``<Dial>`` and a voicemail's
``<Record>`` report to :data:`Callback.VOICE_ACTION`, with what the gateway needs to know
written into that URL's query (the step, and the party dialled, which becomes
``Call.answered_by``): Twilio's action request does not name the dialled party, and the query is
covered by the signature, so it cannot be forged.
"""

from __future__ import annotations

from dataclasses import dataclass

from twilio.twiml.voice_response import VoiceResponse

from trunkline.ingestion import calls
from trunkline.ingestion.kind import Ingestion
from trunkline.services import call_routing as routing
from trunkline.services.callbacks import Callback, callback_url
from trunkline.services.voice_identity import identity_in
from trunkline.webhooks import twilio_fields as fields
from trunkline.webhooks.requests import WebhookRequest
from trunkline.webhooks.verification import Delivery

# The steps of a call the action route is told of (its ``step`` query parameter).
STEP_DIAL = "dial"
STEP_RECORDED = "recorded"
# Spoken by the fallback route: the primary route failed, so nothing is known of the call.
FALLBACK_SPEECH = "Sorry, we cannot take your call right now. Please try again later. Goodbye."


@dataclass(frozen=True)
class Reply:
    """What a voice delivery stores (None: nothing) and the TwiML it is answered with."""

    ingestion: Ingestion | None
    twiml: str


def twiml_of(decision: routing.Decision, *, public_url: str) -> str:
    """The TwiML document carrying out ``decision``."""
    response = VoiceResponse()
    match decision:
        case routing.Ring(target=target, caller_id=caller_id, timeout_seconds=timeout):
            action = callback_url(
                public_url, Callback.VOICE_ACTION, {"step": STEP_DIAL, "answeredBy": target}
            )
            dial = response.dial(caller_id=caller_id, timeout=timeout, action=action, method="POST")
            identity = identity_in(target)
            if identity is not None:
                dial.client(identity)
            else:
                dial.number(target)
        case routing.Voicemail(greeting=greeting, max_seconds=max_seconds):
            response.say(greeting)
            response.record(
                action=callback_url(public_url, Callback.VOICE_ACTION, {"step": STEP_RECORDED}),
                method="POST",
                max_length=max_seconds,
                play_beep=True,
                recording_status_callback=callback_url(public_url, Callback.RECORDING_STATUS),
                recording_status_callback_method="POST",
            )
        case routing.Reject():
            # A busy signal: the default (rejected) tells the caller the number is not in
            # service, which a working number that declines calls is not.
            response.reject(reason="busy")
        case routing.Goodbye(message=message):
            if message:
                response.say(message)
            response.hangup()
    return str(response)


def fallback_twiml() -> str:
    """The voice fallback's answer: safe whatever went wrong, and the same every time."""
    response = VoiceResponse()
    response.say(FALLBACK_SPEECH)
    response.hangup()
    return str(response)


async def answer_call(delivery: Delivery, public_url: str) -> Reply:
    """The voice webhook: decide, then store the call as decided (answered once stored)."""
    webhook = delivery.webhook
    sid = webhook.require(fields.CALL_SID)
    call = routing.IncomingCall(
        sid=sid,
        from_address=webhook.require(fields.CALL_FROM),
        to_address=webhook.require(fields.CALL_TO),
        direction=webhook.read(fields.DIRECTION) or "inbound",
        caller_id=webhook.read(fields.CALLER_ID),
        bridge=webhook.read_query(fields.BRIDGE),
    )
    decided = await routing.route_call(
        tenant_id=delivery.tenant_id, call=call, number=delivery.number
    )
    record = decided.record
    update = calls.CallUpdate(
        sid=sid,
        status=record.status or webhook.read(fields.CALL_STATUS) or "ringing",
        from_address=record.from_address,
        to_address=record.to_address,
        direction=record.direction,
        sequence=webhook.read(fields.SEQUENCE_NUMBER),
        user_id=record.user_id,
        refusal=record.refusal.value if record.refusal else None,
    )
    ingestion = calls.CallIngestion(
        tenant_id=delivery.tenant_id,
        number=record.number,
        update=update,
        idempotency_key=delivery.idempotency_key("voice", sid),
        inbound=record.received,
    )
    return Reply(ingestion, twiml_of(decided.decision, public_url=public_url))


async def answer_action(delivery: Delivery, public_url: str) -> Reply:
    """What a ``<Dial>`` or voicemail ``<Record>`` came to: record who answered, then go on."""
    webhook = delivery.webhook
    sid = webhook.require(fields.CALL_SID)
    step = webhook.read_query(fields.ACTION_STEP) or STEP_DIAL
    if step == STEP_RECORDED:
        return Reply(None, twiml_of(routing.after_recording(), public_url=public_url))
    dial_status = webhook.read(fields.DIAL_CALL_STATUS) or "failed"
    answered_by = webhook.read_query(fields.ANSWERED_BY)
    ingestion: Ingestion | None = None
    if dial_status == routing.DIAL_ANSWERED and answered_by:
        ingestion = calls.CallAnsweredIngestion(
            tenant_id=delivery.tenant_id,
            call_sid=sid,
            answered_by=answered_by,
            idempotency_key=delivery.idempotency_key("voice-action", sid, answered_by),
        )
    decision = await routing.after_dial(
        tenant_id=delivery.tenant_id,
        number=delivery.number,
        dial_status=dial_status,
        inbound=_to_our_number(webhook),
    )
    return Reply(ingestion, twiml_of(decision, public_url=public_url))


async def answer_fallback(delivery: Delivery, public_url: str) -> Reply:
    """Twilio's VoiceFallbackUrl: the primary failed; a sorry and goodbye, nothing stored."""
    return Reply(None, fallback_twiml())


def _to_our_number(webhook: WebhookRequest) -> bool:
    """Whether the call came in to one of our numbers (not a browser's call, nor a placed one),
    the only kind that falls to voicemail."""
    direction = webhook.read(fields.DIRECTION) or "inbound"
    caller = webhook.params.get("From", "")
    return direction == "inbound" and identity_in(caller) is None


def voice_receiving(webhook: WebhookRequest) -> tuple[str, bool]:
    """The parameter naming the voice webhook's number, and whether the tenant must hold it.

    A call in to a number: ``To``, held. A browser call: its ``CallerId`` (held or not, it is
    refused politely and stored as a refusal, rather than answered 403 and left unexplained). A
    placed call being answered: ``From``, our number as caller.
    """
    direction = (webhook.params.get("Direction") or "inbound").lower()
    if direction != "inbound":
        return "From", False
    if identity_in(webhook.params.get("From", "")) is not None:
        return "CallerId", False
    return "To", True
