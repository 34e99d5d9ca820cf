"""What one request may cost, and what errors may reveal (production settings)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from graphql import GraphQLError

from tests.support.graphql import GraphQLClient
from tests.support.identity import IdentityProvider
from trunkline.graphql.limits import is_unexpected
from trunkline.resolvers.root import build_schema
from trunkline.settings import Settings


@pytest.fixture
def token(identity: IdentityProvider) -> str:
    return identity.token(roles=["admin"])


async def test_query_deeper_than_the_limit_is_refused(settings: Settings) -> None:
    # Today's types nest one level below the root; a limit of zero shows the limiter bites.
    shallow = build_schema(settings.model_copy(update={"max_query_depth": 0}))

    result = await shallow.execute("{ me { orgId } }")

    assert result.data is None
    assert result.errors is not None
    assert "exceeds maximum operation depth of 0" in result.errors[0].message


async def test_query_within_the_depth_limit_reaches_the_resolvers(settings: Settings) -> None:
    schema = build_schema(settings.model_copy(update={"max_query_depth": 1}))

    result = await schema.execute("{ me { orgId } }", context_value=SimpleNamespace(principal=None))

    # Past validation, the resolver's own check answers: no principal, so UNAUTHENTICATED.
    assert result.errors is not None
    assert result.errors[0].extensions == {"code": "UNAUTHENTICATED"}


async def test_aliases_over_the_limit_are_refused_fragments_included(
    graphql: GraphQLClient, token: str, settings: Settings
) -> None:
    half = settings.max_aliases // 2 + 1
    fragment_fields = " ".join(f"f{n}: orgId" for n in range(half))
    query_fields = " ".join(f"q{n}: me {{ ...M }}" for n in range(half))
    query = f"query {{ {query_fields} }} fragment M on Me {{ {fragment_fields} }}"

    result = await graphql.execute(query, token=token)

    assert result.get("data") is None
    assert any("aliases found" in e["message"] for e in result["errors"])


async def test_aliases_within_the_limit_are_answered(graphql: GraphQLClient, token: str) -> None:
    result = await graphql.execute("{ a: me { orgId } b: me { userId } }", token=token)

    assert "errors" not in result
    assert set(result["data"]) == {"a", "b"}


async def test_document_over_the_token_limit_is_refused(
    graphql: GraphQLClient, token: str, settings: Settings
) -> None:
    query = "{ me { " + "orgId " * settings.max_tokens + "} }"

    result = await graphql.execute(query, token=token)

    assert result.get("data") is None
    assert any(f"more than {settings.max_tokens} tokens" in e["message"] for e in result["errors"])


async def test_introspection_is_off_outside_development(graphql: GraphQLClient, token: str) -> None:
    result = await graphql.execute("{ __schema { types { name } } }", token=token)

    assert result.get("data") is None
    assert any("introspection" in e["message"].lower() for e in result["errors"])


async def test_unknown_field_gets_no_suggestion_outside_development(
    graphql: GraphQLClient, token: str
) -> None:
    result = await graphql.execute("{ me { orgI } }", token=token)

    assert result.get("data") is None
    [error] = result["errors"]
    assert "Cannot query field 'orgI'" in error["message"]
    assert "Did you mean" not in error["message"]


async def test_batched_operations_are_refused(graphql: GraphQLClient, token: str) -> None:
    body = [{"query": "{ me { orgId } }"}, {"query": "{ me { userId } }"}]

    response = await graphql.post(body, token=token)

    assert response.status_code == 400


async def test_queries_over_get_are_refused(graphql: GraphQLClient, token: str) -> None:
    response = await graphql.http.get(
        "/graphql",
        params={"query": "{ me { orgId } }"},
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 400
    assert "data" not in response.text


async def test_graphiql_is_not_served_outside_development(graphql: GraphQLClient) -> None:
    response = await graphql.http.get("/graphql", headers={"Accept": "text/html"})

    assert "graphiql" not in response.text.lower()


def test_only_unexpected_exceptions_are_masked() -> None:
    unexpected = GraphQLError("boom", original_error=RuntimeError("db password=hunter2"))
    deliberate = GraphQLError("nope", original_error=GraphQLError("Authentication required"))
    validation = GraphQLError("Cannot query field 'x'")

    assert is_unexpected(unexpected) is True
    assert is_unexpected(deliberate) is False
    assert is_unexpected(validation) is False
