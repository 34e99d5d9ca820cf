"""Placing and ending calls (``placeCall``, ``hangupCall``) from the tenant's numbers.

Placing follows ``sendMessage``'s rules (``services.messaging``): who may use which number is
``services.number_use``'s (admins any of the tenant's, agents their own; anything else is
PHONE_NUMBER_NOT_FOUND, decided before the rest of the request is read), a number must be ACTIVE
(INACTIVE_NUMBER), everything is checked before an idempotency key is claimed, and the key is
claimed before Twilio is asked (``services.idempotency``, operation ``placeCall``).

Twilio calls ``to`` from the number; when the callee answers, Twilio asks the voice webhook what
to do, and the gateway bridges the call to ``bridge_to``: the caller's browser client
(``client:<identity>``, ``services.voice_identity``) or their own phone (``agentPhone``). The call
is stored through the ingestion writer (``Record``: ``Gateway.record_placed``), so its row and its
``CALL_STATUS`` activity commit together; a status callback that beat Twilio's answer is merged.

Decisions where the issue is silent:
- A number without voice capability is a UserInputError on ``input.numberId`` (checked after
  ownership and status, as sendMessage checks a channel the number cannot send on).
- ``agentPhone`` is required for ``connectTo: PHONE`` and refused for ``CLIENT`` (a value that
  would be ignored is a mistake the client should hear of).
- Support-only members may not place or end calls (FORBIDDEN, at the resolver): they configure
  the tenant's Twilio account; calling is for agents and admins.
- ``hangupCall`` on a call that has already ended (as stored, or as Twilio says) answers the call
  as it is: ending a call is idempotent. It answers the call as stored when Twilio accepted the
  hang-up; the final status (``completed``, or ``canceled`` for one never answered) follows from
  Twilio's status callback, as every status does (``callUpdated``, ``activity``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from trunkline.activity import CallSnapshot
from trunkline.auth.principal import Principal
from trunkline.models import Call
from trunkline.services import calls_read, idempotency, number_use, validation
from trunkline.services.accounts import TwilioAccounts
from trunkline.services.callbacks import Callback
from trunkline.services.calls import CALL_TERMINAL_STATUSES
from trunkline.services.errors import InvalidInput, NotFound, provider_failure
from trunkline.services.keys import parse_key
from trunkline.services.voice_identity import client_address, identity_of
from trunkline.twilio import ProviderError, provider_errors

logger = logging.getLogger(__name__)

PLACE_CALL = "placeCall"  # the idempotency keys' operation
# The voice URL's query parameter naming where an answered placed call is bridged.
BRIDGE_PARAMETER = "bridge"
# The progress events a placed call reports (Twilio sends only ``completed`` unless asked).
STATUS_CALLBACK_EVENTS = ("initiated", "ringing", "answered", "completed")
# Twilio's "the call is not in a state for this" (updating a call that has ended).
CALL_NOT_LIVE = 21220


class ConnectTo(StrEnum):
    """Where a placed call is bridged once the callee answers."""

    CLIENT = "client"  # the caller's browser (Voice SDK) client
    PHONE = "phone"  # the caller's own phone, ``agentPhone``


@dataclass(frozen=True, kw_only=True)
class PlaceCallRequest:
    """``placeCall``'s input as the client sent it (checked by :func:`place_call`)."""

    number_id: str
    to: str
    record: bool = False
    connect_to: ConnectTo = ConnectTo.CLIENT
    agent_phone: str | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class PlacedCall:
    """A call Twilio accepted from this gateway, as its create answer and the caller know it."""

    sid: str
    from_address: str
    to_address: str
    status: str
    number_id: int
    user_id: str
    bridge_to: str


# Stores a placed call of a tenant (with the idempotency claim it answers, if any) and announces
# it; returns once committed, with the stored call as announced (None when this sid was recorded
# before: a redelivery records nothing).
Record = Callable[[int, PlacedCall, int | None], Awaitable[CallSnapshot | None]]


async def place_call(
    *,
    tenant_id: int,
    principal: Principal,
    request: PlaceCallRequest,
    accounts: TwilioAccounts,
    record: Record,
) -> CallSnapshot:
    """Call ``request.to`` from one of the tenant's numbers; the call as recorded (``queued``).

    The same idempotency key from the same tenant places one call; every request with it
    answers the same call (or the same refusal).

    Raises:
        PhoneNumberNotFound, InactiveNumber, InvalidInput, TwilioNotConfigured, ProviderFailure.
    """
    number_id = parse_key(request.number_id, field="input.numberId")
    number = await number_use.active_number(
        tenant_id=tenant_id, principal=principal, number_id=number_id, action="place calls"
    )
    to = validation.e164(request.to, field="input.to")
    bridge_to = _bridge_to(request, principal)
    key = idempotency.client_key(request.idempotency_key, field="input.idempotencyKey")
    if not number.voice_enabled:
        raise InvalidInput("input.numberId", "This number cannot make calls (no voice capability).")
    client, _ = await accounts.client_for_tenant(tenant_id)
    arguments = {
        "to": to,
        "from_": number.phone_number,
        # Where to bridge travels in the URL too (signed by Twilio with it): were the voice
        # webhook to come before this call's row is written (a backlog in the writer longer
        # than the ring), it still knows where to connect the callee.
        "url": accounts.callback_url(Callback.VOICE, {BRIDGE_PARAMETER: bridge_to}),
        "method": "POST",
        # Asked when the voice webhook fails: it answers safe TwiML (REQUIREMENTS note 14).
        "fallback_url": accounts.callback_url(Callback.VOICE_FALLBACK),
        "fallback_method": "POST",
        "status_callback": accounts.callback_url(Callback.CALL_STATUS),
        "status_callback_method": "POST",
        "status_callback_event": list(STATUS_CALLBACK_EVENTS),
        "record": request.record,
    }
    if request.record:
        arguments["recording_status_callback"] = accounts.callback_url(Callback.RECORDING_STATUS)
        arguments["recording_status_callback_method"] = "POST"
    claim: idempotency.Claim | None = None
    if key is not None:
        held = await idempotency.claim_or_wait(
            tenant_id=tenant_id,
            operation=PLACE_CALL,
            key=key,
            request_fingerprint=idempotency.fingerprint(
                {
                    "numberId": number.id,
                    "to": to,
                    "record": request.record,
                    "bridgeTo": bridge_to,
                }
            ),
            field="input.idempotencyKey",
        )
        if isinstance(held, idempotency.Outcome):
            if held.entity_id is None:
                raise idempotency.refusal_of(held)
            return CallSnapshot.of(await Call.get(id=held.entity_id, tenant_id=tenant_id))
        claim = held
    async with idempotency.attempt(claim):
        try:
            async with provider_errors():
                created = await client.calls.create_async(**arguments)
        except ProviderError as exc:
            raise provider_failure(exc) from exc
    placed = PlacedCall(
        sid=created.sid or "",
        from_address=created._from or number.phone_number,
        to_address=created.to or to,
        status=created.status or "queued",
        number_id=number.id,
        user_id=principal.user_id,
        bridge_to=bridge_to,
    )
    # Placed: from here the claim is never released (a retry must not call twice). Were the
    # recording to fail, the status callbacks still create the row (without who placed it).
    recorded = await record(tenant_id, placed, claim.id if claim is not None else None)
    if recorded is not None:
        return recorded
    return CallSnapshot.of(await Call.get(tenant_id=tenant_id, sid=placed.sid))


async def hang_up_call(
    *, tenant_id: int, principal: Principal, call_id: str, accounts: TwilioAccounts
) -> CallSnapshot:
    """End a live call: the caller's own (placed by them), or one on a number they may use.

    Twilio ends an answered call ``completed`` and one still ringing ``canceled``; that status
    arrives on the call-status webhook. A call that has ended answers as it is.

    Raises:
        InvalidInput: ``id`` is not an id.
        NotFound: no such call in the tenant, or not the caller's to end (the same answer).
        TwilioNotConfigured, ProviderFailure: Twilio could not be asked, or refused.
    """
    key = parse_key(call_id, field="id")
    # Who may end a call is who sees it (admins any; others those they placed or on their
    # numbers): the call log's rule, in the same one statement.
    call = await calls_read.visible_calls(tenant_id=tenant_id, principal=principal).get_or_none(
        id=key
    )
    if call is None:
        raise NotFound("No such call.")
    if call.status in CALL_TERMINAL_STATUSES or call.sid is None:
        return CallSnapshot.of(call)  # ended already (or never reached Twilio): nothing to end
    client, _ = await accounts.client_for_tenant(tenant_id)
    try:
        async with provider_errors():
            await client.calls(call.sid).update_async(status="completed")
    except ProviderError as exc:
        if exc.code != CALL_NOT_LIVE:
            raise provider_failure(exc) from exc
        logger.info("hang-up of call %s: it had ended already", call.id)
    return CallSnapshot.of(await Call.get(id=call.id, tenant_id=tenant_id))


def _bridge_to(request: PlaceCallRequest, principal: Principal) -> str:
    """Where the answered call is connected: the caller's browser client or ``agentPhone``."""
    if request.connect_to is ConnectTo.PHONE:
        if request.agent_phone is None:
            raise InvalidInput(
                "input.agentPhone", "input.agentPhone is required to connect to a phone."
            )
        return validation.e164(request.agent_phone, field="input.agentPhone")
    if request.agent_phone is not None:
        raise InvalidInput(
            "input.agentPhone", "input.agentPhone is only for connectTo: PHONE; leave it out."
        )
    return client_address(identity_of(principal.user_id))
