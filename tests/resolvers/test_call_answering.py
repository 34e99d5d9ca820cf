"""How the gateway answers calls, end to end: a phone calls through the sandbox carrier, the
carrier follows the gateway's TwiML (rings browser clients, forwards, records voicemail, rejects),
and what the gateway stored is checked; browser clients dial out through the TwiML App (the
sandbox's client-call), allowed or refused by their grants; a placed call is bridged."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from twilio.rest import Client

from tests.sandbox.fixtures import receiver, receiver_server
from tests.sandbox.receiver import WebhookReceiver
from tests.support.tenancy import Tenant
from trunkline.models import ActivityEvent, Call, PhoneNumber, Recording, VoiceGrant
from trunkline.models import Tenant as TenantRow
from trunkline.services.call_routing import Refusal
from trunkline.services.callbacks import Callback
from trunkline.services.voice_identity import client_address, identity_of
from trunkline.settings import Settings
from trunkline.twilio import TwilioClients

__all__ = ["receiver", "receiver_server"]  # the sandbox suite's webhook receiver, used here too

CALLER = "+61491570150"
COLLEAGUE = "+14155550188"  # answers when dialled (not one of the sandbox's outcome numbers)
BUSY = "+15005550011"  # the sandbox's busy number
UPDATE_VOICE = """
mutation Update($id: ID!, $input: UpdateNumberInput!) {
  updateNumber(id: $id, input: $input) { __typename ... on Error { code message } }
}
"""
WAIT_SECONDS = 10
PROVISION = "mutation { provisionVoice { ... on VoiceProvisioning { twimlAppSid } } }"


def user() -> str:
    """A user of their own: the sandbox's client availability is per identity, session-wide."""
    return f"auth0|{uuid.uuid4().hex[:10]}"


@asynccontextmanager
async def twilio_client(tenant: Tenant, carrier: str) -> AsyncIterator[Client]:
    """The tenant's own view of its sandbox account, through the twilio library."""
    assert tenant.account is not None
    clients = TwilioClients(f"{carrier}/twilio", timeout=5.0)
    try:
        yield clients.client_for("check", tenant.account.account_sid, tenant.account.auth_token)
    finally:
        await clients.aclose()


async def phone_calls(carrier: str, number: str) -> str:
    """A phone calls ``number``; the call's sid."""
    async with httpx.AsyncClient(base_url=carrier) as control:
        response = await control.post("/control/inbound/call", json={"to": number, "from": CALLER})
    assert response.status_code == 202, response.text
    sid: str = response.json()["sid"]
    return sid


async def set_client(carrier: str, user_id: str, *, available: bool) -> None:
    async with httpx.AsyncClient(base_url=carrier) as control:
        response = await control.post(
            f"/control/clients/{identity_of(user_id)}", json={"available": available}
        )
    assert response.status_code == 200, response.text


async def stored_call(sid: str, done: Callable[[Call], bool]) -> Call:
    """The gateway's row of call ``sid`` once ``done`` holds of it (its webhooks arrive a step
    or a few after the carrier is asked; the gateway announces nothing we could await here)."""
    async with asyncio.timeout(WAIT_SECONDS):
        while True:
            call = await Call.get_or_none(sid=sid)
            if call is not None and done(call):
                return call
            await asyncio.sleep(0.02)


def ended(call: Call) -> bool:
    return call.status in {"completed", "busy", "no-answer", "failed", "canceled"}


async def recordings_of(call: Call) -> list[Recording]:
    """The call's recordings once one arrived (a voicemail's comes in its own callback)."""
    async with asyncio.timeout(WAIT_SECONDS):
        while not (found := await Recording.filter(call_id=call.id)):  # noqa: ASYNC110 - polling the row the webhook writes
            await asyncio.sleep(0.02)
    return list(found)


async def legs_of(tenant: Tenant, carrier: str, sid: str) -> list[tuple[str, str, str]]:
    """The calls the carrier placed for call ``sid``'s ``<Dial>``: (from, to, status)."""
    async with twilio_client(tenant, carrier) as client:
        legs = await client.calls.list_async(parent_call_sid=sid)
    return [(leg._from, leg.to, leg.status) for leg in legs]


async def number_with_owner(tenant: Tenant, carrier: str, owner: str | None) -> dict[str, Any]:
    await tenant.connect_twilio(carrier)
    return await tenant.buy_any_number(**({"ownerId": owner} if owner else {}))


async def set_voice(tenant: Tenant, number: dict[str, Any], **voice: object) -> None:
    result = await tenant.execute(
        UPDATE_VOICE, {"id": number["id"], "input": {"voice": voice}}, as_="admin"
    )
    assert result["data"]["updateNumber"]["__typename"] == "PhoneNumber", result


async def test_an_inbound_call_rings_the_owners_browser_and_records_who_answered(
    tenant: Tenant, carrier: str
) -> None:
    owner = user()
    number = await number_with_owner(tenant, carrier, owner)

    sid = await phone_calls(carrier, number["phoneNumber"])
    call = await stored_call(sid, lambda c: ended(c) and c.answered_by is not None)

    owner_client = client_address(identity_of(owner))
    assert (call.direction, call.status, call.from_address) == ("inbound", "completed", CALLER)
    assert call.answered_by == owner_client
    assert await legs_of(tenant, carrier, sid) == [(CALLER, owner_client, "completed")]
    assert await Recording.filter(call_id=call.id).count() == 0
    kinds = (
        await ActivityEvent.filter(
            tenant_id=call.tenant_id,  # type: ignore[attr-defined]
            entity_id=call.id,
            kind__startswith="CALL",
        )
        .order_by("seq")
        .values_list("kind", flat=True)
    )
    assert kinds[0] == "CALL_RECEIVED"


async def test_an_owner_who_does_not_answer_gets_a_voicemail(tenant: Tenant, carrier: str) -> None:
    owner = user()
    number = await number_with_owner(tenant, carrier, owner)
    await set_voice(tenant, number, ringSeconds=5)
    await set_client(carrier, owner, available=False)

    sid = await phone_calls(carrier, number["phoneNumber"])
    call = await stored_call(sid, ended)
    recordings = await recordings_of(call)

    assert call.answered_by is None
    assert await legs_of(tenant, carrier, sid) == [
        (CALLER, client_address(identity_of(owner)), "no-answer")
    ]
    assert [(r.status, r.call_id) for r in recordings] == [("completed", call.id)]  # type: ignore[attr-defined]
    assert recordings[0].duration == 5  # what the sandbox's caller says into a <Record>


async def test_a_number_without_an_owner_goes_straight_to_voicemail(
    tenant: Tenant, carrier: str
) -> None:
    number = await number_with_owner(tenant, carrier, None)

    sid = await phone_calls(carrier, number["phoneNumber"])
    call = await stored_call(sid, ended)

    assert len(await recordings_of(call)) == 1
    assert await legs_of(tenant, carrier, sid) == []


async def test_a_forwarding_number_rings_the_forward_number(tenant: Tenant, carrier: str) -> None:
    number = await number_with_owner(tenant, carrier, user())
    await set_voice(tenant, number, mode="FORWARD", forwardTo=COLLEAGUE)

    sid = await phone_calls(carrier, number["phoneNumber"])
    call = await stored_call(sid, lambda c: ended(c) and c.answered_by is not None)

    assert call.answered_by == COLLEAGUE
    assert await legs_of(tenant, carrier, sid) == [(CALLER, COLLEAGUE, "completed")]


async def test_a_busy_forward_without_voicemail_says_goodbye_and_records_nothing(
    tenant: Tenant, carrier: str
) -> None:
    number = await number_with_owner(tenant, carrier, user())
    await set_voice(tenant, number, mode="FORWARD", forwardTo=BUSY, voicemail=False)

    sid = await phone_calls(carrier, number["phoneNumber"])
    call = await stored_call(sid, ended)

    assert (call.status, call.answered_by) == ("completed", None)
    assert await legs_of(tenant, carrier, sid) == [(CALLER, BUSY, "busy")]
    assert await Recording.filter(call_id=call.id).count() == 0


async def test_a_voicemail_number_records_after_its_greeting(tenant: Tenant, carrier: str) -> None:
    number = await number_with_owner(tenant, carrier, user())
    await set_voice(tenant, number, mode="VOICEMAIL", greeting="Leave it after the beep.")

    sid = await phone_calls(carrier, number["phoneNumber"])
    call = await stored_call(sid, ended)

    assert len(await recordings_of(call)) == 1
    assert await legs_of(tenant, carrier, sid) == []
    assert call.status == "completed"


async def test_a_rejecting_number_ends_calls_busy_unanswered(tenant: Tenant, carrier: str) -> None:
    number = await number_with_owner(tenant, carrier, user())
    await set_voice(tenant, number, mode="REJECT")

    sid = await phone_calls(carrier, number["phoneNumber"])
    call = await stored_call(sid, ended)

    assert (call.status, call.duration) == ("busy", 0)
    async with twilio_client(tenant, carrier) as client:
        at_twilio = await client.calls(sid).fetch_async()
    assert (at_twilio.status, at_twilio.price) == ("busy", "0.00000")


async def test_an_inactive_number_declines_politely(tenant: Tenant, carrier: str) -> None:
    owner = user()
    number = await number_with_owner(tenant, carrier, owner)
    inactive = await tenant.execute(
        UPDATE_VOICE, {"id": number["id"], "input": {"status": "INACTIVE"}}, as_="admin"
    )
    assert inactive["data"]["updateNumber"]["__typename"] == "PhoneNumber"

    sid = await phone_calls(carrier, number["phoneNumber"])
    call = await stored_call(sid, ended)

    # Answered to hear the sorry (a few seconds of speech), then hung up: nobody rung.
    assert call.status == "completed"
    assert call.duration
    assert await legs_of(tenant, carrier, sid) == []
    assert await Recording.filter(call_id=call.id).count() == 0


# Browser calls.


async def grant(tenant: Tenant, user_id: str, *, admin: bool = False, hours: float = 1) -> str:
    """What createVoiceAccessToken records for ``user_id``; the client identity."""
    row = await TenantRow.get(org_id=tenant.org)
    identity = identity_of(user_id)
    await VoiceGrant.create(
        tenant_id=row.id,
        identity=identity,
        user_id=user_id,
        admin=admin,
        expires_at=datetime.now(UTC) + timedelta(hours=hours),
    )
    return identity


async def browser_calls(
    tenant: Tenant, carrier: str, settings: Settings, identity: str, *, to: str, caller_id: str
) -> str:
    """A browser client dials ``to`` from ``caller_id`` through the tenant's TwiML App (the one
    ``provisionVoice`` made: its voice URL is the gateway's)."""
    assert tenant.account is not None
    provisioned = await tenant.execute(PROVISION, as_="support")
    application = provisioned["data"]["provisionVoice"]["twimlAppSid"]
    async with httpx.AsyncClient(base_url=carrier) as control:
        response = await control.post(
            "/control/client-call",
            json={
                "account_sid": tenant.account.account_sid,
                "application_sid": application,
                "identity": identity,
                "to": to,
                "caller_id": caller_id,
            },
        )
    assert response.status_code == 202, response.text
    sid: str = response.json()["sid"]
    return sid


async def test_an_agent_calls_from_their_own_number_in_the_browser(
    tenant: Tenant, carrier: str, settings: Settings
) -> None:
    agent = user()
    number = await number_with_owner(tenant, carrier, agent)
    identity = await grant(tenant, agent)

    sid = await browser_calls(
        tenant, carrier, settings, identity, to=COLLEAGUE, caller_id=number["phoneNumber"]
    )
    call = await stored_call(sid, lambda c: c.answered_by is not None)

    assert (call.direction, call.from_address, call.to_address, call.answered_by) == (
        "outbound",
        number["phoneNumber"],
        COLLEAGUE,
        COLLEAGUE,
    )
    assert (call.user_id, call.refusal) == (agent, None)
    # (Its statuses come from the TwiML App's status callback, as they arrive.)
    assert call.status in {"ringing", "in-progress", "completed"}
    assert call.number_id == int(number["id"])  # type: ignore[attr-defined]
    async with asyncio.timeout(WAIT_SECONDS):
        while not (legs := await legs_of(tenant, carrier, sid)):  # noqa: ASYNC110 - the carrier's dial, seen through its API
            await asyncio.sleep(0.02)
    assert legs == [(number["phoneNumber"], COLLEAGUE, "completed")]
    kinds = (
        await ActivityEvent.filter(
            tenant_id=call.tenant_id,  # type: ignore[attr-defined]
            entity_id=call.id,
            kind__startswith="CALL",
        )
        .order_by("seq")
        .values_list("kind", flat=True)
    )
    # Announced as a status of an outbound call (not received: nobody called in), then again
    # when the callee answered (and with each status the TwiML App's callback brings).
    assert len(kinds) >= 2
    assert set(kinds) == {"CALL_STATUS"}


async def test_an_admin_calls_from_any_of_the_tenants_numbers_in_the_browser(
    tenant: Tenant, carrier: str, settings: Settings
) -> None:
    admin = user()
    number = await number_with_owner(tenant, carrier, user())
    identity = await grant(tenant, admin, admin=True)

    sid = await browser_calls(
        tenant, carrier, settings, identity, to=COLLEAGUE, caller_id=number["phoneNumber"]
    )
    call = await stored_call(sid, lambda c: True)

    assert (call.user_id, call.refusal, call.from_address) == (admin, None, number["phoneNumber"])


async def refused_call(
    tenant: Tenant, carrier: str, settings: Settings, identity: str, *, to: str, caller_id: str
) -> Call:
    sid = await browser_calls(tenant, carrier, settings, identity, to=to, caller_id=caller_id)
    call = await stored_call(sid, lambda c: True)
    # Refused before any <Dial>: the carrier never rang anybody.
    async with twilio_client(tenant, carrier) as client:
        async with asyncio.timeout(WAIT_SECONDS):
            while (await client.calls(sid).fetch_async()).status != "completed":  # noqa: ASYNC110 - the carrier's call, through its API
                await asyncio.sleep(0.02)
    assert await legs_of(tenant, carrier, sid) == []
    return call


async def test_a_browser_call_from_another_users_number_is_refused_and_stored_failed(
    tenant: Tenant, carrier: str, settings: Settings
) -> None:
    agent = user()
    number = await number_with_owner(tenant, carrier, user())
    identity = await grant(tenant, agent)

    call = await refused_call(
        tenant, carrier, settings, identity, to=COLLEAGUE, caller_id=number["phoneNumber"]
    )

    assert (call.status, call.refusal, call.user_id) == ("failed", Refusal.UNAUTHORIZED, agent)
    assert (call.direction, call.from_address) == ("outbound", number["phoneNumber"])


async def test_a_browser_call_from_an_inactive_number_is_refused(
    tenant: Tenant, carrier: str, settings: Settings
) -> None:
    agent = user()
    number = await number_with_owner(tenant, carrier, agent)
    await PhoneNumber.filter(id=int(number["id"])).update(status="inactive")
    identity = await grant(tenant, agent)

    call = await refused_call(
        tenant, carrier, settings, identity, to=COLLEAGUE, caller_id=number["phoneNumber"]
    )

    assert (call.status, call.refusal) == ("failed", Refusal.INACTIVE_NUMBER)


async def test_a_browser_call_without_a_live_grant_is_refused(
    tenant: Tenant, carrier: str, settings: Settings
) -> None:
    agent = user()
    number = await number_with_owner(tenant, carrier, agent)
    identity = await grant(tenant, agent, hours=-1)  # expired

    call = await refused_call(
        tenant, carrier, settings, identity, to=COLLEAGUE, caller_id=number["phoneNumber"]
    )

    assert (call.status, call.refusal, call.user_id) == ("failed", Refusal.UNAUTHORIZED, None)


async def test_a_browser_call_to_something_not_a_phone_number_is_refused(
    tenant: Tenant, carrier: str, settings: Settings
) -> None:
    agent = user()
    number = await number_with_owner(tenant, carrier, agent)
    identity = await grant(tenant, agent)

    call = await refused_call(
        tenant, carrier, settings, identity, to="client:someone", caller_id=number["phoneNumber"]
    )

    assert (call.status, call.refusal) == ("failed", Refusal.INVALID_NUMBER)


async def test_a_grant_of_another_tenant_calls_from_no_number_of_this_one(
    tenant: Tenant, other_tenant: Tenant, carrier: str, settings: Settings
) -> None:
    agent = user()
    number = await number_with_owner(tenant, carrier, agent)
    await other_tenant.connect_twilio(carrier)
    identity = await grant(other_tenant, agent, admin=True)  # not a grant of this tenant

    call = await refused_call(
        tenant, carrier, settings, identity, to=COLLEAGUE, caller_id=number["phoneNumber"]
    )

    assert (call.status, call.refusal) == ("failed", Refusal.UNAUTHORIZED)
    assert call.tenant_id == (await TenantRow.get(org_id=tenant.org)).id  # type: ignore[attr-defined]


# Placed calls.


async def test_a_placed_call_once_answered_is_bridged_to_the_callers_browser(
    tenant: Tenant, carrier: str, settings: Settings, receiver: WebhookReceiver
) -> None:
    # Given: a call the gateway placed (as placeCall does), held at its first status callback
    # until its row, naming where to bridge it, is stored.
    agent = user()
    number = await number_with_owner(tenant, carrier, agent)
    row = await TenantRow.get(org_id=tenant.org)
    held = asyncio.Event()
    receiver.reply("/status", hold=held)
    async with twilio_client(tenant, carrier) as client:
        placed = await client.calls.create_async(
            to=COLLEAGUE,
            from_=number["phoneNumber"],
            url=f"{settings.public_url}{Callback.VOICE.value}",
            status_callback=receiver.url("/status"),
            status_callback_event=["initiated", "completed"],
        )
    await Call.create(
        tenant_id=row.id,
        sid=placed.sid,
        direction="outbound",
        from_address=number["phoneNumber"],
        to_address=COLLEAGUE,
        status="queued",
        number_id=int(number["id"]),
        user_id=agent,
        bridge_to=client_address(identity_of(agent)),
    )

    # When: the callee answers.
    held.set()
    call = await stored_call(placed.sid, lambda c: c.answered_by is not None)

    # Then: the callee was bridged to the agent's browser client, which answered.
    assert call.answered_by == client_address(identity_of(agent))
    assert call.status == "in-progress"
    async with asyncio.timeout(WAIT_SECONDS):
        while not (legs := await legs_of(tenant, carrier, placed.sid)):  # noqa: ASYNC110 - the carrier's dial, seen through its API
            await asyncio.sleep(0.02)
    assert legs == [(number["phoneNumber"], client_address(identity_of(agent)), "completed")]
