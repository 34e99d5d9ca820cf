"""Threads through GraphQL: ordering, counts, paging, read marks, who sees what, bad input.

Each tenant is configured through the public API (sandbox account, a bought number); its
contacts write through the messaging webhook, signed with the tenant's auth token as Twilio
would sign them, so every message takes the real ingestion path into its thread.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from twilio.request_validator import RequestValidator

from tests.support.graphql import error_codes
from tests.support.statements import StatementCounter
from tests.support.tenancy import Tenant
from trunkline.models import Thread as ThreadRow

MESSAGING = "/webhooks/twilio/messaging"
ALICE, BOB, CAROL = "+14155550101", "+14155550102", "+14155550103"
AGENT = "auth0|agent"
# The sandbox's US area codes: the suite's tenants spread over them, so none runs out.
AREA_CODES = itertools.cycle(["212", "312", "512", "206", "415"])

THREADS = """
query Threads($numberId: ID, $channel: MessageChannel, $first: Int, $after: String) {
  threads(numberId: $numberId, channel: $channel, first: $first, after: $after) {
    edges {
      cursor
      node {
        id numberId counterpart channel messageCount unreadCount lastMessageAt updatedAt
        lastReadAt
        lastMessage { id body direction from }
        number { id phoneNumber }
      }
    }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    totalCount
  }
}
"""
THREAD = """
query Thread($numberId: ID!, $counterpart: String!, $channel: MessageChannel!) {
  thread(numberId: $numberId, counterpart: $counterpart, channel: $channel) {
    id counterpart channel messageCount unreadCount lastMessage { body } number { id }
  }
}
"""
MARK_READ = """
mutation MarkRead($threadId: ID!) {
  markThreadRead(threadId: $threadId) {
    __typename
    ... on Thread { id unreadCount messageCount lastReadAt lastMessage { body } number { id } }
    ... on Error { code message }
    ... on UserInputError { field }
  }
}
"""


@dataclass
class Inbox:
    """A tenant with one number whose contacts write to it."""

    tenant: Tenant
    number: dict[str, Any]
    http: httpx.AsyncClient
    gateway: str

    @property
    def number_id(self) -> str:
        return str(self.number["id"])

    async def receive(
        self, sender: str, body: str = "hello", *, whatsapp: bool = False, media: bool = False
    ) -> None:
        """A message from ``sender``, delivered as Twilio delivers it; returns once stored."""
        assert self.tenant.account is not None
        sid = "SM" + uuid.uuid4().hex
        prefix = "whatsapp:" if whatsapp else ""
        params = {
            "AccountSid": self.tenant.account.account_sid,
            "MessageSid": sid,
            "From": prefix + sender,
            "To": prefix + self.number["phoneNumber"],
            "Body": body,
            "NumMedia": "1" if media else "0",
        }
        if media:
            params |= {
                "MediaUrl0": "https://media.example/a.jpg",
                "MediaContentType0": "image/jpeg",
            }
        signature = RequestValidator(self.tenant.account.auth_token).compute_signature(
            f"{self.gateway}{MESSAGING}", params
        )
        response = await self.http.post(
            MESSAGING,
            content=urlencode(params),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": signature,
                "I-Twilio-Idempotency-Token": sid,
            },
        )
        assert response.status_code == 200, response.text

    async def threads(self, *, as_: str | tuple[str, ...] = "admin", **variables: Any) -> Any:
        result = await self.tenant.execute(THREADS, variables, as_=as_)
        assert "errors" not in result, result
        return result["data"]["threads"]


@pytest.fixture
async def http(gateway: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=gateway, timeout=10.0) as client:
        yield client


RELEASE = "mutation Release($id: ID!) { releaseNumber(id: $id) { __typename } }"


@pytest.fixture
async def inbox(
    tenant: Tenant, carrier: str, gateway: str, http: httpx.AsyncClient
) -> AsyncIterator[Inbox]:
    await tenant.connect_twilio(carrier)
    number = await tenant.buy_any_number(area_code=next(AREA_CODES), ownerId=AGENT)
    yield Inbox(tenant=tenant, number=number, http=http, gateway=gateway)
    # Released afterwards: the suite's tenants share the sandbox's catalogue of numbers.
    released = await tenant.execute(RELEASE, {"id": number["id"]}, as_="admin")
    assert released["data"]["releaseNumber"]["__typename"] == "PhoneNumber", released


def counterparts(page: dict[str, Any]) -> list[str]:
    return [edge["node"]["counterpart"] for edge in page["edges"]]


async def test_threads_list_the_most_recently_active_conversation_first(inbox: Inbox) -> None:
    await inbox.receive(ALICE, "first from alice")
    await inbox.receive(BOB)
    await inbox.receive(CAROL)
    await inbox.receive(ALICE, "second from alice")

    page = await inbox.threads()

    assert counterparts(page) == [ALICE, CAROL, BOB]
    alice = page["edges"][0]["node"]
    assert (alice["messageCount"], alice["unreadCount"], alice["channel"]) == (2, 2, "SMS")
    assert alice["lastMessage"]["body"] == "second from alice"
    assert (alice["lastMessage"]["direction"], alice["lastMessage"]["from"]) == ("INBOUND", ALICE)
    assert alice["number"] == {"id": inbox.number_id, "phoneNumber": inbox.number["phoneNumber"]}
    assert alice["numberId"] == inbox.number_id
    assert page["totalCount"] == 3
    assert page["pageInfo"]["hasNextPage"] is False


async def test_pages_follow_each_other_without_gap_or_repeat(inbox: Inbox) -> None:
    contacts = [f"+1415555{index:04d}" for index in range(5)]
    for contact in contacts:
        await inbox.receive(contact)

    first = await inbox.threads(first=2)
    second = await inbox.threads(first=2, after=first["pageInfo"]["endCursor"])
    third = await inbox.threads(first=2, after=second["pageInfo"]["endCursor"])

    newest_first = contacts[::-1]
    assert [counterparts(p) for p in (first, second, third)] == [
        newest_first[:2],
        newest_first[2:4],
        newest_first[4:],
    ]
    assert [p["pageInfo"]["hasNextPage"] for p in (first, second, third)] == [True, True, False]
    assert [p["pageInfo"]["hasPreviousPage"] for p in (first, second, third)] == [
        False,
        True,
        True,
    ]
    assert third["totalCount"] == 5


async def test_a_thread_that_moves_to_the_top_meanwhile_does_not_shift_the_next_page(
    inbox: Inbox,
) -> None:
    for contact in (ALICE, BOB, CAROL):
        await inbox.receive(contact)
    first = await inbox.threads(first=1)  # CAROL

    await inbox.receive(ALICE)  # to the top, ahead of the cursor
    rest = await inbox.threads(after=first["pageInfo"]["endCursor"])

    assert counterparts(first) == [CAROL]
    assert counterparts(rest) == [BOB]


async def test_inbound_counts_unread_marking_read_resets_and_a_later_message_counts_again(
    inbox: Inbox,
) -> None:
    await inbox.receive(ALICE)
    await inbox.receive(ALICE)
    (edge,) = (await inbox.threads())["edges"]
    thread_id = edge["node"]["id"]

    marked = await inbox.tenant.execute(MARK_READ, {"threadId": thread_id}, as_="admin")
    await inbox.receive(ALICE)
    (after,) = (await inbox.threads())["edges"]

    result = marked["data"]["markThreadRead"]
    assert (result["__typename"], result["unreadCount"], result["messageCount"]) == (
        "Thread",
        0,
        2,
    )
    assert result["lastReadAt"] is not None
    assert (result["lastMessage"], result["number"]) == ({"body": "hello"}, {"id": inbox.number_id})
    assert edge["node"]["lastReadAt"] is None
    assert (after["node"]["unreadCount"], after["node"]["messageCount"]) == (1, 3)
    assert after["node"]["lastReadAt"] == result["lastReadAt"]


SEND = """
mutation Send($input: SendMessageInput!) {
  sendMessage(input: $input) { __typename ... on Message { id } ... on Error { code message } }
}
"""


async def test_a_message_sent_to_the_contact_is_the_threads_last_and_is_not_unread(
    inbox: Inbox,
) -> None:
    await inbox.receive(ALICE, "is my order on its way?")

    sent = await inbox.tenant.execute(
        SEND,
        {"input": {"numberId": inbox.number_id, "to": ALICE, "body": "It shipped today"}},
        as_="admin",
    )
    (edge,) = (await inbox.threads())["edges"]

    assert sent["data"]["sendMessage"]["__typename"] == "Message", sent
    node = edge["node"]
    assert (node["messageCount"], node["unreadCount"]) == (2, 1)
    assert node["lastMessage"]["id"] == sent["data"]["sendMessage"]["id"]
    assert (node["lastMessage"]["direction"], node["lastMessage"]["body"]) == (
        "OUTBOUND",
        "It shipped today",
    )


async def test_many_messages_arriving_at_once_in_one_thread_are_all_counted(inbox: Inbox) -> None:
    await asyncio.gather(*(inbox.receive(ALICE, f"message {index}") for index in range(40)))

    (edge,) = (await inbox.threads())["edges"]

    assert (edge["node"]["messageCount"], edge["node"]["unreadCount"]) == (40, 40)


async def test_sms_and_whatsapp_from_one_contact_are_two_threads(inbox: Inbox) -> None:
    await inbox.receive(ALICE, "by sms")
    await inbox.receive(ALICE, "a picture", media=True)
    await inbox.receive(ALICE, "on whatsapp", whatsapp=True)

    every = await inbox.threads()
    whatsapp = await inbox.threads(channel="WHATSAPP")
    sms = await inbox.threads(channel="SMS")
    mms = await inbox.threads(channel="MMS")
    found = await inbox.tenant.execute(
        THREAD,
        {"numberId": inbox.number_id, "counterpart": ALICE, "channel": "WHATSAPP"},
        as_="admin",
    )

    assert [(e["node"]["channel"], e["node"]["messageCount"]) for e in every["edges"]] == [
        ("WHATSAPP", 1),
        ("SMS", 2),
    ]
    assert counterparts(whatsapp) == [f"whatsapp:{ALICE}"]
    assert counterparts(sms) == counterparts(mms) == [ALICE]
    assert found["data"]["thread"]["counterpart"] == f"whatsapp:{ALICE}"
    assert found["data"]["thread"]["lastMessage"] == {"body": "on whatsapp"}


async def test_thread_finds_one_conversation_and_is_null_for_a_contact_never_heard_from(
    inbox: Inbox,
) -> None:
    await inbox.receive(ALICE, "hi there")

    found = await inbox.tenant.execute(
        THREAD, {"numberId": inbox.number_id, "counterpart": ALICE, "channel": "SMS"}, as_="admin"
    )
    absent = await inbox.tenant.execute(
        THREAD, {"numberId": inbox.number_id, "counterpart": BOB, "channel": "SMS"}, as_="admin"
    )

    assert found["data"]["thread"]["messageCount"] == 1
    assert found["data"]["thread"]["lastMessage"] == {"body": "hi there"}
    assert found["data"]["thread"]["number"] == {"id": inbox.number_id}
    assert absent == {"data": {"thread": None}}


async def test_a_page_of_one_and_a_page_of_a_hundred_run_the_same_few_statements(
    inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    for index in range(6):
        await inbox.receive(f"+1415555{index:04d}")
    counter = StatementCounter()
    await inbox.threads(first=1)  # anything cached per process is cached now

    with counter.counting(monkeypatch) as one:
        small = await inbox.threads(first=1)
    with counter.counting(monkeypatch) as hundred:
        large = await inbox.threads(first=100)

    assert (len(small["edges"]), len(large["edges"])) == (1, 6)
    assert all(edge["node"]["lastMessage"] and edge["node"]["number"] for edge in large["edges"])
    assert len(one) == len(hundred), (one, hundred)
    # The page, its count, one batch of last messages, one of numbers.
    assert len(hundred) <= 4, hundred


# --- Who sees what ---------------------------------------------------------------------------


async def unread_of(inbox: Inbox) -> list[int]:
    rows = await ThreadRow.filter(number_id=int(inbox.number_id)).order_by("id")
    return [row.unread_count for row in rows]


@pytest.mark.parametrize(
    ("roles", "sub", "sees"),
    [
        (("admin",), "auth0|admin", True),
        ((), AGENT, True),  # the agent the number is assigned to
        ((), "auth0|another-agent", False),
        (("support",), "auth0|support", False),  # support configures; it is no admin
    ],
)
async def test_threads_are_seen_and_marked_by_admins_and_the_numbers_agent_only(
    inbox: Inbox, roles: tuple[str, ...], sub: str, sees: bool
) -> None:
    await inbox.receive(ALICE, "for the owner")
    thread_id = str((await ThreadRow.get(number_id=int(inbox.number_id))).id)
    token = inbox.tenant.token(*roles, sub=sub)
    execute = inbox.tenant.graphql.execute

    listed = await execute(THREADS, {}, token=token)
    on_number = await execute(THREADS, {"numberId": inbox.number_id}, token=token)
    found = await execute(
        THREAD, {"numberId": inbox.number_id, "counterpart": ALICE, "channel": "SMS"}, token=token
    )
    marked = await execute(MARK_READ, {"threadId": thread_id}, token=token)

    if sees:
        assert counterparts(listed["data"]["threads"]) == [ALICE]
        assert counterparts(on_number["data"]["threads"]) == [ALICE]
        assert found["data"]["thread"]["lastMessage"] == {"body": "for the owner"}
        assert marked["data"]["markThreadRead"]["unreadCount"] == 0
        assert await unread_of(inbox) == [0]
    else:
        assert listed["data"]["threads"]["edges"] == []
        assert listed["data"]["threads"]["totalCount"] == 0
        assert on_number == {"data": {"threads": None}}
        assert found == {"data": {"thread": None}}
        assert marked["data"]["markThreadRead"]["code"] == "NOT_FOUND"
        assert await unread_of(inbox) == [1]


@pytest.mark.parametrize(
    ("token_of", "code"),
    [
        (lambda inbox: None, "UNAUTHENTICATED"),
        (
            # (Only a platform admin's token may carry no organization: another is refused.)
            lambda inbox: inbox.tenant.identity.token(
                org=None, sub="auth0|x", roles=["platform-admin"]
            ),
            "FORBIDDEN",
        ),
    ],
    ids=["unauthenticated", "no organization"],
)
async def test_without_a_caller_or_an_organization_nothing_is_read_or_marked(
    inbox: Inbox, token_of: Any, code: str
) -> None:
    await inbox.receive(ALICE)
    thread_id = str((await ThreadRow.get(number_id=int(inbox.number_id))).id)
    token = token_of(inbox)
    execute = inbox.tenant.graphql.execute

    answers = [
        await execute(THREADS, {}, token=token),
        await execute(
            THREAD,
            {"numberId": inbox.number_id, "counterpart": ALICE, "channel": "SMS"},
            token=token,
        ),
        await execute(MARK_READ, {"threadId": thread_id}, token=token),
    ]

    assert [error_codes(answer) for answer in answers] == [[code]] * 3
    assert await unread_of(inbox) == [1]


async def test_another_tenants_threads_are_absent_and_stay_unread(
    inbox: Inbox, other_tenant: Tenant
) -> None:
    await inbox.receive(ALICE)
    thread_id = str((await ThreadRow.get(number_id=int(inbox.number_id))).id)

    listed = await other_tenant.execute(THREADS, {}, as_="admin")
    on_number = await other_tenant.execute(THREADS, {"numberId": inbox.number_id}, as_="admin")
    found = await other_tenant.execute(
        THREAD, {"numberId": inbox.number_id, "counterpart": ALICE, "channel": "SMS"}, as_="admin"
    )
    marked = await other_tenant.execute(MARK_READ, {"threadId": thread_id}, as_="admin")

    assert listed["data"]["threads"]["edges"] == []
    assert on_number == {"data": {"threads": None}}
    assert found == {"data": {"thread": None}}
    assert marked["data"]["markThreadRead"]["code"] == "NOT_FOUND"
    assert await unread_of(inbox) == [1]


# --- Bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"numberId": "abc"}, "numberId"),
        ({"numberId": "99999999999999999999999"}, "numberId"),
        ({"after": "not-a-cursor"}, "after"),
        ({"after": "bnVtYmVyOjE"}, "after"),  # numbers' cursor ("number:1")
        ({"first": 0}, "first"),
        ({"first": 101}, "first"),
    ],
)
async def test_bad_threads_arguments_are_bad_user_input_naming_the_argument(
    inbox: Inbox, variables: dict[str, Any], field: str
) -> None:
    result = await inbox.tenant.execute(THREADS, variables, as_="admin")

    assert error_codes(result) == ["BAD_USER_INPUT"]
    assert result["errors"][0]["extensions"]["field"] == field


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"counterpart": ""}, "counterpart"),
        ({"counterpart": "   "}, "counterpart"),
        ({"counterpart": "+1415\x00555"}, "counterpart"),
        ({"counterpart": "+" + "1" * 320}, "counterpart"),
        ({"numberId": "-1"}, "numberId"),
    ],
)
async def test_a_bad_thread_argument_is_bad_user_input_naming_it(
    inbox: Inbox, variables: dict[str, Any], field: str
) -> None:
    given = {"numberId": inbox.number_id, "counterpart": ALICE, "channel": "SMS", **variables}

    result = await inbox.tenant.execute(THREAD, given, as_="admin")

    assert error_codes(result) == ["BAD_USER_INPUT"]
    assert result["errors"][0]["extensions"]["field"] == field


@pytest.mark.parametrize("thread_id", ["abc", "0", "007", "9223372036854775808"])
async def test_a_malformed_thread_id_is_a_user_input_error_and_marks_nothing(
    inbox: Inbox, thread_id: str
) -> None:
    await inbox.receive(ALICE)

    result = await inbox.tenant.execute(MARK_READ, {"threadId": thread_id}, as_="admin")

    assert result["data"]["markThreadRead"]["field"] == "threadId"
    assert await unread_of(inbox) == [1]
