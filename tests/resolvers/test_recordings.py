"""Recordings through GraphQL: recordings(filter, first, after), recording(id), their signed audio
URLs and deleteRecording, with recorded calls placed through the sandbox carrier; who sees and
deletes what (through the recording's call), tenants apart, bad input typed."""

from __future__ import annotations

import io
import time
import wave
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException

from tests.resolvers.calling import PlacedCall, recorded_call_completed
from tests.subscriptions.client import subscribe
from tests.support.graphql import error_codes
from tests.support.numbers import next_area_code
from tests.support.tenancy import Tenant
from trunkline.models import ActivityEvent
from trunkline.models import Call as CallRow
from trunkline.models import Recording as RecordingRow
from trunkline.services.media_links import MediaKind, MediaLink, MediaLinks
from trunkline.settings import Settings
from trunkline.twilio import TwilioClients

RECORDINGS = """
query Recordings($filter: RecordingFilter, $first: Int, $after: String) {
  recordings(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    totalCount
  }
}
"""
RECORDING = """
query Recording($id: ID!) {
  recording(id: $id) {
    id sid callId duration status channels price { amount currency } numberId createdAt
    updatedAt url
  }
}
"""
DELETE = """
mutation Delete($id: ID!) {
  deleteRecording(id: $id) {
    __typename
    ... on Recording { id sid status url }
    ... on Error { code message }
    ... on UserInputError { field }
  }
}
"""
RECORDING_EVENTS = """
subscription Seen($after: String) {
  activity(after: $after, channels: [VOICE]) { kind recording { id status } }
}
"""
AMY = "auth0|amy"
BOB = "auth0|bob"


@dataclass(frozen=True)
class Recorded:
    """A tenant's numbers and its recorded calls, by name (newest last)."""

    numbers: dict[str, str]
    calls: dict[str, PlacedCall]

    def recording(self, name: str) -> str:
        recording_id = self.calls[name].recording_id
        assert recording_id is not None
        return recording_id

    def ids(self, *names: str) -> list[str]:
        return [self.recording(name) for name in names]


async def recorded_calls(tenant: Tenant, carrier: str, gateway: str) -> Recorded:
    """Recorded calls: one from Amy's number, one from Bob's, then one from the desk's number
    placed by Amy (its placer written as placeCall would: another part of issue 13)."""
    desk = await tenant.connect_twilio_with_a_number(carrier, area_code=next_area_code())
    amys = await tenant.buy_any_number(area_code=next_area_code(), ownerId=AMY)
    bobs = await tenant.buy_any_number(area_code=next_area_code(), ownerId=BOB)
    calls = {
        "amy": await recorded_call_completed(gateway, carrier, tenant, from_=amys["phoneNumber"]),
        "bob": await recorded_call_completed(gateway, carrier, tenant, from_=bobs["phoneNumber"]),
        "desk": await recorded_call_completed(gateway, carrier, tenant, from_=desk["phoneNumber"]),
    }
    await CallRow.filter(id=int(calls["desk"].call_id)).update(user_id=AMY)
    return Recorded(
        numbers={"desk": desk["id"], "amy": amys["id"], "bob": bobs["id"]},
        calls=calls,
    )


def listed(result: dict[str, Any]) -> list[str]:
    assert "errors" not in result, result
    return [edge["node"]["id"] for edge in result["data"]["recordings"]["edges"]]


async def sandbox_recording(tenant: Tenant, carrier: str, sid: str) -> Any:
    """The recording as the sandbox (Twilio) has it; raises TwilioRestException when gone."""
    assert tenant.account is not None
    clients = TwilioClients(f"{carrier}/twilio", timeout=5.0)
    try:
        client = clients.client_for(0, tenant.account.account_sid, tenant.account.auth_token)
        return await client.recordings(sid).fetch_async()
    finally:
        await clients.aclose()


async def test_recordings_are_listed_newest_first_with_their_fields(
    tenant: Tenant, carrier: str, gateway: str
) -> None:
    recorded = await recorded_calls(tenant, carrier, gateway)

    everything = await tenant.execute(RECORDINGS, as_="admin")
    first_page = await tenant.execute(RECORDINGS, {"first": 2}, as_="admin")
    cursor = first_page["data"]["recordings"]["pageInfo"]["endCursor"]
    second_page = await tenant.execute(RECORDINGS, {"first": 2, "after": cursor}, as_="admin")
    one = (await tenant.execute(RECORDING, {"id": recorded.recording("desk")}, as_="admin"))[
        "data"
    ]["recording"]

    assert listed(everything) == recorded.ids("desk", "bob", "amy")
    assert everything["data"]["recordings"]["totalCount"] == 3
    assert (listed(first_page), listed(second_page)) == (
        recorded.ids("desk", "bob"),
        recorded.ids("amy"),
    )
    assert second_page["data"]["recordings"]["pageInfo"]["hasNextPage"] is False
    desk = recorded.calls["desk"]
    assert (one["sid"], one["callId"], one["numberId"]) == (
        desk.recording_sid,
        desk.call_id,
        recorded.numbers["desk"],
    )
    assert (one["status"], one["duration"], one["channels"]) == ("completed", 3, 1)
    assert one["url"].startswith(f"{gateway}/media/r.")


async def test_a_recordings_price_is_fetched_from_twilio_once_it_is_ready(
    tenant: Tenant, carrier: str, gateway: str
) -> None:
    await tenant.connect_twilio_with_a_number(carrier, area_code=next_area_code())
    number = (await tenant.buy_any_number(area_code=next_area_code()))["phoneNumber"]
    placed = await recorded_call_completed(gateway, carrier, tenant, from_=number)

    # The price is fetched in the background and not announced: read until it is there.
    deadline = time.monotonic() + 10
    price = None
    while price is None and time.monotonic() < deadline:
        result = await tenant.execute(RECORDING, {"id": placed.recording_id}, as_="admin")
        price = result["data"]["recording"]["price"]

    assert price == {"amount": "0.00250", "currency": "USD"}


async def test_the_signed_url_streams_the_audio_and_a_tampered_or_expired_one_is_refused(
    tenant: Tenant, carrier: str, gateway: str, settings: Settings
) -> None:
    await tenant.connect_twilio_with_a_number(carrier, area_code=next_area_code())
    number = (await tenant.buy_any_number(area_code=next_area_code()))["phoneNumber"]
    placed = await recorded_call_completed(gateway, carrier, tenant, from_=number, seconds=2)
    url = (await tenant.execute(RECORDING, {"id": placed.recording_id}, as_="admin"))["data"][
        "recording"
    ]["url"]
    links = MediaLinks(
        settings.fernet_keys, public_url=gateway, ttl_seconds=settings.media_url_ttl_seconds
    )
    tenant_id = int(url.removeprefix(f"{gateway}/media/").split(".")[1])
    recording_id = int(str(placed.recording_id))
    expired = links.url(MediaLink(MediaKind.RECORDING, tenant_id, recording_id, 0, 1_000_000))
    as_message = links.url(MediaLink(MediaKind.MESSAGE, tenant_id, recording_id, 0, links.expiry()))
    head, signature = url.rsplit(".", 1)
    tampered = f"{head}.{signature[::-1]}"

    async with httpx.AsyncClient() as http:
        audio = await http.get(url)
        refused = {
            name: (await http.get(link)).status_code
            for name, link in (
                ("tampered", tampered),
                ("expired", expired),
                ("another kind", as_message),
            )
        }

    assert audio.status_code == 200
    assert audio.headers["content-type"] == "audio/x-wav"
    assert audio.headers["content-disposition"] == "inline"
    with wave.open(io.BytesIO(audio.content)) as sound:
        assert sound.getnframes() / sound.getframerate() == 2.0
    assert refused == {"tampered": 403, "expired": 403, "another kind": 403}


# Who sees which recordings of `recorded_calls`: through their calls (admins all; Amy her number's
# and the call she placed from the desk's; Bob his number's; support none).
VIEWERS: dict[str, tuple[tuple[str, ...], str, list[str]]] = {
    "admin": (("admin",), "auth0|admin", ["desk", "bob", "amy"]),
    "Amy": ((), AMY, ["desk", "amy"]),
    "Bob": ((), BOB, ["bob"]),
    "support": (("support",), "auth0|sue", []),
}


async def test_each_role_lists_and_reads_exactly_the_recordings_of_the_calls_it_sees(
    tenant: Tenant, carrier: str, gateway: str
) -> None:
    recorded = await recorded_calls(tenant, carrier, gateway)

    found: dict[str, tuple[list[str], int, set[str], list[str]]] = {}
    for viewer, (roles, sub, _) in VIEWERS.items():
        token = tenant.token(*roles, sub=sub)
        page = await tenant.graphql.execute(RECORDINGS, token=token)
        read = {
            name
            for name in recorded.calls
            if (
                await tenant.graphql.execute(
                    RECORDING, {"id": recorded.recording(name)}, token=token
                )
            )["data"]["recording"]
            is not None
        }
        of_desk_call = await tenant.graphql.execute(
            RECORDINGS, {"filter": {"callId": recorded.calls["desk"].call_id}}, token=token
        )
        found[viewer] = (
            listed(page),
            page["data"]["recordings"]["totalCount"],
            read,
            listed(of_desk_call),
        )

    assert found == {
        viewer: (
            recorded.ids(*names),
            len(names),
            set(names),
            recorded.ids("desk") if "desk" in names else [],
        )
        for viewer, (_, _, names) in VIEWERS.items()
    }


async def test_recordings_filter_by_call_number_and_window(
    tenant: Tenant, carrier: str, gateway: str
) -> None:
    recorded = await recorded_calls(tenant, carrier, gateway)
    created = {
        name: (await RecordingRow.get(id=int(recorded.recording(name)))).created_at.isoformat()
        for name in recorded.calls
    }
    filters: dict[str, tuple[dict[str, Any], list[str]]] = {
        "Bob's call": ({"callId": recorded.calls["bob"].call_id}, ["bob"]),
        "Amy's number": ({"numberId": recorded.numbers["amy"]}, ["amy"]),
        "the desk's number": ({"numberId": recorded.numbers["desk"]}, ["desk"]),
        "Bob's call on Amy's number": (
            {"callId": recorded.calls["bob"].call_id, "numberId": recorded.numbers["amy"]},
            [],
        ),
        "since Bob's": ({"since": created["bob"]}, ["desk", "bob"]),
        "until Bob's": ({"until": created["bob"]}, ["amy"]),
        "from Bob's to the desk's": ({"since": created["bob"], "until": created["desk"]}, ["bob"]),
    }

    found = {}
    for name, (wanted, _) in filters.items():
        result = await tenant.execute(RECORDINGS, {"filter": wanted}, as_="admin")
        found[name] = (listed(result), result["data"]["recordings"]["totalCount"])

    assert found == {
        name: (recorded.ids(*names), len(names)) for name, (_, names) in filters.items()
    }


async def test_deleting_a_recording_removes_it_at_twilio_marks_it_and_announces_it_once(
    tenant: Tenant, carrier: str, gateway: str
) -> None:
    recorded = await recorded_calls(tenant, carrier, gateway)
    desk = recorded.calls["desk"]
    url = (await tenant.execute(RECORDING, {"id": desk.recording_id}, as_="admin"))["data"][
        "recording"
    ]["url"]
    events_before = await ActivityEvent.filter(tenant__org_id=tenant.org).count()

    # When: Amy, who placed the call, deletes its recording, then deletes it again.
    deleted = await tenant.graphql.execute(
        DELETE, {"id": desk.recording_id}, token=tenant.token(sub=AMY)
    )
    again = await tenant.graphql.execute(
        DELETE, {"id": desk.recording_id}, token=tenant.token(sub=AMY)
    )

    # Then: gone at Twilio, `deleted` here without a url, the old link refused, one event.
    assert deleted["data"]["deleteRecording"] == {
        "__typename": "Recording",
        "id": desk.recording_id,
        "sid": desk.recording_sid,
        "status": "deleted",
        "url": None,
    }
    assert again["data"]["deleteRecording"] == deleted["data"]["deleteRecording"]
    with pytest.raises(TwilioRestException) as raised:
        await sandbox_recording(tenant, carrier, str(desk.recording_sid))
    assert raised.value.status == 404
    async with httpx.AsyncClient() as http:
        assert (await http.get(url)).status_code == 403
    events = await ActivityEvent.filter(tenant__org_id=tenant.org, seq__gt=0).order_by("seq")
    added = events[events_before:]
    assert [(e.kind, e.entity_id) for e in added] == [
        ("RECORDING_STATUS", int(str(desk.recording_id)))
    ]
    async with subscribe(
        gateway, tenant.token(sub=AMY), RECORDING_EVENTS, {"after": str(events[-1].seq - 1)}
    ) as subscriber:
        # Amy's stream shows it: the recording of a call she placed (another number's).
        assert (await subscriber.next())["activity"] == {
            "kind": "RECORDING_STATUS",
            "recording": {"id": desk.recording_id, "status": "deleted"},
        }


async def test_a_recording_deleted_at_twilio_already_counts_as_deleted(
    tenant: Tenant, carrier: str, gateway: str
) -> None:
    await tenant.connect_twilio_with_a_number(carrier, area_code=next_area_code())
    number = (await tenant.buy_any_number(area_code=next_area_code()))["phoneNumber"]
    placed = await recorded_call_completed(gateway, carrier, tenant, from_=number)
    assert tenant.account is not None
    clients = TwilioClients(f"{carrier}/twilio", timeout=5.0)
    try:
        client = clients.client_for(0, tenant.account.account_sid, tenant.account.auth_token)
        assert await client.recordings(str(placed.recording_sid)).delete_async() is True
    finally:
        await clients.aclose()

    result = await tenant.execute(DELETE, {"id": placed.recording_id}, as_="admin")

    assert result["data"]["deleteRecording"]["status"] == "deleted"


async def test_only_those_who_see_a_recording_may_delete_it_and_others_change_nothing(
    tenant: Tenant, other_tenant: Tenant, carrier: str, gateway: str
) -> None:
    recorded = await recorded_calls(tenant, carrier, gateway)
    theirs = await recorded_calls(other_tenant, carrier, gateway)
    attempts = {
        "Bob, Amy's number's": (tenant.token(sub=BOB), recorded.recording("amy")),
        "Bob, the desk's placed by Amy": (tenant.token(sub=BOB), recorded.recording("desk")),
        "support": (tenant.token("support", sub="auth0|sue"), recorded.recording("amy")),
        "an admin of another tenant": (other_tenant.token("admin"), recorded.recording("bob")),
        "an admin, absent": (tenant.token("admin"), "9223372036854775807"),
        "Amy, another tenant's Amy's": (tenant.token(sub=AMY), theirs.recording("amy")),
    }

    answers = {
        name: (await tenant.graphql.execute(DELETE, {"id": recording_id}, token=token))["data"][
            "deleteRecording"
        ]
        for name, (token, recording_id) in attempts.items()
    }
    bad = await tenant.execute(DELETE, {"id": "RE123"}, as_="admin")
    owner = await tenant.graphql.execute(
        DELETE, {"id": recorded.recording("bob")}, token=tenant.token(sub=BOB)
    )

    assert answers == {
        name: {"__typename": "NotFoundError", "code": "NOT_FOUND", "message": "Recording not found"}
        for name in attempts
    }
    assert bad["data"]["deleteRecording"]["__typename"] == "UserInputError"
    assert bad["data"]["deleteRecording"]["field"] == "id"
    assert owner["data"]["deleteRecording"]["status"] == "deleted"
    statuses = {
        name: (await RecordingRow.get(id=int(recorded.recording(name)))).status
        for name in recorded.calls
    }
    assert statuses == {"amy": "completed", "desk": "completed", "bob": "deleted"}
    for name in ("amy", "desk"):
        sid = str(recorded.calls[name].recording_sid)
        assert (await sandbox_recording(tenant, carrier, sid)).sid == sid
    their_status = await RecordingRow.get(id=int(theirs.recording("amy")))
    assert their_status.status == "completed"


async def test_recordings_bad_input_is_typed_and_callers_without_an_organization_are_refused(
    tenant: Tenant, carrier: str
) -> None:
    await tenant.connect_twilio(carrier)
    no_org = tenant.identity.token(org=None, sub="auth0|pat", roles=["platform-admin"])

    answers = {
        name: await tenant.execute(query, variables, as_="admin")
        for name, (query, variables) in {
            "a call id not a number": (RECORDINGS, {"filter": {"callId": "CA1"}}),
            "a cursor of calls": (RECORDINGS, {"after": "Y2FsbDox"}),
            "since after until": (
                RECORDINGS,
                {"filter": {"since": "2026-11-30T10:00:00Z", "until": "2026-11-30T10:00:00Z"}},
            ),
            "an id not a number": (RECORDING, {"id": "RE1"}),
        }.items()
    }
    refused = [
        error_codes(await tenant.graphql.execute(RECORDINGS, token=no_org)),
        error_codes(await tenant.graphql.execute(RECORDING, {"id": "1"}, token=None)),
        error_codes(await tenant.graphql.execute(DELETE, {"id": "1"}, token=None)),
    ]

    assert {
        name: (error_codes(result), [e["extensions"].get("field") for e in result["errors"]])
        for name, result in answers.items()
    } == {
        "a call id not a number": (["BAD_USER_INPUT"], ["filter.callId"]),
        "a cursor of calls": (["BAD_USER_INPUT"], ["after"]),
        "since after until": (["BAD_USER_INPUT"], ["filter.until"]),
        "an id not a number": (["BAD_USER_INPUT"], ["id"]),
    }
    assert refused == [["FORBIDDEN"], ["UNAUTHENTICATED"], ["UNAUTHENTICATED"]]


async def test_deleting_with_twilio_disabled_is_a_typed_error_and_deletes_nothing(
    tenant: Tenant, carrier: str, gateway: str
) -> None:
    await tenant.connect_twilio_with_a_number(carrier, area_code=next_area_code())
    number = (await tenant.buy_any_number(area_code=next_area_code()))["phoneNumber"]
    placed = await recorded_call_completed(gateway, carrier, tenant, from_=number)
    disabled = await tenant.execute(
        "mutation { setTwilioEnabled(enabled: false) { __typename } }", as_="support"
    )
    assert "errors" not in disabled, disabled

    result = await tenant.execute(DELETE, {"id": placed.recording_id}, as_="admin")

    assert result["data"]["deleteRecording"]["__typename"] == "TwilioNotConfiguredError"
    assert result["data"]["deleteRecording"]["code"] == "TWILIO_NOT_CONFIGURED"
    assert (await RecordingRow.get(id=int(str(placed.recording_id)))).status == "completed"
    recording = await sandbox_recording(tenant, carrier, str(placed.recording_sid))
    assert recording.status == "completed"
