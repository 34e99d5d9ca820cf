"""``tenant`` and ``renameTenant``: tenant isolation, roles, and typed input errors."""

from __future__ import annotations

import pytest

from tests.support.graphql import GraphQLClient, error_codes
from tests.support.identity import IdentityProvider
from trunkline.models import Tenant

RENAME = """
mutation Rename($name: String!) {
  renameTenant(name: $name) {
    __typename
    ... on Tenant { orgId name }
    ... on UserInputError { code field message }
  }
}
"""


async def test_admin_renames_their_own_tenant(
    graphql: GraphQLClient, identity: IdentityProvider, unique_org: str
) -> None:
    token = identity.token(org=unique_org, roles=["admin"])

    result = await graphql.execute(RENAME, {"name": "  Acme Dental  "}, token=token)

    assert result["data"]["renameTenant"] == {
        "__typename": "Tenant",
        "orgId": unique_org,
        "name": "Acme Dental",
    }
    assert (await Tenant.get(org_id=unique_org)).name == "Acme Dental"


@pytest.mark.parametrize(
    ("roles", "expected_code"),
    [
        ([], "FORBIDDEN"),
        (["agent"], "FORBIDDEN"),
        (["support"], "FORBIDDEN"),
        (["platform-admin"], "FORBIDDEN"),
    ],
)
async def test_rename_needs_the_admin_role_and_changes_nothing_otherwise(
    graphql: GraphQLClient,
    identity: IdentityProvider,
    unique_org: str,
    roles: list[str],
    expected_code: str,
) -> None:
    token = identity.token(org=unique_org, roles=roles)
    await graphql.execute("{ tenant { id } }", token=token)  # the tenant exists, unnamed

    result = await graphql.execute(RENAME, {"name": "Hijacked"}, token=token)

    assert result["data"] is None
    assert error_codes(result) == [expected_code]
    assert (await Tenant.get(org_id=unique_org)).name == ""


async def test_rename_without_a_token_is_unauthenticated(graphql: GraphQLClient) -> None:
    result = await graphql.execute(RENAME, {"name": "Anyone"})

    assert error_codes(result) == ["UNAUTHENTICATED"]


@pytest.mark.parametrize(
    ("name", "message_part"),
    [
        ("   ", "must not be empty"),
        ("x" * 256, "at most 255"),
        ("Bad\x00Name", "control characters"),
    ],
)
async def test_bad_name_is_a_typed_input_error_and_nothing_is_saved(
    graphql: GraphQLClient,
    identity: IdentityProvider,
    unique_org: str,
    name: str,
    message_part: str,
) -> None:
    token = identity.token(org=unique_org, roles=["admin"])

    result = await graphql.execute(RENAME, {"name": name}, token=token)

    payload = result["data"]["renameTenant"]
    assert payload["__typename"] == "UserInputError"
    assert payload["code"] == "BAD_USER_INPUT"
    assert payload["field"] == "name"
    assert message_part in payload["message"]
    assert (await Tenant.get(org_id=unique_org)).name == ""


async def test_each_tenant_sees_only_itself(
    graphql: GraphQLClient, identity: IdentityProvider, unique_org: str
) -> None:
    other_org = unique_org + "_other"
    await graphql.execute(
        RENAME, {"name": "Other"}, token=identity.token(org=other_org, roles=["admin"])
    )

    result = await graphql.execute(
        "{ tenant { orgId name } }", token=identity.token(org=unique_org)
    )

    assert result["data"]["tenant"] == {"orgId": unique_org, "name": ""}
