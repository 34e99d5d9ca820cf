"""``setActivityRetention``: support sets its organization's activity retention, nobody else's."""

from __future__ import annotations

import pytest

from tests.support.graphql import GraphQLClient, error_codes
from tests.support.identity import IdentityProvider
from trunkline.models import Tenant

SET_RETENTION = """
mutation SetRetention($days: Int) {
  setActivityRetention(days: $days) {
    __typename
    ... on Tenant { orgId activityRetentionDays }
    ... on UserInputError { code field message }
  }
}
"""
TENANT = "{ tenant { orgId activityRetentionDays } }"


async def retention_of(org: str) -> int | None:
    return (await Tenant.get(org_id=org)).activity_retention_days


async def test_support_sets_and_resets_the_retention_of_its_own_organization(
    graphql: GraphQLClient, identity: IdentityProvider, unique_org: str
) -> None:
    token = identity.token(org=unique_org, roles=["support"])

    set_to_7 = await graphql.execute(SET_RETENTION, {"days": 7}, token=token)
    seen = await graphql.execute(TENANT, token=identity.token(org=unique_org, roles=[]))
    saved = await retention_of(unique_org)
    reset = await graphql.execute(SET_RETENTION, {"days": None}, token=token)
    await graphql.execute(SET_RETENTION, {"days": 5}, token=token)
    omitted = await graphql.execute(SET_RETENTION, token=token)

    assert set_to_7["data"]["setActivityRetention"] == {
        "__typename": "Tenant",
        "orgId": unique_org,
        "activityRetentionDays": 7,
    }
    assert seen["data"]["tenant"] == {"orgId": unique_org, "activityRetentionDays": 7}
    assert saved == 7
    assert reset["data"]["setActivityRetention"]["activityRetentionDays"] is None
    assert omitted["data"]["setActivityRetention"]["activityRetentionDays"] is None
    assert await retention_of(unique_org) is None


@pytest.mark.parametrize("roles", [[], ["agent"], ["admin"], ["platform-admin"]])
async def test_only_support_sets_the_retention_and_nothing_changes_otherwise(
    graphql: GraphQLClient, identity: IdentityProvider, unique_org: str, roles: list[str]
) -> None:
    token = identity.token(org=unique_org, roles=roles)
    await graphql.execute(TENANT, token=token)  # the tenant exists, with the default

    result = await graphql.execute(SET_RETENTION, {"days": 1}, token=token)

    assert result["data"] is None
    assert error_codes(result) == ["FORBIDDEN"]
    assert await retention_of(unique_org) is None


async def test_setting_the_retention_without_a_token_is_unauthenticated(
    graphql: GraphQLClient,
) -> None:
    result = await graphql.execute(SET_RETENTION, {"days": 30})

    assert error_codes(result) == ["UNAUTHENTICATED"]


async def test_support_of_one_organization_changes_only_its_own(
    graphql: GraphQLClient, identity: IdentityProvider, unique_org: str
) -> None:
    other_org = f"{unique_org}_other"
    other = identity.token(org=other_org, roles=["support"])
    await graphql.execute(SET_RETENTION, {"days": 400}, token=other)

    result = await graphql.execute(
        SET_RETENTION, {"days": 3}, token=identity.token(org=unique_org, roles=["support"])
    )
    seen_by_other = await graphql.execute(TENANT, token=other)

    assert result["data"]["setActivityRetention"]["orgId"] == unique_org
    assert (await retention_of(unique_org), await retention_of(other_org)) == (3, 400)
    assert seen_by_other["data"]["tenant"] == {"orgId": other_org, "activityRetentionDays": 400}


@pytest.mark.parametrize("days", [0, -1, 3651, 2**31 - 1])
async def test_a_retention_out_of_range_is_a_typed_input_error_and_nothing_is_saved(
    graphql: GraphQLClient, identity: IdentityProvider, unique_org: str, days: int
) -> None:
    token = identity.token(org=unique_org, roles=["support"])
    await graphql.execute(SET_RETENTION, {"days": 10}, token=token)

    result = await graphql.execute(SET_RETENTION, {"days": days}, token=token)

    error = result["data"]["setActivityRetention"]
    assert (error["__typename"], error["code"], error["field"]) == (
        "UserInputError",
        "BAD_USER_INPUT",
        "days",
    )
    assert "between 1 and 3650" in error["message"]
    assert await retention_of(unique_org) == 10


async def test_a_retention_beyond_graphql_int_is_refused_and_nothing_is_saved(
    graphql: GraphQLClient, identity: IdentityProvider, unique_org: str
) -> None:
    token = identity.token(org=unique_org, roles=["support"])
    await graphql.execute(SET_RETENTION, {"days": 10}, token=token)

    result = await graphql.execute(SET_RETENTION, {"days": 2**40}, token=token)

    assert result["data"] is None
    assert ["Int cannot represent" in error["message"] for error in result["errors"]] == [True]
    assert await retention_of(unique_org) == 10
