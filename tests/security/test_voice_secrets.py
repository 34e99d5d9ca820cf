"""The API key secret provisionVoice stores (and the auth token beside it) is in no response.

Every query of the served schema is asked for every field it can answer (walked from the schema,
so a field added tomorrow is read too), by a caller with every tenant role, after provisioning;
so are the voice mutations. Neither secret may appear in any answer nor in any log line.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from graphql import (
    GraphQLField,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    get_named_type,
    is_abstract_type,
    is_composite_type,
    is_non_null_type,
)
from graphql.pyutils import Undefined

from tests.resolvers.voice import CREATE_TOKEN, PROVISION, provision, sandbox_keys
from tests.sandbox.conformance import ExchangeRecorder
from tests.security.schema_walk import CannotBuild, SchemaWalk
from tests.support.graphql import GraphQLClient
from tests.support.identity import IdentityProvider
from tests.support.tenancy import Tenant
from trunkline.resolvers.root import build_schema
from trunkline.settings import Settings


@pytest.fixture
def tenant(graphql: GraphQLClient, identity: IdentityProvider, unique_org: str) -> Tenant:
    return Tenant(org=unique_org, graphql=graphql, identity=identity)


NESTING = 4  # levels of object below each root field (the gateway allows a depth of 10)
ROLES = ("admin", "support")


def selection(schema: GraphQLSchema, type_: GraphQLOutputType, depth: int = 0) -> str:
    """Every field of ``type_`` that needs no argument, nested ``NESTING`` levels deep.

    A union's members are read through fragments; a field two members type differently is
    aliased (``Member_field``) so the fragments do not conflict.
    """
    named = get_named_type(type_)
    if not is_composite_type(named):
        return ""
    if depth >= NESTING:
        return "{ __typename }"
    parts = ["__typename"]
    if is_abstract_type(named):
        seen: dict[str, str] = {}
        for member in schema.get_possible_types(named):  # type: ignore[arg-type]
            fields = []
            for name, field in _readable(member):
                printed = str(field.type)
                clash = seen.setdefault(name, printed) != printed
                alias = f"{member.name}_{name}: " if clash else ""
                fields.append(f"{alias}{name} {selection(schema, field.type, depth + 1)}")
            parts.append(f"... on {member.name} {{ {' '.join(fields)} }}")
    else:
        parts += [
            f"{name} {selection(schema, field.type, depth + 1)}"
            for name, field in _readable(named)  # type: ignore[arg-type]
        ]
    return "{ " + " ".join(parts) + " }"


def _readable(type_: GraphQLObjectType) -> list[tuple[str, GraphQLField]]:
    """The fields that can be read without an argument."""
    return [
        (name, field)
        for name, field in type_.fields.items()
        if not any(
            is_non_null_type(arg.type) and arg.default_value is Undefined
            for arg in field.args.values()
        )
    ]


def every_query(settings: Settings) -> list[tuple[str, str, dict[str, Any]]]:
    """(name, document, variables) reading everything of every query the schema serves."""
    schema = build_schema(settings)._schema
    walk = SchemaWalk(schema)
    queries = []
    for root in walk.root_fields():
        if root.operation != "query":
            continue
        try:
            call = walk.call(root)
        except CannotBuild:
            continue
        # The walker's arguments, with a whole selection instead of its shallow one.
        names = list(call.variables)
        declarations = ", ".join(f"${n}: {root.field.args[n].type}" for n in names)
        header = f"query Read({declarations})" if names else "query Read"
        invocation = (
            f"{root.name}({', '.join(f'{n}: ${n}' for n in names)})" if names else root.name
        )
        document = f"{header} {{ {invocation} {selection(schema, root.field.type)} }}"
        queries.append((root.name, document, call.variables))
    return queries


async def test_the_stored_secrets_are_in_no_response_and_no_log_line(
    tenant: Tenant,
    carrier: str,
    carrier_exchanges: ExchangeRecorder,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    await tenant.connect_twilio(carrier)
    assert tenant.account is not None
    responses = [await tenant.execute(PROVISION, as_="support")]
    (key,) = sandbox_keys(carrier_exchanges, tenant)
    responses.append(await tenant.execute(PROVISION, as_="support"))
    responses.append(await tenant.execute(CREATE_TOKEN, as_=ROLES))
    await provision(tenant)

    read = {
        name: await tenant.execute(document, variables, as_=ROLES)
        for name, document, variables in every_query(settings)
    }

    assert {"twilioSettings", "me", "tenant", "numbers"} <= set(read)
    unread = {
        name: [error["message"] for error in body["errors"]]
        for name, body in read.items()
        if any(_invalid(error) for error in body.get("errors") or [])
    }
    assert unread == {}
    assert read["twilioSettings"]["data"]["twilioSettings"]["apiKeySid"] == key.sid
    text = str(responses) + str(read) + "\n".join(record.getMessage() for record in caplog.records)
    assert key.secret not in text
    assert tenant.account.auth_token not in text


def _invalid(error: dict[str, Any]) -> bool:
    """A document the gateway refused to run (what this test built was wrong, not the caller)."""
    return error.get("extensions", {}).get("code") == "GRAPHQL_VALIDATION_FAILED" or (
        "Cannot query field" in error.get("message", "")
    )
