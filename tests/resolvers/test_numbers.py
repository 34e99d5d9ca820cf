"""Phone numbers through GraphQL: search, buy, list, assign, release; against the sandbox."""

from __future__ import annotations

import uuid

import pytest
from tortoise import Tortoise
from twilio.base.exceptions import TwilioRestException

from tests.conftest import BACKEND
from tests.support.graphql import error_codes
from tests.support.numbers import next_area_code, unheld
from tests.support.tenancy import AVAILABLE, BUY_NUMBER, Tenant
from trunkline.models import NumberStatus, PhoneNumber
from trunkline.settings import Settings
from trunkline.twilio import TwilioClients

COUNTRIES = "{ supportedCountries { isoCountry name beta } }"
SEARCH = """
query Search($country: String!, $areaCode: String, $contains: String, $type: NumberType,
             $capabilities: [NumberCapability!], $first: Int) {
  availableNumbers(country: $country, areaCode: $areaCode, contains: $contains, type: $type,
                   capabilities: $capabilities, first: $first) {
    phoneNumber friendlyName locality region isoCountry type capabilities { voice sms mms }
    monthlyPrice { amount currency }
  }
}
"""
NUMBERS = """
query Numbers($filter: NumberFilter, $first: Int, $after: String) {
  numbers(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id phoneNumber status ownerId label } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
NUMBER = "query Number($id: ID!) { number(id: $id) { id phoneNumber ownerId } }"
UPDATE = """
mutation Update($id: ID!, $input: UpdateNumberInput!) {
  updateNumber(id: $id, input: $input) {
    __typename
    ... on PhoneNumber { id status ownerId label websiteId }
    ... on Error { code message }
    ... on UserInputError { field }
  }
}
"""
RELEASE = """
mutation Release($id: ID!) {
  releaseNumber(id: $id) {
    __typename ... on PhoneNumber { id status releasedAt } ... on Error { code message }
  }
}
"""


async def test_supported_countries_come_from_twilio(tenant: Tenant, carrier: str) -> None:
    await tenant.connect_twilio(carrier)

    result = await tenant.execute(COUNTRIES, as_="admin")

    codes = {country["isoCountry"] for country in result["data"]["supportedCountries"]}
    assert {"US", "CA", "GB", "DO", "AU"} <= codes


async def test_available_numbers_match_the_search(tenant: Tenant, carrier: str) -> None:
    await tenant.connect_twilio(carrier)

    result = await tenant.execute(
        SEARCH,
        {"country": "US", "areaCode": "415", "capabilities": ["SMS"], "first": 3},
        as_="admin",
    )

    found = result["data"]["availableNumbers"]
    assert len(found) == 3
    for number in found:
        assert number["phoneNumber"].startswith("+1415")
        assert number["isoCountry"] == "US"
        assert number["type"] == "LOCAL"
        assert number["capabilities"]["sms"] is True
        assert number["locality"]
        assert number["region"]
        assert "sandbox" in number["friendlyName"].lower()
        assert number["monthlyPrice"] == {"amount": "1.15", "currency": "USD"}


async def test_toll_free_search_returns_toll_free_numbers(tenant: Tenant, carrier: str) -> None:
    await tenant.connect_twilio(carrier)

    result = await tenant.execute(
        SEARCH, {"country": "US", "type": "TOLL_FREE", "first": 2}, as_="admin"
    )

    found = result["data"]["availableNumbers"]
    assert [n["type"] for n in found] == ["TOLL_FREE", "TOLL_FREE"]
    assert [n["monthlyPrice"]["amount"] for n in found] == ["2.15", "2.15"]


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"country": "usa"}, "country"),
        ({"country": "US", "areaCode": "4a5"}, "areaCode"),
        ({"country": "US", "contains": "!!"}, "contains"),
        ({"country": "US", "first": 0}, "first"),
        ({"country": "US", "first": 101}, "first"),
    ],
)
async def test_bad_search_input_is_bad_user_input_naming_the_field(
    tenant: Tenant, carrier: str, variables: dict[str, object], field: str
) -> None:
    await tenant.connect_twilio(carrier)

    result = await tenant.execute(SEARCH, variables, as_="admin")

    assert error_codes(result) == ["BAD_USER_INPUT"]
    assert result["errors"][0]["extensions"]["field"] == field


async def test_bought_number_is_stored_and_wired_to_this_gateway(
    tenant: Tenant, carrier: str, settings: Settings
) -> None:
    await tenant.connect_twilio(carrier)

    bought = await tenant.buy_any_number(
        label="Front desk", websiteId="site-1", ownerId="auth0|amy"
    )

    assert bought["status"] == "ACTIVE"
    assert (bought["label"], bought["websiteId"], bought["ownerId"]) == (
        "Front desk",
        "site-1",
        "auth0|amy",
    )
    assert bought["capabilities"] == {"voice": True, "sms": True, "mms": True}
    stored = await PhoneNumber.get(sid=bought["sid"])
    assert stored.phone_number == bought["phoneNumber"]
    assert stored.iso_country == "US"
    assert (str(stored.monthly_fee), stored.price_unit) == ("1.1500", "USD")
    at_twilio = await _twilio_number(tenant, carrier, bought["sid"])
    retried = "#rc=3&rp=ct,rt,5xx"  # Twilio retries 5xx only when the URL asks for it
    assert at_twilio.sms_url == f"{settings.public_url}/webhooks/twilio/messaging{retried}"
    assert at_twilio.voice_url == f"{settings.public_url}/webhooks/twilio/voice{retried}"
    assert (
        at_twilio.voice_fallback_url
        == f"{settings.public_url}/webhooks/twilio/voice-fallback{retried}"
    )
    assert at_twilio.voice_fallback_method == "POST"
    assert (
        at_twilio.status_callback == f"{settings.public_url}/webhooks/twilio/call-status{retried}"
    )


async def _twilio_number(tenant: Tenant, carrier: str, sid: str) -> object:
    assert tenant.account is not None
    clients = TwilioClients(f"{carrier}/twilio")
    try:
        client = clients.client_for("check", tenant.account.account_sid, tenant.account.auth_token)
        return await client.incoming_phone_numbers(sid).fetch_async()
    finally:
        await clients.aclose()


async def test_number_no_longer_available_is_a_typed_error(
    tenant: Tenant, other_tenant: Tenant, carrier: str
) -> None:
    await tenant.connect_twilio(carrier)
    await other_tenant.connect_twilio(carrier)
    taken = await other_tenant.buy_any_number()

    again = await tenant.execute(
        BUY_NUMBER, {"input": {"phoneNumber": taken["phoneNumber"]}}, as_="admin"
    )
    magic = await tenant.execute(
        BUY_NUMBER, {"input": {"phoneNumber": "+15005550000"}}, as_="admin"
    )

    assert again["data"]["buyNumber"]["code"] == "NUMBER_UNAVAILABLE"
    assert magic["data"]["buyNumber"]["code"] == "NUMBER_UNAVAILABLE"
    # Other tests' sandbox accounts may hold the same number: count within these two tenants.
    holders = PhoneNumber.filter(
        phone_number=taken["phoneNumber"], tenant__org_id__in=[tenant.org, other_tenant.org]
    )
    assert await holders.values_list("tenant__org_id", flat=True) == [other_tenant.org]


@pytest.mark.parametrize("phone_number", ["0412345678", "+61 412 345 678", "61412345678"])
async def test_buying_a_malformed_number_is_bad_user_input(
    tenant: Tenant, carrier: str, phone_number: str
) -> None:
    await tenant.connect_twilio(carrier)

    result = await tenant.execute(BUY_NUMBER, {"input": {"phoneNumber": phone_number}}, as_="admin")

    assert result["data"]["buyNumber"]["field"] == "phoneNumber"


async def test_buying_without_twilio_configured_is_twilio_not_configured(tenant: Tenant) -> None:
    result = await tenant.execute(
        BUY_NUMBER, {"input": {"phoneNumber": "+14155550100"}}, as_="admin"
    )

    assert result["data"]["buyNumber"]["code"] == "TWILIO_NOT_CONFIGURED"


@pytest.mark.parametrize("roles", [(), ("support",), ("platform-admin",)])
async def test_only_admins_search_buy_and_release_and_refusals_change_nothing(
    tenant: Tenant, carrier: str, roles: tuple[str, ...]
) -> None:
    await tenant.connect_twilio(carrier)
    owned = await tenant.buy_any_number(ownerId=tenant.identity.claims()["sub"])
    count_before = await PhoneNumber.all().count()

    search = await tenant.execute(AVAILABLE, {"country": "US"}, as_=roles)
    countries = await tenant.execute(COUNTRIES, as_=roles)
    buy = await tenant.execute(BUY_NUMBER, {"input": {"phoneNumber": "+14155550177"}}, as_=roles)
    release = await tenant.execute(RELEASE, {"id": owned["id"]}, as_=roles)

    for result in (search, countries, buy, release):
        assert error_codes(result) == ["FORBIDDEN"]
    assert await PhoneNumber.all().count() == count_before
    assert (await PhoneNumber.get(id=int(owned["id"]))).status == NumberStatus.ACTIVE


async def test_admins_see_every_number_and_agents_only_their_own(
    tenant: Tenant, carrier: str
) -> None:
    await tenant.connect_twilio(carrier)
    amys = await tenant.buy_any_number(ownerId="auth0|amy")
    await tenant.buy_any_number(ownerId="auth0|bob")
    await tenant.buy_any_number()

    as_admin = await tenant.execute(NUMBERS, as_="admin")
    amy = await tenant.graphql.execute(NUMBERS, token=tenant.token(sub="auth0|amy"))
    amy_other = await tenant.graphql.execute(
        NUMBERS, {"filter": {"ownerId": "auth0|bob"}}, token=tenant.token(sub="auth0|amy")
    )

    assert len(as_admin["data"]["numbers"]["edges"]) == 3
    assert [e["node"]["id"] for e in amy["data"]["numbers"]["edges"]] == [amys["id"]]
    assert amy_other["data"]["numbers"]["edges"] == []


# Every filter the numbers query offers, and the numbers of a tenant set up as in
# `numbers_of_a_tenant` it must return to an admin signed in as Amy, and to Amy as an agent.
FILTERS: dict[str, tuple[dict[str, object] | None, list[str], list[str]]] = {
    "no filter": (None, ["spare", "bobs", "amys"], ["amys"]),
    "mine": ({"mine": True}, ["amys"], ["amys"]),
    "Amy's": ({"ownerId": "auth0|amy"}, ["amys"], ["amys"]),
    "Bob's": ({"ownerId": "auth0|bob"}, ["bobs"], []),
    "active": ({"status": "ACTIVE"}, ["amys"], ["amys"]),
    "inactive": ({"status": "INACTIVE"}, ["bobs"], []),
    "released": ({"status": "RELEASED"}, ["spare"], []),
    "voice": ({"capability": "VOICE"}, ["spare", "bobs", "amys"], ["amys"]),
    "sms": ({"capability": "SMS"}, ["spare", "bobs", "amys"], ["amys"]),
    "mms": ({"capability": "MMS"}, ["spare", "bobs", "amys"], ["amys"]),
}


async def numbers_of_a_tenant(tenant: Tenant, carrier: str) -> dict[str, str]:
    """Amy's active number, Bob's inactive one, and a released spare; their ids by name."""
    await tenant.connect_twilio(carrier)
    amys = await tenant.buy_any_number(ownerId="auth0|amy")
    bobs = await tenant.buy_any_number(ownerId="auth0|bob")
    spare = await tenant.buy_any_number()
    inactive = await tenant.execute(
        UPDATE, {"id": bobs["id"], "input": {"status": "INACTIVE"}}, as_="admin"
    )
    released = await tenant.execute(RELEASE, {"id": spare["id"]}, as_="admin")
    assert inactive["data"]["updateNumber"]["status"] == "INACTIVE", inactive
    assert released["data"]["releaseNumber"]["status"] == "RELEASED", released
    return {"amys": amys["id"], "bobs": bobs["id"], "spare": spare["id"]}


async def test_each_tenant_lists_and_reads_only_its_own_numbers_whatever_the_filter(
    tenant: Tenant, other_tenant: Tenant, carrier: str
) -> None:
    # Given: two tenants with numbers of the same owners, statuses and capabilities.
    owned = {
        tenant.org: await numbers_of_a_tenant(tenant, carrier),
        other_tenant.org: await numbers_of_a_tenant(other_tenant, carrier),
    }

    # When: each lists its numbers with every filter, as an admin and as Amy, and reads the
    # other tenant's numbers by id.
    listed: dict[tuple[str, str, str], list[str]] = {}
    expected: dict[tuple[str, str, str], list[str]] = {}
    read_across: dict[tuple[str, str, str], object] = {}
    for this, that in ((tenant, other_tenant), (other_tenant, tenant)):
        viewers = {
            "admin": this.token("admin", sub="auth0|amy"),
            "agent": this.token(sub="auth0|amy"),
        }
        for role, token in viewers.items():
            for name, (number_filter, for_admin, for_agent) in FILTERS.items():
                result = await this.graphql.execute(NUMBERS, {"filter": number_filter}, token=token)
                edges = result["data"]["numbers"]["edges"]
                listed[this.org, role, name] = [edge["node"]["id"] for edge in edges]
                names = for_admin if role == "admin" else for_agent
                expected[this.org, role, name] = [owned[this.org][n] for n in names]
            for name, number_id in owned[that.org].items():
                result = await this.graphql.execute(NUMBER, {"id": number_id}, token=token)
                read_across[this.org, role, name] = result["data"]["number"]

    # Then: each sees exactly its own, and none of the other's.
    assert listed == expected
    assert {key: number for key, number in read_across.items() if number is not None} == {}
    assert len(read_across) == 12  # 2 tenants x 2 viewers x 3 numbers of the other


async def test_filters_narrow_the_list(tenant: Tenant, carrier: str) -> None:
    await tenant.connect_twilio(carrier)
    first = await tenant.buy_any_number(ownerId="auth0|admin")
    second = await tenant.buy_any_number(ownerId="auth0|bob")
    await tenant.execute(UPDATE, {"id": second["id"], "input": {"status": "INACTIVE"}}, as_="admin")

    mine = await tenant.execute(NUMBERS, {"filter": {"mine": True}}, as_="admin")
    by_owner = await tenant.execute(NUMBERS, {"filter": {"ownerId": "auth0|bob"}}, as_="admin")
    inactive = await tenant.execute(NUMBERS, {"filter": {"status": "INACTIVE"}}, as_="admin")
    sms = await tenant.execute(NUMBERS, {"filter": {"capability": "SMS"}}, as_="admin")

    def ids(result: dict[str, object]) -> list[str]:
        return [edge["node"]["id"] for edge in result["data"]["numbers"]["edges"]]  # type: ignore[index]

    assert ids(mine) == [first["id"]]
    assert ids(by_owner) == [second["id"]]
    assert ids(inactive) == [second["id"]]
    assert ids(sms) == [second["id"], first["id"]]


async def test_pages_follow_each_other_without_overlap(tenant: Tenant, carrier: str) -> None:
    await tenant.connect_twilio(carrier)
    bought = [await tenant.buy_any_number() for _ in range(5)]

    first_page = await tenant.execute(NUMBERS, {"first": 2}, as_="admin")
    cursor = first_page["data"]["numbers"]["pageInfo"]["endCursor"]
    second_page = await tenant.execute(NUMBERS, {"first": 2, "after": cursor}, as_="admin")
    cursor = second_page["data"]["numbers"]["pageInfo"]["endCursor"]
    last_page = await tenant.execute(NUMBERS, {"first": 2, "after": cursor}, as_="admin")

    pages = [first_page, second_page, last_page]
    seen = [e["node"]["id"] for page in pages for e in page["data"]["numbers"]["edges"]]
    assert seen == [number["id"] for number in reversed(bought)]
    assert [p["data"]["numbers"]["pageInfo"]["hasNextPage"] for p in pages] == [True, True, False]


@pytest.mark.parametrize("after", ["garbage", "bWVzc2FnZTox"])  # the second: another list's cursor
async def test_foreign_cursor_is_bad_user_input(tenant: Tenant, after: str) -> None:
    result = await tenant.execute(NUMBERS, {"after": after}, as_="admin")

    assert error_codes(result) == ["BAD_USER_INPUT"]
    assert result["errors"][0]["extensions"]["field"] == "after"


async def test_another_tenants_number_is_not_found_exactly_like_an_absent_one(
    tenant: Tenant, other_tenant: Tenant, carrier: str
) -> None:
    await other_tenant.connect_twilio(carrier)
    await tenant.connect_twilio(carrier)
    theirs = await other_tenant.buy_any_number(label="Theirs")

    read = await tenant.execute(NUMBER, {"id": theirs["id"]}, as_="admin")
    absent = await tenant.execute(NUMBER, {"id": "999999999"}, as_="admin")
    update = await tenant.execute(
        UPDATE, {"id": theirs["id"], "input": {"label": "Mine"}}, as_="admin"
    )
    update_absent = await tenant.execute(
        UPDATE, {"id": "999999999", "input": {"label": "x"}}, as_="admin"
    )
    release = await tenant.execute(RELEASE, {"id": theirs["id"]}, as_="admin")
    release_absent = await tenant.execute(RELEASE, {"id": "999999999"}, as_="admin")

    assert read["data"]["number"] is None
    assert absent["data"]["number"] is None
    assert update["data"]["updateNumber"] == update_absent["data"]["updateNumber"]
    assert update["data"]["updateNumber"]["code"] == "PHONE_NUMBER_NOT_FOUND"
    assert release["data"]["releaseNumber"] == release_absent["data"]["releaseNumber"]
    assert release["data"]["releaseNumber"]["code"] == "PHONE_NUMBER_NOT_FOUND"
    stored = await PhoneNumber.get(id=int(theirs["id"]))
    assert (stored.label, stored.status) == ("Theirs", NumberStatus.ACTIVE)


async def test_admin_assigns_and_unassigns_a_number(tenant: Tenant, carrier: str) -> None:
    await tenant.connect_twilio(carrier)
    number = await tenant.buy_any_number()

    assigned = await tenant.execute(
        UPDATE, {"id": number["id"], "input": {"ownerId": "auth0|amy", "label": "Amy"}}, as_="admin"
    )
    seen_by_amy = await tenant.graphql.execute(
        NUMBER, {"id": number["id"]}, token=tenant.token(sub="auth0|amy")
    )
    unassigned = await tenant.execute(
        UPDATE, {"id": number["id"], "input": {"ownerId": ""}}, as_="admin"
    )
    unseen_by_amy = await tenant.graphql.execute(
        NUMBER, {"id": number["id"]}, token=tenant.token(sub="auth0|amy")
    )

    assert assigned["data"]["updateNumber"]["ownerId"] == "auth0|amy"
    assert assigned["data"]["updateNumber"]["label"] == "Amy"
    assert seen_by_amy["data"]["number"]["ownerId"] == "auth0|amy"
    assert unassigned["data"]["updateNumber"]["ownerId"] is None
    assert unseen_by_amy["data"]["number"] is None


async def test_owner_changes_label_and_website_but_not_status_or_owner(
    tenant: Tenant, carrier: str
) -> None:
    await tenant.connect_twilio(carrier)
    number = await tenant.buy_any_number(ownerId="auth0|amy")
    amy = tenant.token(sub="auth0|amy")

    relabel = await tenant.graphql.execute(
        UPDATE,
        {"id": number["id"], "input": {"label": "Amy's line", "websiteId": "w-2"}},
        token=amy,
    )
    status = await tenant.graphql.execute(
        UPDATE, {"id": number["id"], "input": {"status": "INACTIVE"}}, token=amy
    )
    owner = await tenant.graphql.execute(
        UPDATE, {"id": number["id"], "input": {"ownerId": "auth0|bob"}}, token=amy
    )
    not_hers = await tenant.graphql.execute(
        UPDATE,
        {"id": number["id"], "input": {"label": "Bob's"}},
        token=tenant.token(sub="auth0|bob"),
    )

    assert relabel["data"]["updateNumber"]["label"] == "Amy's line"
    assert relabel["data"]["updateNumber"]["websiteId"] == "w-2"
    assert error_codes(status) == ["FORBIDDEN"]
    assert error_codes(owner) == ["FORBIDDEN"]
    assert not_hers["data"]["updateNumber"]["code"] == "PHONE_NUMBER_NOT_FOUND"
    stored = await PhoneNumber.get(id=int(number["id"]))
    assert (stored.label, stored.status, stored.owner_id) == (
        "Amy's line",
        NumberStatus.ACTIVE,
        "auth0|amy",
    )


@pytest.mark.parametrize(
    ("input_", "field"),
    [({"label": "x" * 101}, "input.label"), ({"status": "RELEASED"}, "input.status")],
)
async def test_bad_update_is_a_typed_error_and_changes_nothing(
    tenant: Tenant, carrier: str, input_: dict[str, object], field: str
) -> None:
    await tenant.connect_twilio(carrier)
    number = await tenant.buy_any_number(label="Kept")

    result = await tenant.execute(UPDATE, {"id": number["id"], "input": input_}, as_="admin")

    assert result["data"]["updateNumber"]["field"] == field
    stored = await PhoneNumber.get(id=int(number["id"]))
    assert (stored.label, stored.status) == ("Kept", NumberStatus.ACTIVE)


async def test_released_number_is_released_at_twilio_and_kept_as_history(
    tenant: Tenant, carrier: str
) -> None:
    await tenant.connect_twilio(carrier)
    number = await tenant.buy_any_number()

    released = await tenant.execute(RELEASE, {"id": number["id"]}, as_="admin")
    again = await tenant.execute(RELEASE, {"id": number["id"]}, as_="admin")
    update = await tenant.execute(
        UPDATE, {"id": number["id"], "input": {"label": "x"}}, as_="admin"
    )
    listed = await tenant.execute(NUMBERS, {"filter": {"status": "RELEASED"}}, as_="admin")

    assert released["data"]["releaseNumber"]["status"] == "RELEASED"
    assert released["data"]["releaseNumber"]["releasedAt"] is not None
    assert again["data"]["releaseNumber"]["code"] == "INACTIVE_NUMBER"
    assert update["data"]["updateNumber"]["code"] == "INACTIVE_NUMBER"
    assert [e["node"]["id"] for e in listed["data"]["numbers"]["edges"]] == [number["id"]]
    with pytest.raises(TwilioRestException) as gone:
        await _twilio_number(tenant, carrier, number["sid"])
    assert gone.value.status == 404


@pytest.mark.skipif(
    BACKEND != "services", reason="a refusing trigger raises a constraint error on SQLite"
)
async def test_a_bought_number_that_cannot_be_stored_is_released_at_twilio(
    tenant: Tenant, carrier: str
) -> None:
    # Given: a database that refuses to store the number the admin buys (a driver error, not
    # one of tortoise's: asyncpg's reach the service unwrapped).
    await tenant.connect_twilio(carrier)
    offered = await tenant.execute(
        AVAILABLE, {"country": "US", "areaCode": next_area_code(), "first": 100}, as_="admin"
    )
    (phone_number, *_) = await unheld(
        [n["phoneNumber"] for n in offered["data"]["availableNumbers"]]
    )
    refusal = f"refuse_{uuid.uuid4().hex[:8]}"
    database = Tortoise.get_connection("default")
    await database.execute_script(
        f"CREATE FUNCTION {refusal}() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$; "
        f"CREATE TRIGGER {refusal} BEFORE INSERT ON phone_number FOR EACH ROW "
        f"WHEN (NEW.phone_number = '{phone_number}') EXECUTE FUNCTION {refusal}();"
    )
    try:
        # When: an admin buys it.
        result = await tenant.execute(
            BUY_NUMBER, {"input": {"phoneNumber": phone_number}}, as_="admin"
        )
    finally:
        await database.execute_script(
            f"DROP TRIGGER {refusal} ON phone_number; DROP FUNCTION {refusal}();"
        )

    # Then: it failed, nothing is stored, and the account no longer holds (nor pays for) it.
    assert result["data"] is None
    assert not await PhoneNumber.filter(phone_number=phone_number).exists()
    assert tenant.account is not None
    clients = TwilioClients(f"{carrier}/twilio")
    try:
        client = clients.client_for("check", tenant.account.account_sid, tenant.account.auth_token)
        held = await client.incoming_phone_numbers.list_async(phone_number=phone_number)
    finally:
        await clients.aclose()
    assert held == []
