"""Client-supplied ids and cursors, probed through every operation of the served schema.

The schema itself is walked (see :mod:`tests.security.schema_walk`): every ``ID`` argument and
every cursor of every query, mutation and subscription, inside input objects too, is fed values
a client could send, over real HTTP and real graphql-transport-ws with real RS256 tokens. None may
reach the masked "Unexpected error.": out-of-shape values are BAD_USER_INPUT naming the argument,
another tenant's real ids are null or not found (never FORBIDDEN: no existence oracle).
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from tests.security.schema_walk import (
    Call,
    CannotBuild,
    KeyArgument,
    OperationType,
    RootField,
    SchemaWalk,
    outcome,
)
from tests.subscriptions.client import connect
from tests.support.graphql import GraphQLClient
from tests.support.identity import IdentityProvider
from tests.webhooks.fixtures import Carrier, TwilioTenant, create_twilio_tenant
from tests.webhooks.test_calls import VOICE, call_params, call_sid
from tests.webhooks.test_messaging import MESSAGING, inbound, message_sid
from trunkline.models import Call as CallRow
from trunkline.models import Message, NumberStatus, PhoneNumber
from trunkline.resolvers.root import build_schema
from trunkline.settings import Settings
from trunkline.twilio import TwilioClients

# What a well-formed id naming nothing of the caller's answers, by operation.
ABSENT: dict[OperationType, str] = {
    "query": "null",
    "mutation": "not found",
    "subscription": "not found",
}
ALL_ROLES = ["admin", "support", "platform-admin"]
MAX_KEY = "9223372036854775807"  # the largest BIGINT: well-formed, and no row has it
NO_ORGANIZATION = "FORBIDDEN This operation needs an organization."
# Every probe is answered at once; a subscription that accepted a probe streams and says nothing.
SILENCE_SECONDS = 3.0

# Fields the walker cannot build a valid call for; empty today. A field listed here is probed by
# no test in this module: add a sample value to the walker rather than a name to this set.
SKIPPED: frozenset[str] = frozenset()

# Fields that answer a caller without an organization, and what they answer.
WITHOUT_ORGANIZATION = {"query me": "ok Me", "query tenant": "null"}

# Today's ids and cursors: the walker must find at least these (new ones it finds on its own).
KNOWN_KEY_ARGUMENTS = {
    "query number(id)",
    "query numbers(after)",
    "mutation updateNumber(id)",
    "mutation releaseNumber(id)",
    "subscription activity(numberId)",
    "subscription activity(after)",
    "subscription messageUpdated(id)",
    "subscription callUpdated(id)",
    "query messages(after)",
    "query messages(filter.numberId)",
    "query message(id)",
    "query threads(numberId)",
    "query threads(after)",
    "query thread(numberId)",
    "mutation markThreadRead(threadId)",
}


def absent(key: KeyArgument) -> str:
    """What a well-formed id naming nothing of the caller's answers at ``key``: a list narrowed
    by it (an id inside a query's filter) is empty, exactly as narrowed by an absent id."""
    if key.root.operation == "query" and len(key.path) > 1:
        return "empty"
    return ABSENT[key.root.operation]


def b64(text: str) -> str:
    """Encoded the way the gateway encodes its list cursors (URL-safe, unpadded)."""
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


BAD_IDS = {
    "oversized": "99999999999999999999999",
    "one past int64": "9223372036854775808",
    "negative": "-1",
    "zero": "0",
    "non-numeric": "abc",
    "exponent": "1e23",
    "plus sign": "+5",
    "leading zeros": "007",
    "leading space": " 1",
    "trailing newline": "1\n",
    "unicode digits": "١٢",
    "fullwidth digits": "\uff11\uff12",
    "empty": "",
    "a list cursor": b64("number:1"),
}
# "0" is a cursor (before the first event) and b64("number:1") is one of numbers' own.
BAD_CURSORS = {
    **{probe: value for probe, value in BAD_IDS.items() if probe not in {"zero", "a list cursor"}},
    "cursor of a foreign kind": b64("call:1"),
    "cursor with an exponent": b64("number:1e23"),
    "cursor oversized": b64("number:99999999999999999999999"),
    "cursor of zero": b64("number:0"),
    "cursor negative": b64("number:-1"),
    "cursor padded": b64("number:1") + "=",
}


@dataclass(frozen=True)
class ForeignRows:
    """Another tenant's real rows, one of each kind an id can name."""

    tenant: TwilioTenant
    number_id: int
    message_id: int
    call_id: int


@pytest.fixture
def walk(settings: Settings) -> SchemaWalk:
    """The schema the gateway under test serves (graphql-core's, under strawberry's)."""
    return SchemaWalk(build_schema(settings)._schema)


@pytest.fixture
def prober_token(identity: IdentityProvider, unique_org: str) -> str:
    """A caller of a fresh organization with every role, so no permission check answers first."""
    return identity.token(org=unique_org, sub="auth0|prober", roles=ALL_ROLES)


@pytest.fixture
async def foreign(carrier: str, gateway: str, settings: Settings) -> AsyncIterator[ForeignRows]:
    clients = TwilioClients(f"{carrier}/twilio", timeout=5.0)
    async with httpx.AsyncClient(base_url=gateway, timeout=10.0) as http:
        tenant = await create_twilio_tenant(
            carrier=Carrier(carrier, clients), gateway=gateway, settings=settings, http=http
        )
        texted, called = message_sid(), call_sid()
        assert (await tenant.post(MESSAGING, inbound(tenant, texted))).status_code == 200
        assert (await tenant.post(VOICE, call_params(tenant, called, "ringing"))).status_code == 200
        yield ForeignRows(
            tenant=tenant,
            number_id=tenant.number.id,
            message_id=(await Message.get(sid=texted)).id,
            call_id=(await CallRow.get(sid=called)).id,
        )
    await clients.aclose()


async def answer(graphql: GraphQLClient, gateway: str, token: str, call: Call) -> str:
    """What the gateway answers ``call``: a query or mutation over HTTP, a subscription's first
    message over graphql-transport-ws."""
    if call.root.operation != "subscription":
        return outcome(call.root, await graphql.execute(call.document, call.variables, token=token))
    async with connect(gateway, token) as socket:
        await socket.start("1", call.document, call.variables)
        try:
            message = await socket.message("1", wait=SILENCE_SECONDS)
        except TimeoutError:
            return "accepted: streaming, no answer"  # (only ever waited out when failing)
    if message["type"] == "next":
        return outcome(call.root, message["payload"])
    if message["type"] == "error":
        return outcome(call.root, {"errors": message["payload"]})
    return f"{message['type']} before any result"


def key_arguments(walk: SchemaWalk, kind: str) -> list[KeyArgument]:
    return [
        key for key in walk.key_arguments() if key.kind == kind and key.root.label not in SKIPPED
    ]


def buildable(walk: SchemaWalk, roots: list[RootField]) -> tuple[list[Call], set[str]]:
    """A valid call of each root field, and the fields the walker could not build one for."""
    calls, skipped = [], set()
    for root in roots:
        try:
            calls.append(walk.call(root))
        except CannotBuild:
            skipped.add(root.label)
    return calls, skipped


def test_the_walker_finds_every_id_and_cursor_and_skips_only_the_listed_fields(
    walk: SchemaWalk,
) -> None:
    found = {key.label for key in walk.key_arguments()}
    _, skipped = buildable(walk, list(walk.root_fields()))

    assert found >= KNOWN_KEY_ARGUMENTS
    assert skipped == SKIPPED


async def test_every_malformed_id_is_bad_user_input_naming_its_argument(
    walk: SchemaWalk,
    graphql: GraphQLClient,
    gateway: str,
    prober_token: str,
) -> None:
    keys = key_arguments(walk, "id")
    answers = {
        (key.label, probe): await answer(
            graphql, gateway, prober_token, walk.call(key.root, {key.path: value})
        )
        for key in keys
        for probe, value in BAD_IDS.items()
    }

    assert keys
    assert answers == {
        (key.label, probe): f"BAD_USER_INPUT {key.name}" for key in keys for probe in BAD_IDS
    }


async def test_every_malformed_cursor_is_bad_user_input_naming_its_argument(
    walk: SchemaWalk,
    graphql: GraphQLClient,
    gateway: str,
    prober_token: str,
) -> None:
    keys = key_arguments(walk, "cursor")
    answers = {
        (key.label, probe): await answer(
            graphql, gateway, prober_token, walk.call(key.root, {key.path: value})
        )
        for key in keys
        for probe, value in BAD_CURSORS.items()
    }

    assert keys
    assert answers == {
        (key.label, probe): f"BAD_USER_INPUT {key.name}" for key in keys for probe in BAD_CURSORS
    }


async def test_another_tenants_real_ids_are_absent_never_forbidden_and_stay_untouched(
    walk: SchemaWalk,
    graphql: GraphQLClient,
    gateway: str,
    prober_token: str,
    foreign: ForeignRows,
) -> None:
    probes = {
        "their number": str(foreign.number_id),
        "their message": str(foreign.message_id),
        "their call": str(foreign.call_id),
        "the largest key": MAX_KEY,
    }
    keys = key_arguments(walk, "id")
    answers = {
        (key.label, probe): await answer(
            graphql, gateway, prober_token, walk.call(key.root, {key.path: value})
        )
        for key in keys
        for probe, value in probes.items()
    }

    assert keys
    assert answers == {(key.label, probe): absent(key) for key in keys for probe in probes}
    number = await PhoneNumber.get(id=foreign.number_id)
    assert (number.status, number.label, number.owner_id, number.released_at) == (
        NumberStatus.ACTIVE,
        None,
        None,
        None,
    )


async def test_a_caller_without_an_organization_is_forbidden_from_every_operation_needing_one(
    walk: SchemaWalk, graphql: GraphQLClient, gateway: str, identity: IdentityProvider
) -> None:
    token = identity.token(org=None, sub="auth0|orgless", roles=ALL_ROLES)
    calls, _ = buildable(walk, list(walk.root_fields()))

    answers = {call.root.label: await answer(graphql, gateway, token, call) for call in calls}

    assert answers == {
        call.root.label: WITHOUT_ORGANIZATION.get(call.root.label, NO_ORGANIZATION)
        for call in calls
    }


NUMBER = "query Number($id: ID!) { number(id: $id) { id } }"
NUMBERS = """
query Numbers($after: String) { numbers(after: $after) { edges { cursor node { id } } } }
"""


async def test_the_owners_well_formed_id_and_cursor_find_their_number(
    graphql: GraphQLClient, identity: IdentityProvider, foreign: ForeignRows
) -> None:
    owner = identity.token(org=foreign.tenant.org, sub="auth0|admin", roles=["admin"])
    number_id = str(foreign.number_id)
    later = b64(f"number:{foreign.number_id + 1}")

    found = await graphql.execute(NUMBER, {"id": number_id}, token=owner)
    paged = await graphql.execute(NUMBERS, {"after": later}, token=owner)

    assert found == {"data": {"number": {"id": number_id}}}
    assert paged == {
        "data": {
            "numbers": {
                "edges": [{"cursor": b64(f"number:{number_id}"), "node": {"id": number_id}}]
            }
        }
    }


async def test_a_cursor_handed_to_another_tenant_pages_only_the_callers_own_numbers(
    graphql: GraphQLClient, prober_token: str, foreign: ForeignRows
) -> None:
    their_cursor = b64(f"number:{foreign.number_id + 1}")

    result = await graphql.execute(NUMBERS, {"after": their_cursor}, token=prober_token)

    assert result == {"data": {"numbers": {"edges": []}}}


OWNED_BY = """
query Owned($ownerId: String) { numbers(filter: {ownerId: $ownerId}) { edges { cursor } } }
"""


@pytest.mark.parametrize("owner_id", ["auth0|a\x00b", "auth0|" + "x" * 123])
async def test_an_owner_id_no_user_can_have_is_bad_user_input_naming_the_filter(
    owner_id: str, graphql: GraphQLClient, prober_token: str
) -> None:
    result = await graphql.execute(OWNED_BY, {"ownerId": owner_id}, token=prober_token)

    assert [error["extensions"] for error in result["errors"]] == [
        {"code": "BAD_USER_INPUT", "field": "filter.ownerId"}
    ]


async def test_an_owner_id_of_the_longest_kind_filters_without_error(
    graphql: GraphQLClient, prober_token: str
) -> None:
    result = await graphql.execute(OWNED_BY, {"ownerId": "auth0|" + "x" * 122}, token=prober_token)

    assert result == {"data": {"numbers": {"edges": []}}}
