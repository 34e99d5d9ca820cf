"""Call logs through GraphQL: calls(filter, first, after) and call(id), made by real traffic
through the sandbox carrier; prices and times captured, who sees what, pages, filters, bad
input, tenants apart."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from tests.resolvers.calling import (
    CALL_STATUS,
    CALLEE,
    PlacedCall,
    inbound_call_completed,
    recorded_call_completed,
    signed_callbacks,
)
from tests.subscriptions.client import subscribe
from tests.support.graphql import error_codes
from tests.support.numbers import next_area_code
from tests.support.tenancy import Tenant
from trunkline.models import Call as CallRow
from trunkline.services.keys import encode_keyset_cursor

CALLS = """
query Calls($filter: CallFilter, $first: Int, $after: String) {
  calls(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    totalCount
  }
}
"""
CALL = """
query Call($id: ID!) {
  call(id: $id) {
    id sid direction from to status duration price { amount currency } startTime endTime
    placedBy answeredBy refusal statusHistory { status at applied } numberId createdAt updatedAt
    number { id phoneNumber ownerId }
    recordings { id sid callId duration status channels price { amount currency } url }
  }
}
"""
CALL_BY_SID = "query BySid($sid: String!) { callBySid(sid: $sid) { id sid } }"
AMY = "auth0|amy"
BOB = "auth0|bob"
CARL = "auth0|carl"  # an agent with no number and no call


@dataclass(frozen=True)
class CallLog:
    """A tenant's numbers and calls, by name; ``newest_first`` as the gateway lists them."""

    numbers: dict[str, str]
    phones: dict[str, str]
    calls: dict[str, str]
    placed: PlacedCall

    @property
    def newest_first(self) -> list[str]:
        return ["desk_out", "bob_in", "amy_in"]

    def ids(self, *names: str) -> list[str]:
        return [self.calls[name] for name in names]


async def a_call_log(tenant: Tenant, carrier: str, gateway: str) -> CallLog:
    """The desk's number (assigned to nobody), Amy's and Bob's; a phone calls Amy, then Bob; then
    a recorded call goes out from the desk's number, placed by Amy. Each is stored before the
    next is made, so they are in that order.

    Placing calls through the gateway (placeCall, the browser) is another part of issue 13: the
    call is placed on the tenant's account with the twilio library, as Twilio would report it,
    and its placer is written as those would write it (``Call.user_id``).
    """
    desk = await tenant.connect_twilio_with_a_number(carrier, area_code=next_area_code())
    amys = await tenant.buy_any_number(area_code=next_area_code(), ownerId=AMY)
    bobs = await tenant.buy_any_number(area_code=next_area_code(), ownerId=BOB)
    amy_in = await inbound_call_completed(gateway, carrier, tenant, to=amys["phoneNumber"])
    bob_in = await inbound_call_completed(gateway, carrier, tenant, to=bobs["phoneNumber"])
    placed = await recorded_call_completed(gateway, carrier, tenant, from_=desk["phoneNumber"])
    await CallRow.filter(id=int(placed.call_id)).update(user_id=AMY)
    bought = {"desk": desk, "amy": amys, "bob": bobs}
    return CallLog(
        numbers={name: number["id"] for name, number in bought.items()},
        phones={name: number["phoneNumber"] for name, number in bought.items()},
        calls={"amy_in": amy_in, "bob_in": bob_in, "desk_out": placed.call_id},
        placed=placed,
    )


def listed(result: dict[str, Any]) -> list[str]:
    assert "errors" not in result, result
    return [edge["node"]["id"] for edge in result["data"]["calls"]["edges"]]


async def test_calls_are_listed_newest_first_with_price_times_placer_and_recordings(
    tenant: Tenant, carrier: str, gateway: str
) -> None:
    log = await a_call_log(tenant, carrier, gateway)

    everything = await tenant.execute(CALLS, as_="admin")
    placed = (await tenant.execute(CALL, {"id": log.calls["desk_out"]}, as_="admin"))["data"]
    received = (await tenant.execute(CALL, {"id": log.calls["amy_in"]}, as_="admin"))["data"]

    assert listed(everything) == log.ids(*log.newest_first)
    assert everything["data"]["calls"]["totalCount"] == 3
    out = placed["call"]
    assert (out["sid"], out["direction"], out["from"], out["to"], out["status"]) == (
        log.placed.sid,
        "OUTBOUND",
        log.phones["desk"],
        CALLEE,
        "completed",
    )
    assert (out["placedBy"], out["refusal"]) == (AMY, None)
    assert (out["numberId"], out["number"]["id"]) == (log.numbers["desk"],) * 2
    # Twilio's -0.01400 for a minute or part of one, shown as what was paid.
    assert (Decimal(out["price"]["amount"]), out["price"]["currency"]) == (Decimal("0.014"), "USD")
    assert [(c["status"], c["applied"]) for c in out["statusHistory"]] == [
        ("initiated", True),
        ("ringing", True),
        ("in-progress", True),
        ("completed", True),
    ]
    # Started when answered (the in-progress callback's Timestamp), ended at the completed one's
    # (the sandbox's clock stands still while a call pauses: the same second, here).
    start, end = datetime.fromisoformat(out["startTime"]), datetime.fromisoformat(out["endTime"])
    created = datetime.fromisoformat(out["createdAt"])
    assert created - timedelta(seconds=1) <= start <= end
    assert out["duration"] == 3
    assert datetime.fromisoformat(out["updatedAt"]) >= datetime.fromisoformat(out["createdAt"])
    [recording] = out["recordings"]
    assert (recording["id"], recording["sid"], recording["callId"]) == (
        log.placed.recording_id,
        log.placed.recording_sid,
        log.calls["desk_out"],
    )
    assert (recording["status"], recording["duration"], recording["channels"]) == (
        "completed",
        3,
        1,
    )
    assert recording["url"].startswith(f"{gateway}/media/r.")
    inbound = received["call"]
    assert (inbound["direction"], inbound["to"], inbound["placedBy"]) == (
        "INBOUND",
        log.phones["amy"],
        None,
    )
    assert inbound["number"] == {
        "id": log.numbers["amy"],
        "phoneNumber": log.phones["amy"],
        "ownerId": AMY,
    }
    assert inbound["status"] == "completed"
    assert Decimal(inbound["price"]["amount"]) > 0
    # Only `completed` was reported: it ended at its Timestamp, started CallDuration before.
    assert inbound["duration"] > 0
    assert datetime.fromisoformat(inbound["endTime"]) - datetime.fromisoformat(
        inbound["startTime"]
    ) == timedelta(seconds=inbound["duration"])
    assert inbound["recordings"] == []


async def test_pages_follow_each_other_without_overlap_or_gap(
    tenant: Tenant, carrier: str, gateway: str
) -> None:
    log = await a_call_log(tenant, carrier, gateway)

    pages = [await tenant.execute(CALLS, {"first": 2}, as_="admin")]
    while pages[-1]["data"]["calls"]["pageInfo"]["hasNextPage"]:
        cursor = pages[-1]["data"]["calls"]["pageInfo"]["endCursor"]
        pages.append(await tenant.execute(CALLS, {"first": 2, "after": cursor}, as_="admin"))

    assert [listed(page) for page in pages] == [log.ids("desk_out", "bob_in"), log.ids("amy_in")]
    infos = [page["data"]["calls"]["pageInfo"] for page in pages]
    assert [info["hasPreviousPage"] for info in infos] == [False, True]
    assert [page["data"]["calls"]["totalCount"] for page in pages] == [3, 3]
    for page, info in zip(pages, infos, strict=True):
        edges = page["data"]["calls"]["edges"]
        assert (info["startCursor"], info["endCursor"]) == (edges[0]["cursor"], edges[-1]["cursor"])


# Every filter, and the calls of `a_call_log` it lets through for an admin and for Amy (an agent:
# her number's call, and the call she placed from the desk's number).
FILTERS: dict[str, tuple[dict[str, Any], list[str], list[str]]] = {
    "none": ({}, ["desk_out", "bob_in", "amy_in"], ["desk_out", "amy_in"]),
    "Amy's number": ({"numberId": "amy"}, ["amy_in"], ["amy_in"]),
    "Bob's number": ({"numberId": "bob"}, ["bob_in"], []),
    "the desk's number": ({"numberId": "desk"}, ["desk_out"], ["desk_out"]),
    "outbound": ({"direction": "OUTBOUND"}, ["desk_out"], ["desk_out"]),
    "inbound": ({"direction": "INBOUND"}, ["bob_in", "amy_in"], ["amy_in"]),
    "completed": (
        {"status": "completed"},
        ["desk_out", "bob_in", "amy_in"],
        ["desk_out", "amy_in"],
    ),
    "no answer": ({"status": "no-answer"}, [], []),
    "a status never heard of": ({"status": "teleported"}, [], []),
    "mine": ({"mine": True}, [], ["desk_out"]),
    "not only mine": ({"mine": False}, ["desk_out", "bob_in", "amy_in"], ["desk_out", "amy_in"]),
    "mine, inbound": ({"mine": True, "direction": "INBOUND"}, [], []),
    "from Bob's to the desk's": ({"since": "bob_in", "until": "desk_out"}, ["bob_in"], []),
    "since Bob's": ({"since": "bob_in"}, ["desk_out", "bob_in"], ["desk_out"]),
    "until Bob's": ({"until": "bob_in"}, ["amy_in"], ["amy_in"]),
}


async def test_each_filter_narrows_what_admins_and_agents_see(
    tenant: Tenant, carrier: str, gateway: str
) -> None:
    log = await a_call_log(tenant, carrier, gateway)
    created = {
        name: (await CallRow.get(id=int(call_id))).created_at.isoformat()
        for name, call_id in log.calls.items()
    }

    def concrete(wanted: dict[str, Any]) -> dict[str, Any]:
        values = dict(wanted)
        if "numberId" in values:
            values["numberId"] = log.numbers[values["numberId"]]
        for bound in ("since", "until"):
            if bound in values:
                values[bound] = created[values[bound]]
        return values

    found: dict[tuple[str, str], tuple[list[str], int]] = {}
    expected: dict[tuple[str, str], tuple[list[str], int]] = {}
    for name, (wanted, for_admin, for_amy) in FILTERS.items():
        for viewer, token, names in (
            # The admin placed nothing: `mine` narrows their log to nothing.
            ("admin", tenant.token("admin"), for_admin),
            ("Amy", tenant.token(sub=AMY), for_amy),
        ):
            result = await tenant.graphql.execute(CALLS, {"filter": concrete(wanted)}, token=token)
            found[name, viewer] = (listed(result), result["data"]["calls"]["totalCount"])
            expected[name, viewer] = (log.ids(*names), len(names))

    assert found == expected


# Who reads, and what of `a_call_log` they see: admins everything, agents their numbers' calls and
# the calls they placed; support and platform admins are agents here (they own no number).
VIEWERS: dict[str, tuple[tuple[str, ...], str, list[str]]] = {
    "admin": (("admin",), "auth0|admin", ["desk_out", "bob_in", "amy_in"]),
    "Amy": ((), AMY, ["desk_out", "amy_in"]),
    "Bob": ((), BOB, ["bob_in"]),
    "Carl": ((), CARL, []),
    "support": (("support",), "auth0|sue", []),
    "platform admin": (("platform-admin",), "auth0|pat", []),
}


async def test_each_role_lists_and_reads_exactly_the_calls_it_may_see(
    tenant: Tenant, carrier: str, gateway: str
) -> None:
    log = await a_call_log(tenant, carrier, gateway)

    found: dict[str, tuple[list[str], int, set[str]]] = {}
    for viewer, (roles, sub, _) in VIEWERS.items():
        token = tenant.token(*roles, sub=sub)
        page = await tenant.graphql.execute(CALLS, token=token)
        read = {
            name
            for name, call_id in log.calls.items()
            if (await tenant.graphql.execute(CALL, {"id": call_id}, token=token))["data"]["call"]
            is not None
        }
        found[viewer] = (listed(page), page["data"]["calls"]["totalCount"], read)

    assert found == {
        viewer: (log.ids(*names), len(names), set(names))
        for viewer, (_, _, names) in VIEWERS.items()
    }


async def test_callers_without_an_organization_or_a_token_are_refused(
    tenant: Tenant, carrier: str, gateway: str
) -> None:
    log = await a_call_log(tenant, carrier, gateway)
    no_org = tenant.identity.token(org=None, sub="auth0|pat", roles=["platform-admin"])

    refusals = {
        (who, query): await tenant.graphql.execute(query, variables, token=token)
        for who, token in (("no organization", no_org), ("unauthenticated", None))
        for query, variables in (
            (CALLS, {}),
            (CALL, {"id": log.calls["desk_out"]}),
            (CALL_BY_SID, {"sid": log.placed.sid}),
        )
    }

    assert {key: error_codes(result) for key, result in refusals.items()} == {
        ("no organization", CALLS): ["FORBIDDEN"],
        ("no organization", CALL): ["FORBIDDEN"],
        ("no organization", CALL_BY_SID): ["FORBIDDEN"],
        ("unauthenticated", CALLS): ["UNAUTHENTICATED"],
        ("unauthenticated", CALL): ["UNAUTHENTICATED"],
        ("unauthenticated", CALL_BY_SID): ["UNAUTHENTICATED"],
    }
    assert not any(any((result["data"] or {}).values()) for result in refusals.values())


async def test_another_tenants_calls_and_numbers_are_absent_exactly_like_absent_ones(
    tenant: Tenant, other_tenant: Tenant, carrier: str, gateway: str
) -> None:
    ours = await a_call_log(tenant, carrier, gateway)
    theirs = await a_call_log(other_tenant, carrier, gateway)
    absent_number = str(
        max(int(i) for i in (*ours.numbers.values(), *theirs.numbers.values())) + 1000
    )

    across: dict[tuple[str, str], Any] = {}
    for role, token in (("admin", tenant.token("admin")), ("Amy", tenant.token(sub=AMY))):
        for name, call_id in theirs.calls.items():
            result = await tenant.graphql.execute(CALL, {"id": call_id}, token=token)
            across[role, name] = result["data"]["call"]
        for name, number_id in (*theirs.numbers.items(), ("absent", absent_number)):
            result = await tenant.graphql.execute(
                CALLS, {"filter": {"numberId": number_id}}, token=token
            )
            across[role, f"number {name}"] = result["data"]["calls"]
    absent = await tenant.execute(CALL, {"id": "9223372036854775807"}, as_="admin")
    everything = await tenant.execute(CALLS, as_="admin")

    empty = {
        "edges": [],
        "pageInfo": {
            "hasNextPage": False,
            "hasPreviousPage": False,
            "startCursor": None,
            "endCursor": None,
        },
        "totalCount": 0,
    }
    assert {key: value for key, value in across.items() if key[1].startswith("number")} == {
        (role, f"number {name}"): empty
        for role in ("admin", "Amy")
        for name in ("desk", "amy", "bob", "absent")
    }
    assert [
        key for key, value in across.items() if value is not None and "number" not in key[1]
    ] == []
    assert absent["data"]["call"] is None
    assert listed(everything) == ours.ids(*ours.newest_first)


async def test_a_call_is_read_by_its_twilio_sid_by_whoever_may_read_it_by_id(
    tenant: Tenant, other_tenant: Tenant, carrier: str, gateway: str
) -> None:
    ours = await a_call_log(tenant, carrier, gateway)
    theirs = await a_call_log(other_tenant, carrier, gateway)

    async def sids(log: CallLog) -> dict[str, str]:
        return {name: (await CallRow.get(id=int(id_))).sid or "" for name, id_ in log.calls.items()}

    our_sids, their_sids = await sids(ours), await sids(theirs)
    read: dict[str, set[str]] = {}
    across: list[Any] = []
    for viewer, (roles, sub, _) in VIEWERS.items():
        token = tenant.token(*roles, sub=sub)
        read[viewer] = set()
        for name, sid in our_sids.items():
            found = await tenant.graphql.execute(CALL_BY_SID, {"sid": sid}, token=token)
            if found["data"]["callBySid"] is not None:
                assert found["data"]["callBySid"] == {"id": ours.calls[name], "sid": sid}
                read[viewer].add(name)
        for sid in their_sids.values():
            found = await tenant.graphql.execute(CALL_BY_SID, {"sid": sid}, token=token)
            across.append(found["data"]["callBySid"])

    assert read == {viewer: set(names) for viewer, (_, _, names) in VIEWERS.items()}
    assert across == [None] * len(across)


# Bad input, and the field each error names: never a 5xx, never "Unexpected error".
BAD_INPUT: dict[str, tuple[str, dict[str, Any], str]] = {
    "a cursor of no list": (CALLS, {"after": "bm90IGEgY3Vyc29y"}, "after"),
    "a cursor not base64": (CALLS, {"after": "%%%"}, "after"),
    "a message cursor": (CALLS, {"after": "message"}, "after"),
    "no rows asked": (CALLS, {"first": 0}, "first"),
    "too many rows asked": (CALLS, {"first": 100_000}, "first"),
    "a number id not a number": (CALLS, {"filter": {"numberId": "amy"}}, "filter.numberId"),
    "since after until": (
        CALLS,
        {"filter": {"since": "2026-11-30T10:00:00Z", "until": "2026-11-30T09:00:00Z"}},
        "filter.until",
    ),
    "since without an offset": (
        CALLS,
        {"filter": {"since": "2026-11-30T10:00:00"}},
        "filter.since",
    ),
    "a status too long": (CALLS, {"filter": {"status": "x" * 33}}, "filter.status"),
    "an id not a number": (CALL, {"id": "CA123"}, "id"),
    "an id past the keys": (CALL, {"id": "9223372036854775808"}, "id"),
    "a sid of a message": (CALL_BY_SID, {"sid": "SM" + "0" * 32}, "sid"),
    "a sid of no shape": (CALL_BY_SID, {"sid": "CA123"}, "sid"),
}


async def test_bad_input_is_a_typed_error_naming_its_field(
    tenant: Tenant, carrier: str, gateway: str
) -> None:
    await tenant.connect_twilio(carrier)
    # A cursor of another list, well formed: refused all the same.
    message_cursor = encode_keyset_cursor("message", datetime.now(UTC), 1)

    answers: dict[str, tuple[list[str], Any]] = {}
    for name, (query, variables, _) in BAD_INPUT.items():
        if variables.get("after") == "message":
            variables = {"after": message_cursor}
        result = await tenant.execute(query, variables, as_="admin")
        fields = [error.get("extensions", {}).get("field") for error in result.get("errors", [])]
        answers[name] = (error_codes(result), fields)

    assert answers == {
        name: (["BAD_USER_INPUT"], [field]) for name, (_, _, field) in BAD_INPUT.items()
    }


CALL_EVENTS = """
subscription Calls {
  activity(after: "0", channels: [VOICE]) { kind call { id sid status placedBy } }
}
"""
CALL_UPDATED = """
subscription Call($id: ID!) { callUpdated(id: $id) { id status placedBy } }
"""


def status_callback(tenant: Tenant, sid: str, status: str, *, from_: str) -> list[tuple[str, str]]:
    assert tenant.account is not None
    return [
        ("AccountSid", tenant.account.account_sid),
        ("CallSid", sid),
        ("CallStatus", status),
        ("Direction", "outbound-api"),
        ("From", from_),
        ("To", CALLEE),
    ]


async def test_subscriptions_show_an_agent_the_calls_they_placed_and_their_numbers_calls_only(
    tenant: Tenant, carrier: str, gateway: str
) -> None:
    # Given: a call from the desk's number that Amy placed (its placer known from its second
    # status on, as placeCall records it before Twilio reports), then a call on Bob's number and
    # one on Amy's.
    desk = await tenant.connect_twilio_with_a_number(carrier, area_code=next_area_code())
    amys = await tenant.buy_any_number(area_code=next_area_code(), ownerId=AMY)
    bobs = await tenant.buy_any_number(area_code=next_area_code(), ownerId=BOB)
    placed, on_bobs, on_amys = ("CA" + uuid.uuid4().hex for _ in range(3))
    await signed_callbacks(
        gateway,
        tenant,
        CALL_STATUS,
        [status_callback(tenant, placed, "initiated", from_=desk["phoneNumber"])],
    )
    await CallRow.filter(sid=placed).update(user_id=AMY)
    await signed_callbacks(
        gateway,
        tenant,
        CALL_STATUS,
        [
            status_callback(tenant, placed, "completed", from_=desk["phoneNumber"]),
            status_callback(tenant, on_bobs, "completed", from_=bobs["phoneNumber"]),
            status_callback(tenant, on_amys, "completed", from_=amys["phoneNumber"]),
        ],
    )
    placed_id = str((await CallRow.get(sid=placed)).id)

    # When: Amy and Bob follow the activity, and each asks for the call Amy placed.
    seen: dict[str, list[tuple[str, str, str | None]]] = {}
    for viewer, sub, expected in (("Amy", AMY, 2), ("Bob", BOB, 1)):
        async with subscribe(gateway, tenant.token(sub=sub), CALL_EVENTS) as subscriber:
            events = [(await subscriber.next())["activity"]["call"] for _ in range(expected)]
        seen[viewer] = [(call["sid"], call["status"], call["placedBy"]) for call in events]
    async with subscribe(gateway, tenant.token(sub=AMY), CALL_UPDATED, {"id": placed_id}) as amy:
        followed = (await amy.next())["callUpdated"]
    async with subscribe(gateway, tenant.token(sub=BOB), CALL_UPDATED, {"id": placed_id}) as bob:
        refused = await bob.message()

    # Then: Amy sees her placed call once it is known as hers, and her number's; Bob only his.
    assert seen == {
        "Amy": [(placed, "completed", AMY), (on_amys, "completed", None)],
        "Bob": [(on_bobs, "completed", None)],
    }
    assert followed == {"id": placed_id, "status": "completed", "placedBy": AMY}
    errors = refused["payload"]["errors"] if refused["type"] == "next" else refused["payload"]
    assert [e["extensions"]["code"] for e in errors] == ["NOT_FOUND"]
