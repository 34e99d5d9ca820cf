"""What the gateway answers a call with: the one place the voice rules are decided.

Three kinds of call reach the voice webhook, and each is decided here from the database (the
number's voice settings, the browser client's grant, the placed call's row); the webhook layer
turns the decision into TwiML (``trunkline.webhooks.voice``) and stores the call as the decision
says. Decisions are plain data, so a retried delivery is decided, and answered, the same way.

- An **inbound call** to one of our numbers follows the number's ``voice_mode``. An INACTIVE
  number rejects politely (a spoken sorry, then hang up) whatever its mode: the caller learns the
  number is not taking calls, rather than hearing a busy tone that suggests trying again.
- A **browser call** (``From=client:<identity>``, from the tenant's TwiML App) dials out from
  ``CallerId`` when the identity holds an unexpired grant whose user may use that number (an
  admin's grant: any of the tenant's numbers; else the number's owner) and the number is ACTIVE.
  ``To`` must be E.164: a ``client:`` target is refused (INVALID_NUMBER), because ringing another
  user's browser from a number is not a product feature yet and would bypass who may call whom.
  A browser call is stored as OUTBOUND (the tenant's user calls out), placed by the grant's user,
  from the caller-ID number; a refused one as FAILED with its refusal.
- A **placed call being answered** (``placeCall``'s row, found by sid, with ``bridge_to``) is
  bridged to the caller's browser client or phone.

When nobody answers a ``<Dial>`` of an inbound call, Twilio posts the result to the action URL;
:func:`after_dial` decides then between voicemail and a polite goodbye.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

import phonenumbers

from trunkline.models import Call, Direction, NumberStatus, PhoneNumber, VoiceGrant, VoiceMode
from trunkline.services.number_use import may_use
from trunkline.services.voice_identity import client_address, identity_in, identity_of

DEFAULT_GREETING = (
    "The person you are calling is not available. Please leave a message after the tone."
)
NOBODY_AVAILABLE = "Nobody is available to take your call. Please try again later. Goodbye."
NUMBER_NOT_IN_SERVICE = "Sorry, this number is not taking calls at the moment. Goodbye."
CALL_NOT_CONNECTED = "Sorry, this call cannot be connected. Goodbye."
RECORDED = "Thank you. Your message has been recorded. Goodbye."
# How long a voicemail may run: long enough for a message, short enough to bound its cost.
VOICEMAIL_MAX_SECONDS = 120
# The statuses a <Dial> ends with when the callee took the call.
DIAL_ANSWERED = "completed"


class Refusal(StrEnum):
    """Why a browser call was refused (document 003's error codes), stored on the call."""

    UNAUTHORIZED = "UNAUTHORIZED"
    INACTIVE_NUMBER = "INACTIVE_NUMBER"
    INVALID_NUMBER = "INVALID_NUMBER"


REFUSAL_SPEECH: dict[Refusal, str] = {
    Refusal.UNAUTHORIZED: "You can only make calls from phone numbers you own. Goodbye.",
    Refusal.INACTIVE_NUMBER: "Cannot make calls from inactive phone numbers. Goodbye.",
    Refusal.INVALID_NUMBER: "The number you dialed is not a valid phone number. Goodbye.",
}


@dataclass(frozen=True)
class Ring:
    """``<Dial>`` one party; what came of it is posted to the action route.

    ``target`` is ``client:<identity>`` (a browser client) or an E.164 number; it is what
    ``Call.answered_by`` becomes when the party answers.
    """

    target: str
    caller_id: str | None = None
    timeout_seconds: int | None = None


@dataclass(frozen=True)
class Voicemail:
    """Speak ``greeting``, then record a message."""

    greeting: str
    max_seconds: int = VOICEMAIL_MAX_SECONDS


@dataclass(frozen=True)
class Reject:
    """Refuse the call without answering it (Twilio's ``<Reject>``: busy tone, no charge)."""


@dataclass(frozen=True)
class Goodbye:
    """Say ``message`` (if any), then hang up."""

    message: str = ""


Decision = Ring | Voicemail | Reject | Goodbye


@dataclass(frozen=True)
class IncomingCall:
    """What the voice webhook says about a call (parsed at the edge)."""

    sid: str
    from_address: str
    to_address: str
    # Twilio's: inbound, outbound-api, outbound-dial.
    direction: str
    # A browser call's caller-ID parameter (one of the tenant's numbers), if sent.
    caller_id: str | None = None
    # A placed call's bridge, from the voice URL placeCall gave Twilio (signed with it).
    bridge: str | None = None

    @property
    def from_browser(self) -> bool:
        return self.direction == "inbound" and identity_in(self.from_address) is not None


@dataclass(frozen=True)
class CallRecord:
    """How the call is stored beside the decision."""

    direction: Direction
    from_address: str
    to_address: str
    number: PhoneNumber | None
    user_id: str | None = None
    refusal: Refusal | None = None
    # Overrides the webhook's CallStatus: a refused browser call is ``failed``.
    status: str | None = None
    # Announced as CALL_RECEIVED (a call came in to a number) rather than CALL_STATUS.
    received: bool = False


@dataclass(frozen=True)
class Routing:
    decision: Decision
    record: CallRecord


async def route_call(*, tenant_id: int, call: IncomingCall, number: PhoneNumber | None) -> Routing:
    """How to answer ``call`` (``number``: the tenant's number it concerns, when it holds it)."""
    fresh = await _fresh(tenant_id, number)
    if call.from_browser:
        return await _browser_call(tenant_id, call, fresh)
    if call.direction == "inbound":
        record = CallRecord(
            direction=Direction.INBOUND,
            from_address=call.from_address,
            to_address=call.to_address,
            number=fresh,
            received=True,
        )
        return Routing(_inbound_decision(fresh), record)
    return await _placed_call(tenant_id, call, fresh)


async def after_dial(
    *, tenant_id: int, number: PhoneNumber | None, dial_status: str, inbound: bool
) -> Decision:
    """What follows a ``<Dial>``: hang up after a conversation; else, for an inbound call to a
    number that takes voicemail, the voicemail; else a polite goodbye."""
    if dial_status == DIAL_ANSWERED:
        return Goodbye()
    number = await _fresh(tenant_id, number) if inbound else None
    if number is not None and number.voice_voicemail:
        return _voicemail(number)
    return Goodbye(NOBODY_AVAILABLE)


def after_recording() -> Decision:
    """What follows a voicemail's ``<Record>``: thanks, and hang up."""
    return Goodbye(RECORDED)


async def _fresh(tenant_id: int, number: PhoneNumber | None) -> PhoneNumber | None:
    """``number`` as stored now: the webhook's look-up may be a few seconds old, and voice
    settings changed since would otherwise apply late."""
    if number is None:
        return None
    return await PhoneNumber.get_or_none(id=number.id, tenant_id=tenant_id)


def _inbound_decision(number: PhoneNumber | None) -> Decision:
    if number is None or number.status != NumberStatus.ACTIVE:
        return Goodbye(NUMBER_NOT_IN_SERVICE)
    mode = VoiceMode(number.voice_mode)
    if mode is VoiceMode.REJECT:
        return Reject()
    if mode is VoiceMode.VOICEMAIL:
        return _voicemail(number)
    if mode is VoiceMode.FORWARD and number.voice_forward_to:
        return Ring(target=number.voice_forward_to, timeout_seconds=number.voice_ring_seconds)
    if mode is VoiceMode.RING_OWNER and number.owner_id:
        return Ring(
            target=client_address(identity_of(number.owner_id)),
            timeout_seconds=number.voice_ring_seconds,
        )
    # Nobody to ring (no owner, or a forward without its number).
    return _voicemail(number) if number.voice_voicemail else Goodbye(NOBODY_AVAILABLE)


def _voicemail(number: PhoneNumber) -> Voicemail:
    return Voicemail(greeting=number.voice_greeting or DEFAULT_GREETING)


async def _browser_call(tenant_id: int, call: IncomingCall, number: PhoneNumber | None) -> Routing:
    identity = identity_in(call.from_address)
    grant = (
        await VoiceGrant.filter(
            tenant_id=tenant_id, identity=identity, expires_at__gt=datetime.now(UTC)
        ).first()
        if identity
        else None
    )
    refusal: Refusal | None = None
    if (
        grant is None
        or number is None
        or not may_use(number, user_id=grant.user_id, admin=grant.admin)
    ):
        refusal = Refusal.UNAUTHORIZED
    elif number.status != NumberStatus.ACTIVE:
        refusal = Refusal.INACTIVE_NUMBER
    elif not _is_e164(call.to_address):
        refusal = Refusal.INVALID_NUMBER
    record = CallRecord(
        direction=Direction.OUTBOUND,
        from_address=number.phone_number if number is not None else (call.caller_id or ""),
        to_address=call.to_address,
        number=number,
        user_id=grant.user_id if grant is not None else None,
        refusal=refusal,
        status="failed" if refusal is not None else None,
    )
    if refusal is not None:
        return Routing(Goodbye(REFUSAL_SPEECH[refusal]), record)
    assert number is not None  # refused above otherwise
    return Routing(Ring(target=call.to_address, caller_id=number.phone_number), record)


async def _placed_call(tenant_id: int, call: IncomingCall, number: PhoneNumber | None) -> Routing:
    """A call ``placeCall`` made, answered by the callee: bridge it to the caller."""
    placed = await Call.filter(tenant_id=tenant_id, sid=call.sid).first()
    record = CallRecord(
        direction=Direction.OUTBOUND,
        from_address=call.from_address,
        to_address=call.to_address,
        number=number,
    )
    # The row's, else the URL's: Twilio may ask before placeCall's row is written.
    bridge = (placed.bridge_to if placed is not None else None) or call.bridge
    if not bridge:
        return Routing(Goodbye(CALL_NOT_CONNECTED), record)
    return Routing(Ring(target=bridge, caller_id=call.from_address), record)


def _is_e164(value: str) -> bool:
    if not value.startswith("+"):
        return False
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return False
    canonical = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return canonical == value and phonenumbers.is_possible_number(parsed)
