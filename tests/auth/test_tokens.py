"""Access tokens over HTTP: what is accepted, and every way a token is turned away."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from tests.support.graphql import GraphQLClient, error_codes
from tests.support.identity import (
    AUDIENCE,
    ROLES_CLAIM,
    SESSION_CLAIM,
    IdentityProvider,
    SigningKey,
    hs256_with_public_key,
    unsigned_token,
)
from trunkline.models import Tenant
from trunkline.settings import Settings

ME = "query Me { me { userId orgId roles sessionExpiresAt } }"


async def test_valid_token_answers_with_its_org_and_roles(
    graphql: GraphQLClient, identity: IdentityProvider, unique_org: str
) -> None:
    token = identity.token(org=unique_org, sub="auth0|bob", roles=["admin", "support"])

    result = await graphql.execute(ME, token=token)

    assert "errors" not in result
    assert result["data"]["me"]["userId"] == "auth0|bob"
    assert result["data"]["me"]["orgId"] == unique_org
    assert result["data"]["me"]["roles"] == ["admin", "support"]


async def test_no_token_is_unauthenticated(graphql: GraphQLClient) -> None:
    result = await graphql.execute(ME)

    assert result["data"] is None
    assert error_codes(result) == ["UNAUTHENTICATED"]


def _now() -> int:
    return int(time.time())


# Each builds a bad token from the identity provider; every one must get UNAUTHENTICATED.
BAD_TOKENS: dict[str, Callable[[IdentityProvider], str]] = {
    "expired": lambda idp: idp.token(iat=_now() - 7200, exp=_now() - 3600),
    "not yet valid": lambda idp: idp.token(nbf=_now() + 3600),
    "wrong issuer": lambda idp: idp.token(iss="https://evil.example.com/"),
    "issuer without trailing slash": lambda idp: idp.token(iss=idp.issuer.rstrip("/")),
    "wrong audience": lambda idp: idp.token(aud="https://api.other.test"),
    "no expiry": lambda idp: idp.sign({k: v for k, v in idp.claims().items() if k != "exp"}),
    "alg none": lambda idp: unsigned_token(idp.claims(roles=["admin"])),
    "HS256 signed with the RSA public key": lambda idp: hs256_with_public_key(
        idp.claims(roles=["admin"]), idp.keys[0]
    ),
    "unknown kid": lambda idp: idp.sign(idp.claims(), key=SigningKey("key-unknown")),
    "signed by another key under a known kid": lambda idp: idp.sign(
        idp.claims(), key=SigningKey("other"), kid=idp.keys[0].kid
    ),
    "session older than ten hours (auth_time)": lambda idp: idp.token(
        auth_time=_now() - 10 * 3600 - 120
    ),
    "session older than ten hours (iat)": lambda idp: idp.token(
        iat=_now() - 10 * 3600 - 120, exp=_now() + 600
    ),
    "session older than ten hours (session claim)": lambda idp: idp.token(
        **{SESSION_CLAIM: _now() - 11 * 3600}
    ),
    "malformed header": lambda idp: "not-base64!.eyJzdWIiOiJ4In0.c2ln",
    "garbage": lambda idp: "garbage",
    "no organization": lambda idp: idp.token(org=None, roles=["admin"]),
}


@pytest.mark.parametrize("case", list(BAD_TOKENS))
async def test_bad_token_is_unauthenticated(
    graphql: GraphQLClient, identity: IdentityProvider, case: str
) -> None:
    token = BAD_TOKENS[case](identity)

    result = await graphql.execute(ME, token=token)

    assert result["data"] is None
    assert error_codes(result) == ["UNAUTHENTICATED"]


async def test_session_of_nine_hours_fifty_nine_minutes_is_still_accepted(
    graphql: GraphQLClient, identity: IdentityProvider
) -> None:
    login = _now() - (9 * 3600 + 59 * 60)
    token = identity.token(auth_time=login, iat=_now() - 60)

    result = await graphql.execute(ME, token=token)

    assert "errors" not in result
    expires = datetime.fromisoformat(result["data"]["me"]["sessionExpiresAt"])
    # The session, not the token's hour-long exp, is what ends first: a minute left.
    assert expires == datetime.fromtimestamp(login + 10 * 3600, tz=UTC)


async def test_session_claim_takes_precedence_over_auth_time(
    graphql: GraphQLClient, identity: IdentityProvider
) -> None:
    # auth_time is recent, but the Action-provided login time says the session is too old.
    token = identity.token(auth_time=_now() - 60, **{SESSION_CLAIM: _now() - 10 * 3600 - 60})

    result = await graphql.execute(ME, token=token)

    assert error_codes(result) == ["UNAUTHENTICATED"]


async def test_session_claim_may_be_an_iso_timestamp(
    graphql: GraphQLClient, identity: IdentityProvider
) -> None:
    recent = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(_now() - 3600))
    token = identity.token(**{SESSION_CLAIM: recent})

    result = await graphql.execute(ME, token=token)

    assert "errors" not in result


async def test_roles_outside_the_namespaced_claim_are_ignored(
    graphql: GraphQLClient, identity: IdentityProvider
) -> None:
    token = identity.sign({**identity.claims(roles=["support"]), "roles": ["admin"]})

    result = await graphql.execute(ME, token=token)

    assert result["data"]["me"]["roles"] == ["support"]


async def test_unknown_role_names_are_dropped(
    graphql: GraphQLClient, identity: IdentityProvider
) -> None:
    token = identity.token(roles=["admin", "superuser", 42])  # type: ignore[list-item]

    result = await graphql.execute(ME, token=token)

    assert result["data"]["me"]["roles"] == ["admin"]


@pytest.mark.parametrize(
    "authorization",
    ["Basic dXNlcjpwYXNz", "Bearer", "Token abc", "Bearer a b"],
)
async def test_authorization_that_is_not_a_bearer_token_is_unauthenticated(
    graphql: GraphQLClient, authorization: str
) -> None:
    response = await graphql.http.post(
        "/graphql", json={"query": ME}, headers={"Authorization": authorization}
    )

    assert error_codes(response.json()) == ["UNAUTHENTICATED"]


async def test_first_request_of_a_new_org_creates_its_tenant_once(
    graphql: GraphQLClient, identity: IdentityProvider, unique_org: str
) -> None:
    assert await Tenant.filter(org_id=unique_org).count() == 0
    token = identity.token(org=unique_org)

    first = await graphql.execute("{ tenant { orgId } }", token=token)
    second = await graphql.execute("{ tenant { orgId } }", token=token)

    assert first["data"]["tenant"]["orgId"] == unique_org
    assert second["data"]["tenant"]["orgId"] == unique_org
    assert await Tenant.filter(org_id=unique_org).count() == 1


async def test_concurrent_first_requests_of_a_new_org_create_one_tenant(
    graphql: GraphQLClient, identity: IdentityProvider, unique_org: str
) -> None:
    token = identity.token(org=unique_org)

    results = await asyncio.gather(*(graphql.execute(ME, token=token) for _ in range(8)))

    assert all("errors" not in result for result in results)
    assert await Tenant.filter(org_id=unique_org).count() == 1


async def test_rotated_signing_key_is_picked_up_after_the_cooldown(
    graphql: GraphQLClient, identity: IdentityProvider
) -> None:
    new_key = SigningKey(f"rotated-{uuid.uuid4().hex[:6]}")
    identity.keys.append(new_key)
    try:
        await _wait_out_cooldown()
        token = identity.sign(identity.claims(roles=["admin"]), key=new_key)

        result = await graphql.execute(ME, token=token)

        assert "errors" not in result
        assert result["data"]["me"]["roles"] == ["admin"]
    finally:
        identity.keys.remove(new_key)


async def _wait_out_cooldown() -> None:
    # The cooldown is wall-clock time by design (settings: 0.5 s in tests); nothing to await.
    await asyncio.sleep(0.6)


def test_test_identity_uses_the_configured_claim_names() -> None:
    # Guards the fixtures themselves: a typo here would make the role tests vacuous.
    defaults = Settings.model_fields
    assert defaults["roles_claim"].default == ROLES_CLAIM
    assert defaults["session_claim"].default == SESSION_CLAIM
    assert AUDIENCE.startswith("https://")
