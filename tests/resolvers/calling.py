"""Calls made by real traffic through the sandbox carrier: inbound calls from "phones" (its control
API) and calls placed with the twilio library on the tenant's sandbox account, reporting to the
gateway's voice webhooks; each helper returns once the gateway has stored what it made (seen on
the tenant's activity stream, replayed from its start: nothing can pass unseen)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from twilio.request_validator import RequestValidator

from tests.subscriptions.client import subscribe
from tests.support.tenancy import Tenant
from trunkline.twilio import TwilioClients

ACTIVITY = """
subscription Seen($after: String) {
  activity(after: $after, channels: [VOICE]) {
    kind call { id sid status } recording { id sid status callId }
  }
}
"""
CALL_STATUS = "/webhooks/twilio/call-status"
RECORDING_STATUS = "/webhooks/twilio/recording-status"
CALLEE = "+14155550177"  # answers (not one of the sandbox's busy or failing numbers)
FINAL = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})


@dataclass(frozen=True)
class PlacedCall:
    call_id: str
    sid: str
    recording_id: str | None
    recording_sid: str | None


async def calls_seen(
    gateway: str, tenant: Tenant, sids: set[str], *, recordings: int = 0
) -> dict[str, dict[str, Any]]:
    """Wait until each call of ``sids`` is final, and ``recordings`` recordings of them ready;
    by call sid, ``{"id", "recordings": [(id, sid)]}``."""
    found: dict[str, dict[str, Any]] = {}
    ready = 0
    async with subscribe(gateway, tenant.token("admin"), ACTIVITY, {"after": "0"}) as subscriber:
        while len([s for s in found.values() if s["final"]]) < len(sids) or ready < recordings:
            event = (await subscriber.next())["activity"]
            call, recording = event["call"], event["recording"]
            if call and call["sid"] in sids:
                entry = found.setdefault(call["sid"], {"id": call["id"], "recordings": []})
                entry["final"] = entry.get("final", False) or call["status"] in FINAL
            if event["kind"] == "RECORDING_READY" and recording:
                for entry in found.values():
                    if entry["id"] == recording["callId"]:
                        entry["recordings"].append((recording["id"], recording["sid"]))
                        ready += 1
    return found


async def inbound_call_completed(gateway: str, carrier: str, tenant: Tenant, *, to: str) -> str:
    """A phone calls ``to`` (a sandbox number of the tenant's) and hangs up; the call's id."""
    async with httpx.AsyncClient(base_url=carrier) as control:
        response = await control.post(
            "/control/inbound/call", json={"to": to, "from": "+14155550188"}
        )
    assert response.status_code == 202, response.text
    sid = response.json()["sid"]
    return str((await calls_seen(gateway, tenant, {sid}))[sid]["id"])


async def recorded_call_completed(
    gateway: str, carrier: str, tenant: Tenant, *, from_: str, seconds: int = 3
) -> PlacedCall:
    """A call from ``from_`` (the tenant's number) placed on the tenant's account with
    ``Record=true`` and every progress event reported to the gateway; once completed and its
    recording ready."""
    assert tenant.account is not None
    clients = TwilioClients(f"{carrier}/twilio", timeout=5.0)
    try:
        account = tenant.account
        client = clients.client_for(0, account.account_sid, account.auth_token)
        call = await client.calls.create_async(
            to=CALLEE,
            from_=from_,
            twiml=f"<Response><Pause length='{seconds}'/></Response>",
            record=True,
            status_callback=f"{gateway}{CALL_STATUS}",
            status_callback_event=["initiated", "ringing", "answered", "completed"],
            recording_status_callback=f"{gateway}{RECORDING_STATUS}",
        )
    finally:
        await clients.aclose()
    seen = (await calls_seen(gateway, tenant, {call.sid}, recordings=1))[call.sid]
    recording_id, recording_sid = seen["recordings"][0]
    return PlacedCall(
        call_id=str(seen["id"]),
        sid=call.sid,
        recording_id=str(recording_id),
        recording_sid=recording_sid,
    )


async def signed_callbacks(
    gateway: str, tenant: Tenant, path: str, deliveries: list[list[tuple[str, str]]]
) -> None:
    """Post ``deliveries`` to the gateway's ``path`` as Twilio would: each signed with the
    tenant's auth token, one after another."""
    assert tenant.account is not None
    validator = RequestValidator(tenant.account.auth_token)
    async with httpx.AsyncClient(base_url=gateway) as http:
        for params in deliveries:
            signature = validator.compute_signature(f"{gateway}{path}", dict(params))
            response = await http.post(
                path,
                content=urlencode(params),
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Twilio-Signature": signature,
                },
            )
            assert response.status_code == 200, response.text


async def reported_calls(
    gateway: str, tenant: Tenant, *, from_: str, count: int
) -> list[tuple[str, str]]:
    """``count`` completed calls from ``from_`` (the tenant's number), each with one recording,
    as Twilio reports calls placed outside the gateway; their ``(call sid, recording sid)``."""
    assert tenant.account is not None
    account = tenant.account.account_sid
    made = [("CA" + uuid.uuid4().hex, "RE" + uuid.uuid4().hex) for _ in range(count)]
    await signed_callbacks(
        gateway,
        tenant,
        CALL_STATUS,
        [
            [
                ("AccountSid", account),
                ("CallSid", call),
                ("CallStatus", "completed"),
                ("Direction", "outbound-api"),
                ("From", from_),
                ("To", CALLEE),
                ("Timestamp", "Mon, 30 Nov 2026 10:01:07 +0000"),
                ("CallDuration", "62"),
                ("Price", "-0.02800"),
                ("PriceUnit", "USD"),
            ]
            for call, _ in made
        ],
    )
    await signed_callbacks(
        gateway,
        tenant,
        RECORDING_STATUS,
        [
            [
                ("AccountSid", account),
                ("CallSid", call),
                ("RecordingSid", recording),
                ("RecordingStatus", "completed"),
                ("RecordingDuration", "60"),
                (
                    "RecordingUrl",
                    f"https://api.twilio.com/2010-04-01/Accounts/{account}/Recordings/{recording}",
                ),
            ]
            for call, recording in made
        ],
    )
    return made
