"""Voice end to end, each step through the public API and the sandbox carrier, nothing stood in:

- a browser call: support provisions the TwiML App and API key, the agent asks for a Voice SDK
  token, the agent's browser dials out through that app (the sandbox's client-call), the gateway
  lets it dial from the agent's own number, and the call log shows it placed by the agent with
  its price and times; the same token refused on a colleague's number is a failed call;
- a placed call: ``placeCall(record: true)`` bridges the callee to the agent's browser client,
  its statuses arrive live, its recording becomes ready and is listed, its signed link streams
  the audio, and ``deleteRecording`` removes it at the carrier and announces it.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException

from tests.resolvers.test_call_answering import (
    COLLEAGUE,
    ended,
    number_with_owner,
    stored_call,
    twilio_client,
)
from tests.subscriptions.client import subscribe
from tests.support.tenancy import Tenant
from trunkline.services.voice_identity import client_address

PROVISION = """
mutation {
  provisionVoice {
    __typename
    ... on VoiceProvisioning { twimlAppSid apiKeySid }
    ... on Error { code message }
  }
}
"""
TOKEN = """
mutation {
  createVoiceAccessToken {
    __typename
    ... on VoiceAccessToken { token identity expiresAt }
    ... on Error { code message }
  }
}
"""
PLACE = """
mutation Place($input: PlaceCallInput!) {
  placeCall(input: $input) {
    __typename
    ... on Call { id sid status }
    ... on Error { code message }
  }
}
"""
CALLS = """
query Mine {
  calls(filter: {mine: true}) {
    totalCount
    edges {
      node {
        id sid direction from to status refusal placedBy answeredBy startTime endTime
        price { amount currency }
      }
    }
  }
}
"""
CALL = """
query One($id: ID!) {
  call(id: $id) {
    status answeredBy placedBy startTime endTime price { amount currency }
    recordings { id status }
  }
}
"""
RECORDINGS = """
query Of($callId: ID!) {
  recordings(filter: {callId: $callId}) {
    totalCount
    edges { node { id sid callId status channels duration url createdAt } }
  }
}
"""
DELETE = """
mutation Delete($id: ID!) {
  deleteRecording(id: $id) {
    __typename
    ... on Recording { id status url }
    ... on Error { code message }
  }
}
"""
FEED = """
subscription {
  activity(channels: [VOICE]) {
    kind call { id status } recording { id sid callId status }
  }
}
"""


def agent() -> str:
    return f"auth0|{uuid.uuid4().hex[:10]}"


async def as_user(tenant: Tenant, user_id: str, query: str, **variables: Any) -> dict[str, Any]:
    """``query`` as ``user_id``, an agent (a member with no roles)."""
    result = await tenant.graphql.execute(query, variables, token=tenant.token(sub=user_id))
    assert "errors" not in result, result
    return result["data"]


async def provisioned(tenant: Tenant) -> str:
    """Support provisions browser calling; the TwiML App's sid."""
    result = await tenant.execute(PROVISION, as_="support")
    provisioning = result["data"]["provisionVoice"]
    assert provisioning["__typename"] == "VoiceProvisioning", provisioning
    sid: str = provisioning["twimlAppSid"]
    return sid


async def browser_dials(
    tenant: Tenant, carrier: str, *, application: str, identity: str, to: str, caller_id: str
) -> str:
    """The browser client ``identity`` dials ``to`` through the TwiML App; the call's sid."""
    assert tenant.account is not None
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


async def test_an_agents_browser_calls_from_their_number_with_a_token_of_the_provisioned_app(
    tenant: Tenant, carrier: str
) -> None:
    amy, bob = agent(), agent()
    number = await number_with_owner(tenant, carrier, amy)
    application = await provisioned(tenant)
    amys = (await as_user(tenant, amy, TOKEN))["createVoiceAccessToken"]
    bobs = (await as_user(tenant, bob, TOKEN))["createVoiceAccessToken"]

    allowed = await browser_dials(
        tenant,
        carrier,
        application=application,
        identity=amys["identity"],
        to=COLLEAGUE,
        caller_id=number["phoneNumber"],
    )
    refused = await browser_dials(
        tenant,
        carrier,
        application=application,
        identity=bobs["identity"],
        to=COLLEAGUE,
        caller_id=number["phoneNumber"],
    )
    await stored_call(allowed, lambda call: ended(call) and call.price is not None)
    await stored_call(refused, ended)

    amys_calls = (await as_user(tenant, amy, CALLS))["calls"]
    bobs_calls = (await as_user(tenant, bob, CALLS))["calls"]
    assert amys_calls["totalCount"] == 1
    call = amys_calls["edges"][0]["node"]
    assert {key: call[key] for key in ("sid", "direction", "from", "to", "status")} == {
        "sid": allowed,
        "direction": "OUTBOUND",
        "from": number["phoneNumber"],
        "to": COLLEAGUE,
        "status": "completed",
    }
    assert (call["placedBy"], call["answeredBy"], call["refusal"]) == (amy, COLLEAGUE, None)
    assert Decimal(call["price"]["amount"]) > 0
    assert call["price"]["currency"] == "USD"
    assert call["startTime"] is not None
    assert call["startTime"] <= call["endTime"]
    # Bob may hold a token, but not Amy's number: his attempt is a failed call, placed by him,
    # that reached nobody.
    assert bobs_calls["totalCount"] == 1
    attempt = bobs_calls["edges"][0]["node"]
    assert (attempt["sid"], attempt["status"], attempt["refusal"]) == (
        refused,
        "failed",
        "UNAUTHORIZED",
    )
    assert (attempt["placedBy"], attempt["answeredBy"]) == (bob, None)
    async with twilio_client(tenant, carrier) as client:
        assert await client.calls.list_async(parent_call_sid=refused) == []


async def test_a_recorded_placed_call_is_bridged_and_its_recording_listed_streamed_and_deleted(
    tenant: Tenant, carrier: str, gateway: str
) -> None:
    amy = agent()
    number = await number_with_owner(tenant, carrier, amy)
    await provisioned(tenant)
    identity = (await as_user(tenant, amy, TOKEN))["createVoiceAccessToken"]["identity"]

    async with subscribe(gateway, tenant.token(sub=amy), FEED) as feed:
        placed = await as_user(
            tenant,
            amy,
            PLACE,
            input={"numberId": number["id"], "to": "+14155550177", "record": True},
        )
        call = placed["placeCall"]
        assert call["__typename"] == "Call", call
        statuses: list[str] = []
        ready: dict[str, Any] | None = None
        while ready is None or statuses[-1:] != ["completed"]:
            event = (await feed.next())["activity"]
            if event["kind"] == "CALL_STATUS" and event["call"]["id"] == call["id"]:
                statuses.append(event["call"]["status"])
            elif event["kind"] == "RECORDING_READY":
                ready = event["recording"]
        assert ready["callId"] == call["id"]
        assert statuses[0] in {"queued", "initiated"}
        assert "in-progress" in statuses

        listed = (await as_user(tenant, amy, RECORDINGS, callId=call["id"]))["recordings"]
        assert listed["totalCount"] == 1
        recording = listed["edges"][0]["node"]
        assert (recording["sid"], recording["status"]) == (ready["sid"], "completed")
        async with httpx.AsyncClient() as http:
            audio = await http.get(recording["url"])
        assert audio.status_code == 200
        assert audio.headers["content-type"].startswith("audio/")
        assert len(audio.content) > 0

        deleted = (await as_user(tenant, amy, DELETE, id=recording["id"]))["deleteRecording"]
        assert (deleted["__typename"], deleted["status"], deleted["url"]) == (
            "Recording",
            "deleted",
            None,
        )
        while True:
            event = (await feed.next())["activity"]
            if event["kind"] == "RECORDING_STATUS" and event["recording"]["id"] == recording["id"]:
                assert event["recording"]["status"] == "deleted"
                break

    async with twilio_client(tenant, carrier) as client:
        with pytest.raises(TwilioRestException) as gone:
            await client.recordings(recording["sid"]).fetch_async()
    assert gone.value.status == 404
    details = (await as_user(tenant, amy, CALL, id=call["id"]))["call"]
    assert details["answeredBy"] == client_address(identity)
    assert details["placedBy"] == amy
    assert Decimal(details["price"]["amount"]) > 0
    assert details["startTime"] <= details["endTime"]
    assert details["recordings"] == [{"id": recording["id"], "status": "deleted"}]


async def test_a_user_with_a_long_subject_calls_from_the_browser_all_the_same(
    tenant: Tenant, carrier: str
) -> None:
    # Twilio writes the browser as From=client:<identity>, stored (and parsed) as a call's From
    # (64 characters): the identity must leave room for the prefix, whatever the subject's length.
    long_sub = "google-oauth2|" + "1" * 100
    number = await number_with_owner(tenant, carrier, long_sub)
    application = await provisioned(tenant)
    token = (await as_user(tenant, long_sub, TOKEN))["createVoiceAccessToken"]

    sid = await browser_dials(
        tenant,
        carrier,
        application=application,
        identity=token["identity"],
        to=COLLEAGUE,
        caller_id=number["phoneNumber"],
    )
    call = await stored_call(sid, ended)

    assert len(client_address(token["identity"])) <= 64
    assert (call.user_id, call.refusal, call.answered_by) == (long_sub, None, COLLEAGUE)
