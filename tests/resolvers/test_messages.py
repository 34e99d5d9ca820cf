"""Message history through GraphQL: messages(filter, first, after) and message(id), made by real
traffic through the sandbox carrier; who sees what, pages, filters, bad input, tenants apart."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from twilio.request_validator import RequestValidator

from tests.resolvers.messaging import sms_delivered, text_stored
from tests.subscriptions.client import Socket, connect, subscribe
from tests.support.graphql import error_codes
from tests.support.numbers import next_area_code
from tests.support.tenancy import Tenant
from trunkline.models import Message as MessageRow
from trunkline.services.keys import encode_cursor
from trunkline.settings import Settings

MESSAGES = """
query Messages($filter: MessageFilter, $first: Int, $after: String) {
  messages(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    totalCount
  }
}
"""
MESSAGE = """
query Message($id: ID!) {
  message(id: $id) {
    id sid channel direction from to body mediaUrls status errorCode errorMessage numSegments
    price { amount currency } statusHistory { status at applied } sentBy receivedWhileInactive
    contentSid numberId createdAt updatedAt number { id phoneNumber ownerId }
  }
}
"""
AMY = "auth0|amy"
BOB = "auth0|bob"
CARL = "auth0|carl"  # an agent with no number
AMYS_FRIEND = "+14155550181"
AMYS_WHATSAPP_FRIEND = "+14155550182"
BOBS_FRIEND = "+14155550183"
CUSTOMER = "+14155550123"  # whom the desk's test SMS goes to


# The sandbox's US area codes: every inbox buys three numbers, spread over all of them.


@dataclass(frozen=True)
class Inbox:
    """A tenant's numbers and messages, by name; ``newest_first`` as the gateway lists them."""

    numbers: dict[str, str]
    phones: dict[str, str]  # the numbers' phone numbers, by the same names
    messages: dict[str, str]

    @property
    def newest_first(self) -> list[str]:
        return ["desk", "bob", "amy_whatsapp", "amy_2", "amy_1"]

    def ids(self, *names: str) -> list[str]:
        return [self.messages[name] for name in names]


async def an_inbox(tenant: Tenant, carrier: str, gateway: str) -> Inbox:
    """The desk's number (sends the test SMS, assigned to nobody), Amy's and Bob's numbers; two
    texts to Amy, a WhatsApp message to Amy, a text to Bob, then a test SMS Amy sent from the
    desk (as support). Each is stored before the next is sent, so they are in that order."""
    desk = await tenant.connect_twilio_with_a_number(carrier, area_code=next_area_code())
    amys = await tenant.buy_any_number(area_code=next_area_code(), ownerId=AMY)
    bobs = await tenant.buy_any_number(area_code=next_area_code(), ownerId=BOB)

    async def to(number: dict[str, Any], sender: str, **extra: str) -> str:
        return await text_stored(
            gateway, carrier, tenant, to=number["phoneNumber"], sender=sender, **extra
        )

    messages = {
        "amy_1": await to(amys, AMYS_FRIEND, body="first"),
        "amy_2": await to(amys, AMYS_FRIEND, body="second"),
        "amy_whatsapp": await to(amys, AMYS_WHATSAPP_FRIEND, channel="whatsapp"),
        "bob": await to(bobs, BOBS_FRIEND),
        "desk": await sms_delivered(gateway, tenant, to=CUSTOMER, sent_by=AMY),
    }
    bought = {"desk": desk, "amy": amys, "bob": bobs}
    return Inbox(
        numbers={name: number["id"] for name, number in bought.items()},
        phones={name: number["phoneNumber"] for name, number in bought.items()},
        messages=messages,
    )


def listed(result: dict[str, Any]) -> list[str]:
    assert "errors" not in result, result
    return [edge["node"]["id"] for edge in result["data"]["messages"]["edges"]]


async def test_messages_are_listed_newest_first_with_every_field(
    tenant: Tenant, carrier: str, gateway: str
) -> None:
    inbox = await an_inbox(tenant, carrier, gateway)

    everything = await tenant.execute(MESSAGES, as_="admin")
    desk = (await tenant.execute(MESSAGE, {"id": inbox.messages["desk"]}, as_="admin"))["data"]
    whatsapp = await tenant.execute(MESSAGE, {"id": inbox.messages["amy_whatsapp"]}, as_="admin")

    assert listed(everything) == inbox.ids(*inbox.newest_first)
    assert everything["data"]["messages"]["totalCount"] == 5
    sent = desk["message"]
    assert (sent["channel"], sent["direction"], sent["to"], sent["body"]) == (
        "SMS",
        "OUTBOUND",
        CUSTOMER,
        "from the desk",
    )
    assert sent["status"] == "delivered"
    assert [(c["status"], c["applied"]) for c in sent["statusHistory"]] == [
        ("queued", True),
        ("sending", True),
        ("sent", True),
        ("delivered", True),
    ]
    instants = [datetime.fromisoformat(c["at"]) for c in sent["statusHistory"]]
    assert instants == sorted(instants)
    assert sent["sentBy"] == AMY
    assert sent["from"] == sent["number"]["phoneNumber"]
    assert (sent["number"]["id"], sent["numberId"]) == (inbox.numbers["desk"],) * 2
    assert sent["number"]["ownerId"] is None
    assert datetime.fromisoformat(sent["updatedAt"]) >= datetime.fromisoformat(sent["createdAt"])
    assert (sent["receivedWhileInactive"], sent["contentSid"]) == (False, None)
    # Fetched from Twilio once final, in the background: unknown yet, or what was paid (positive).
    assert sent["price"] is None or (
        Decimal(sent["price"]["amount"]) > 0 and sent["price"]["currency"] == "USD"
    )
    received = whatsapp["data"]["message"]
    assert (received["channel"], received["direction"], received["from"]) == (
        "WHATSAPP",
        "INBOUND",
        f"whatsapp:{AMYS_WHATSAPP_FRIEND}",
    )
    assert (received["status"], received["sentBy"], received["numSegments"]) == (
        "received",
        None,
        1,
    )
    assert [(c["status"], c["applied"]) for c in received["statusHistory"]] == [("received", True)]
    assert received["number"] == {
        "id": inbox.numbers["amy"],
        "phoneNumber": received["to"].removeprefix("whatsapp:"),
        "ownerId": AMY,
    }


async def test_pages_follow_each_other_without_overlap_or_gap(
    tenant: Tenant, carrier: str, gateway: str
) -> None:
    inbox = await an_inbox(tenant, carrier, gateway)

    pages = [await tenant.execute(MESSAGES, {"first": 2}, as_="admin")]
    while pages[-1]["data"]["messages"]["pageInfo"]["hasNextPage"]:
        cursor = pages[-1]["data"]["messages"]["pageInfo"]["endCursor"]
        pages.append(await tenant.execute(MESSAGES, {"first": 2, "after": cursor}, as_="admin"))

    assert [listed(page) for page in pages] == [
        inbox.ids("desk", "bob"),
        inbox.ids("amy_whatsapp", "amy_2"),
        inbox.ids("amy_1"),
    ]
    infos = [page["data"]["messages"]["pageInfo"] for page in pages]
    assert [info["hasPreviousPage"] for info in infos] == [False, True, True]
    assert [page["data"]["messages"]["totalCount"] for page in pages] == [5, 5, 5]
    for page, info in zip(pages, infos, strict=True):
        edges = page["data"]["messages"]["edges"]
        assert (info["startCursor"], info["endCursor"]) == (edges[0]["cursor"], edges[-1]["cursor"])


async def test_messages_of_one_instant_are_paged_by_id_without_loss(
    tenant: Tenant, carrier: str, gateway: str
) -> None:
    # Given: three messages stored at the very same instant (a batch's rows share one), the
    # instant the sandbox's texts were stored at.
    inbox = await an_inbox(tenant, carrier, gateway)
    same = [int(inbox.messages[name]) for name in ("amy_1", "amy_2", "amy_whatsapp")]
    instant = (await MessageRow.get(id=same[0])).created_at
    await MessageRow.filter(id__in=same).update(created_at=instant)

    # When: paged one at a time.
    pages = [await tenant.execute(MESSAGES, {"first": 1}, as_="admin")]
    while pages[-1]["data"]["messages"]["pageInfo"]["hasNextPage"]:
        cursor = pages[-1]["data"]["messages"]["pageInfo"]["endCursor"]
        pages.append(await tenant.execute(MESSAGES, {"first": 1, "after": cursor}, as_="admin"))

    # Then: each once, those of the shared instant newest id first.
    seen = [message_id for page in pages for message_id in listed(page)]
    assert seen == [*inbox.ids("desk", "bob"), *(str(key) for key in sorted(same, reverse=True))]


# Every filter, and the messages of `an_inbox` it lets through for an admin and for Amy (an agent:
# her number's messages, and the test SMS she sent from the desk's number).
FILTERS: dict[str, tuple[dict[str, Any], list[str], list[str]]] = {
    "none": (
        {},
        ["desk", "bob", "amy_whatsapp", "amy_2", "amy_1"],
        ["desk", "amy_whatsapp", "amy_2", "amy_1"],
    ),
    "Amy's number": (
        {"numberId": "amy"},
        ["amy_whatsapp", "amy_2", "amy_1"],
        ["amy_whatsapp", "amy_2", "amy_1"],
    ),
    "Bob's number": ({"numberId": "bob"}, ["bob"], []),
    "the desk's number": ({"numberId": "desk"}, ["desk"], ["desk"]),
    "WhatsApp": ({"channel": "WHATSAPP"}, ["amy_whatsapp"], ["amy_whatsapp"]),
    "SMS": ({"channel": "SMS"}, ["desk", "bob", "amy_2", "amy_1"], ["desk", "amy_2", "amy_1"]),
    "MMS": ({"channel": "MMS"}, [], []),
    "outbound": ({"direction": "OUTBOUND"}, ["desk"], ["desk"]),
    "inbound": (
        {"direction": "INBOUND"},
        ["bob", "amy_whatsapp", "amy_2", "amy_1"],
        ["amy_whatsapp", "amy_2", "amy_1"],
    ),
    "delivered": ({"status": "delivered"}, ["desk"], ["desk"]),
    "received": (
        {"status": "received"},
        ["bob", "amy_whatsapp", "amy_2", "amy_1"],
        ["amy_whatsapp", "amy_2", "amy_1"],
    ),
    "a friend": ({"counterpart": AMYS_FRIEND}, ["amy_2", "amy_1"], ["amy_2", "amy_1"]),
    "a WhatsApp friend": (
        {"counterpart": f"whatsapp:{AMYS_WHATSAPP_FRIEND}"},
        ["amy_whatsapp"],
        ["amy_whatsapp"],
    ),
    "the customer": ({"counterpart": CUSTOMER}, ["desk"], ["desk"]),
    "an email address": ({"counterpart": "ann@example.com"}, [], []),
    "a friend on Bob's number": ({"counterpart": AMYS_FRIEND, "numberId": "bob"}, [], []),
    "from the second to Bob's": (
        {"since": "amy_2", "until": "bob"},
        ["amy_whatsapp", "amy_2"],
        ["amy_whatsapp", "amy_2"],
    ),
    "since Bob's": ({"since": "bob"}, ["desk", "bob"], ["desk"]),
    "until the second": ({"until": "amy_2"}, ["amy_1"], ["amy_1"]),
}


async def test_each_filter_narrows_what_admins_and_agents_see(
    tenant: Tenant, carrier: str, gateway: str
) -> None:
    inbox = await an_inbox(tenant, carrier, gateway)
    created = {
        name: (await MessageRow.get(id=int(message_id))).created_at.isoformat()
        for name, message_id in inbox.messages.items()
    }

    def concrete(wanted: dict[str, Any]) -> dict[str, Any]:
        values = dict(wanted)
        if "numberId" in values:
            values["numberId"] = inbox.numbers[values["numberId"]]
        for bound in ("since", "until"):
            if bound in values:
                values[bound] = created[values[bound]]
        return values

    found: dict[tuple[str, str], list[str]] = {}
    expected: dict[tuple[str, str], list[str]] = {}
    for name, (wanted, for_admin, for_amy) in FILTERS.items():
        for viewer, token, names in (
            ("admin", tenant.token("admin"), for_admin),
            ("Amy", tenant.token(sub=AMY), for_amy),
        ):
            result = await tenant.graphql.execute(
                MESSAGES, {"filter": concrete(wanted)}, token=token
            )
            found[name, viewer] = listed(result)
            expected[name, viewer] = inbox.ids(*names)
            assert result["data"]["messages"]["totalCount"] == len(names), (name, viewer)

    assert found == expected


# Who reads, and what of `an_inbox` they see: admins everything, agents their numbers' messages
# and what they sent; support and platform admins are agents here (they own no number).
VIEWERS: dict[str, tuple[tuple[str, ...], str, list[str]]] = {
    "admin": (("admin",), "auth0|admin", ["desk", "bob", "amy_whatsapp", "amy_2", "amy_1"]),
    "Amy": ((), AMY, ["desk", "amy_whatsapp", "amy_2", "amy_1"]),
    "Bob": ((), BOB, ["bob"]),
    "Carl": ((), CARL, []),
    "support": (("support",), "auth0|sue", []),
    "platform admin": (("platform-admin",), "auth0|pat", []),
}


async def test_each_role_lists_and_reads_exactly_the_messages_it_may_see(
    tenant: Tenant, carrier: str, gateway: str
) -> None:
    inbox = await an_inbox(tenant, carrier, gateway)

    found: dict[str, tuple[list[str], int, set[str]]] = {}
    for viewer, (roles, sub, _) in VIEWERS.items():
        token = tenant.token(*roles, sub=sub)
        page = await tenant.graphql.execute(MESSAGES, token=token)
        read = {
            name
            for name, message_id in inbox.messages.items()
            if (await tenant.graphql.execute(MESSAGE, {"id": message_id}, token=token))["data"][
                "message"
            ]
            is not None
        }
        found[viewer] = (listed(page), page["data"]["messages"]["totalCount"], read)

    assert found == {
        viewer: (inbox.ids(*names), len(names), set(names))
        for viewer, (_, _, names) in VIEWERS.items()
    }


async def test_callers_without_an_organization_or_a_token_are_refused(
    tenant: Tenant, carrier: str, gateway: str
) -> None:
    inbox = await an_inbox(tenant, carrier, gateway)
    # Only a platform admin is accepted without an organization (anyone else: unauthenticated).
    no_org = tenant.identity.token(org=None, sub="auth0|pat", roles=["platform-admin"])
    stored = await MessageRow.filter(tenant__org_id=tenant.org).count()

    refusals = {
        (who, query): await tenant.graphql.execute(query, variables, token=token)
        for who, token in (("no organization", no_org), ("unauthenticated", None))
        for query, variables in ((MESSAGES, {}), (MESSAGE, {"id": inbox.messages["desk"]}))
    }

    assert {key: error_codes(result) for key, result in refusals.items()} == {
        ("no organization", MESSAGES): ["FORBIDDEN"],
        ("no organization", MESSAGE): ["FORBIDDEN"],
        ("unauthenticated", MESSAGES): ["UNAUTHENTICATED"],
        ("unauthenticated", MESSAGE): ["UNAUTHENTICATED"],
    }
    assert not any(any((result["data"] or {}).values()) for result in refusals.values())
    assert await MessageRow.filter(tenant__org_id=tenant.org).count() == stored


async def test_another_tenants_messages_and_numbers_are_absent_exactly_like_absent_ones(
    tenant: Tenant, other_tenant: Tenant, carrier: str, gateway: str
) -> None:
    ours = await an_inbox(tenant, carrier, gateway)
    theirs = await an_inbox(other_tenant, carrier, gateway)
    absent_number = str(
        max(int(i) for i in (*ours.numbers.values(), *theirs.numbers.values())) + 1000
    )

    across: dict[tuple[str, str], Any] = {}
    for role, token in (("admin", tenant.token("admin")), ("Amy", tenant.token(sub=AMY))):
        for name, message_id in theirs.messages.items():
            result = await tenant.graphql.execute(MESSAGE, {"id": message_id}, token=token)
            across[role, name] = result["data"]["message"]
        for name, number_id in (*theirs.numbers.items(), ("absent", absent_number)):
            result = await tenant.graphql.execute(
                MESSAGES, {"filter": {"numberId": number_id}}, token=token
            )
            across[role, f"number {name}"] = result["data"]["messages"]
    absent = await tenant.execute(MESSAGE, {"id": "9223372036854775807"}, as_="admin")
    everything = await tenant.execute(MESSAGES, as_="admin")

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
    assert {
        key: value
        for key, value in across.items()
        if value is not None and not key[1].startswith("number")
    } == {}
    assert absent["data"]["message"] is None
    assert listed(everything) == ours.ids(*ours.newest_first)


def b64(text: str) -> str:
    import base64

    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


# Each bad input, and the argument (or filter field) the BAD_USER_INPUT names.
BAD_INPUT: dict[str, tuple[str, dict[str, Any], str]] = {
    "garbage cursor": (MESSAGES, {"after": "garbage"}, "after"),
    "another list's cursor": (MESSAGES, {"after": encode_cursor("number", 1)}, "after"),
    "a cursor without an instant": (MESSAGES, {"after": encode_cursor("message", 1)}, "after"),
    "a cursor of an instant out of range": (
        MESSAGES,
        {"after": b64("message:999999999999999999:1")},
        "after",
    ),
    "a cursor with a bad id": (MESSAGES, {"after": b64("message:1:0")}, "after"),
    "a malformed number id": (MESSAGES, {"filter": {"numberId": "12abc"}}, "filter.numberId"),
    "an oversized number id": (MESSAGES, {"filter": {"numberId": "9" * 30}}, "filter.numberId"),
    "a malformed counterpart": (
        MESSAGES,
        {"filter": {"counterpart": "0412345678"}},
        "filter.counterpart",
    ),
    "a malformed email counterpart": (
        MESSAGES,
        {"filter": {"counterpart": "ann@@example"}},
        "filter.counterpart",
    ),
    "a WhatsApp counterpart of no number": (
        MESSAGES,
        {"filter": {"counterpart": "whatsapp:hello"}},
        "filter.counterpart",
    ),
    "a status too long": (MESSAGES, {"filter": {"status": "x" * 33}}, "filter.status"),
    "an empty status": (MESSAGES, {"filter": {"status": " "}}, "filter.status"),
    "since after until": (
        MESSAGES,
        {"filter": {"since": "2026-11-29T10:00:00Z", "until": "2026-11-29T09:00:00Z"}},
        "filter.until",
    ),
    "since equal to until": (
        MESSAGES,
        {"filter": {"since": "2026-11-29T10:00:00Z", "until": "2026-11-29T10:00:00Z"}},
        "filter.until",
    ),
    "a time without its offset": (
        MESSAGES,
        {"filter": {"since": "2026-11-29T10:00:00"}},
        "filter.since",
    ),
    "first zero": (MESSAGES, {"first": 0}, "first"),
    "first over the cap": (MESSAGES, {"first": 101}, "first"),
    "a malformed message id": (MESSAGE, {"id": "-1"}, "id"),
    "an oversized message id": (MESSAGE, {"id": "9223372036854775808"}, "id"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
async def test_bad_input_is_bad_user_input_naming_the_field(tenant: Tenant, case: str) -> None:
    query, variables, field = BAD_INPUT[case]

    result = await tenant.execute(query, variables, as_="admin")

    assert error_codes(result) == ["BAD_USER_INPUT"], result
    assert result["errors"][0]["extensions"]["field"] == field
    assert not any((result["data"] or {}).values())


MESSAGE_UPDATED = """
subscription Updated($id: ID!) { messageUpdated(id: $id) { id sentBy status number { id } } }
"""


async def test_an_agent_follows_a_message_they_sent_from_a_number_not_theirs(
    tenant: Tenant, carrier: str, gateway: str
) -> None:
    inbox = await an_inbox(tenant, carrier, gateway)
    desk = inbox.messages["desk"]

    async with subscribe(gateway, tenant.token(sub=AMY), MESSAGE_UPDATED, {"id": desk}) as amy:
        followed = (await amy.next())["messageUpdated"]
    async with subscribe(gateway, tenant.token(sub=BOB), MESSAGE_UPDATED, {"id": desk}) as bob:
        refused = await bob.message()

    assert followed == {
        "id": desk,
        "sentBy": AMY,
        "status": "delivered",
        "number": {"id": inbox.numbers["desk"]},
    }
    errors = refused["payload"]["errors"] if refused["type"] == "next" else refused["payload"]
    assert [error["extensions"]["code"] for error in errors] == ["NOT_FOUND"]


ACTIVITY = "subscription { activity { kind message { id status sentBy } } }"


async def listening(socket: Socket) -> None:
    """Start the activity feed, then make a round trip on the same socket: once it is answered,
    the feed is listening."""
    await socket.start("feed", ACTIVITY)
    await socket.start("ready", "{ me { orgId } }")
    assert (await socket.message("ready"))["type"] == "next"


async def status_callback(
    tenant: Tenant, settings: Settings, *, sid: str, status: str, sender: str, to: str
) -> None:
    """A status callback as Twilio posts it, signed with the tenant's auth token."""
    assert tenant.account is not None
    path = "/webhooks/twilio/message-status"
    params = {
        "AccountSid": tenant.account.account_sid,
        "MessageSid": sid,
        "MessageStatus": status,
        "From": sender,
        "To": to,
    }
    signature = RequestValidator(tenant.account.auth_token).compute_signature(
        f"{settings.public_url}{path}", params
    )
    async with httpx.AsyncClient(base_url=str(settings.public_url)) as http:
        response = await http.post(
            path,
            data=params,
            headers={
                "X-Twilio-Signature": signature,
                "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
            },
        )
    assert response.status_code == 200, response.text


async def test_an_agent_sees_the_activity_of_a_message_they_sent_from_a_number_not_theirs(
    tenant: Tenant, carrier: str, gateway: str, settings: Settings
) -> None:
    # Given: Amy's test SMS from the desk's number (not hers), delivered; Amy and Bob listening.
    inbox = await an_inbox(tenant, carrier, gateway)
    sent = await MessageRow.get(id=int(inbox.messages["desk"]))
    async with (
        connect(gateway, tenant.token(sub=AMY)) as amy,
        connect(gateway, tenant.token(sub=BOB)) as bob,
    ):
        await listening(amy)
        await listening(bob)

        # When: Twilio reports it read, then Bob's friend texts Bob's number.
        await status_callback(
            tenant,
            settings,
            sid=str(sent.sid),
            status="read",
            sender=sent.from_address,
            to=CUSTOMER,
        )
        seen_by_amy = await amy.message("feed")
        await text_stored(gateway, carrier, tenant, to=inbox.phones["bob"], sender=BOBS_FRIEND)
        seen_by_bob = await bob.message("feed")

    # Then: Amy sees her message's change; Bob, first, his own number's text.
    assert seen_by_amy["payload"]["data"]["activity"] == {
        "kind": "MESSAGE_STATUS",
        "message": {"id": inbox.messages["desk"], "status": "read", "sentBy": AMY},
    }
    assert seen_by_bob["payload"]["data"]["activity"]["kind"] == "MESSAGE_RECEIVED"
    assert seen_by_bob["payload"]["data"]["activity"]["message"]["sentBy"] is None
