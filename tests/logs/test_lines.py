"""What each line carries, through the real gateway on loopback: JSON that parses, the request
id (the client's if sane, echoed), tenant, user and operation; one line and no traceback for an
expected error, a traceback for an unexpected one."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import strawberry
from graphql import GraphQLError

from tests.logs.capture import configured_logging
from tests.support.graphql import GraphQLClient, ws_connect, ws_execute, ws_init
from tests.support.tenancy import Tenant
from trunkline.graphql.limits import GatewaySchema, schema_extensions
from trunkline.settings import Settings

ME = "query WhoAmI { me { orgId } }"
SAVE_INLINE = """
mutation SaveInline {
  saveTwilioCredentials(input: {accountSid: "AC%s", authToken: "%s"}) { __typename }
}
"""


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    with configured_logging(log_format="json", level="INFO") as stream:
        yield stream


def _parsed(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def _access_lines(lines: list[dict[str, Any]], request_id: str) -> list[dict[str, Any]]:
    return [
        line
        for line in lines
        if line["logger"] == "uvicorn.access" and line.get("request_id") == request_id
    ]


@pytest.fixture
def tenant(graphql: GraphQLClient, identity: Any, unique_org: str) -> Tenant:
    return Tenant(org=unique_org, graphql=graphql, identity=identity)


async def test_a_sane_request_id_is_kept_echoed_and_on_every_line_of_its_request(
    json_lines: io.StringIO, graphql: GraphQLClient, tenant: Tenant
) -> None:
    token = tenant.token("agent", sub="auth0|lines-agent")

    response = await graphql.http.post(
        "/graphql",
        json={"query": ME},
        headers={"Authorization": f"Bearer {token}", "X-Request-ID": "req-42.a:b_c"},
    )

    assert response.headers["x-request-id"] == "req-42.a:b_c"
    (access,) = _access_lines(_parsed(json_lines), "req-42.a:b_c")
    assert access["level"] == "INFO"
    assert access["org"] == tenant.org
    assert isinstance(access["tenant"], int)
    assert access["user"] == "auth0|lines-agent"
    assert access["operation"] == "WhoAmI"
    assert len(access["document"]) == 12
    assert access["time"].endswith("Z")


@pytest.mark.parametrize(
    "offered", [b"has space", b"x" * 65, b'quote"d', b"tab\tbreak", "é-accent".encode()]
)
async def test_an_unsafe_request_id_is_replaced(
    json_lines: io.StringIO, graphql: GraphQLClient, offered: bytes
) -> None:
    response = await graphql.http.get("/healthz", headers={"X-Request-ID": offered})

    given = response.headers["x-request-id"]
    assert given.encode() != offered
    assert len(given) == 16
    assert len(_access_lines(_parsed(json_lines), given)) == 1


async def test_every_request_without_an_id_gets_its_own(
    json_lines: io.StringIO, graphql: GraphQLClient
) -> None:
    first = await graphql.http.get("/healthz")
    second = await graphql.http.get("/healthz")

    assert first.headers["x-request-id"] != second.headers["x-request-id"]


async def test_forbidden_is_one_line_without_traceback_or_document(
    json_lines: io.StringIO, graphql: GraphQLClient, tenant: Tenant
) -> None:
    secret = "0123456789abcdef0123456789abcdef"
    document = SAVE_INLINE % ("1" * 32, secret)

    result = await tenant.execute(document, as_="agent")

    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    lines = _parsed(json_lines)
    errors = [line for line in lines if line["logger"] == "trunkline.graphql.errors"]
    assert [line["message"] for line in errors] == [
        "FORBIDDEN at saveTwilioCredentials: You do not have permission to do this"
    ]
    (line,) = errors
    assert line["level"] == "INFO"
    assert "exception" not in line
    assert line["operation"] == "SaveInline"
    assert line["org"] == tenant.org
    assert secret not in json_lines.getvalue()
    assert "authToken" not in json_lines.getvalue()


async def test_unauthenticated_and_a_syntax_error_are_one_line_each(
    json_lines: io.StringIO, graphql: GraphQLClient, tenant: Tenant
) -> None:
    anonymous = await graphql.execute(ME)
    broken = await tenant.execute('{ me { orgId "unterminated', as_="agent")

    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert broken["errors"][0]["message"].startswith("Syntax Error")
    errors = [line for line in _parsed(json_lines) if line["logger"] == "trunkline.graphql.errors"]
    assert [line["message"] for line in errors] == [
        "UNAUTHENTICATED at me: Authentication required",
        "GRAPHQL_VALIDATION_FAILED at -: Syntax Error: Unterminated string.",
    ]
    assert all("exception" not in line for line in errors)


async def test_a_subscriptions_error_carries_its_sockets_request_and_caller(
    json_lines: io.StringIO, gateway: str, tenant: Tenant
) -> None:
    token = tenant.token("agent", sub="auth0|socket-agent")

    async with ws_connect(gateway) as socket:
        await ws_init(socket, {"Authorization": f"Bearer {token}"})
        answer = await ws_execute(socket, "1", "subscription Nope { noSuchField }")

    assert answer["type"] == "error"
    (line,) = [line for line in _parsed(json_lines) if line["logger"] == "trunkline.graphql.errors"]
    assert line["message"].startswith("GRAPHQL_VALIDATION_FAILED at -: Cannot query field")
    assert line["request_id"]
    assert line["user"] == "auth0|socket-agent"
    assert line["org"] == tenant.org
    assert line["operation"] == "Nope"


@strawberry.type
class _Broken:
    @strawberry.field
    def explode(self) -> str:
        raise RuntimeError("the bug, authToken=0123456789abcdef0123456789abcdef")


async def test_an_unexpected_error_is_logged_with_its_traceback_and_masked_for_the_client(
    json_lines: io.StringIO, settings: Settings
) -> None:
    schema = GatewaySchema(query=_Broken, extensions=schema_extensions(settings))

    result = await schema.execute("query Boom { explode }")

    assert result.errors is not None
    assert [error.message for error in result.errors] == ["Unexpected error."]
    (line,) = _parsed(json_lines)
    assert line["level"] == "ERROR"
    assert line["logger"] == "trunkline.graphql.errors"
    assert line["message"] == "unexpected error at explode: RuntimeError"
    assert line["operation"] == "Boom"
    assert line["exception"].startswith("Traceback (most recent call last):")
    assert line["exception"].endswith("RuntimeError: the bug, authToken=<redacted>")


async def test_an_error_we_raise_on_purpose_has_no_traceback(
    json_lines: io.StringIO, settings: Settings
) -> None:
    @strawberry.type
    class Refusing:
        @strawberry.field
        def refuse(self) -> str:
            raise GraphQLError("no", extensions={"code": "FORBIDDEN"})

    schema = GatewaySchema(query=Refusing, extensions=schema_extensions(settings))

    await schema.execute("{ refuse }")

    (line,) = _parsed(json_lines)
    assert line["message"] == "FORBIDDEN at refuse: no"
    assert "exception" not in line


def test_text_lines_are_one_readable_line_with_the_fields() -> None:
    with configured_logging(log_format="text", level="INFO") as stream:
        logging.getLogger("trunkline.example").warning("disk %s", "full")

    (line,) = stream.getvalue().splitlines()
    assert line.endswith(" WARNING trunkline.example disk full")
    assert line[:4].isdigit()


def test_the_level_setting_hides_what_is_below_it() -> None:
    with configured_logging(log_format="json", level="WARNING") as stream:
        logging.getLogger("trunkline.example").info("quiet")
        logging.getLogger("uvicorn.access").info("quiet too")
        logging.getLogger("trunkline.example").warning("heard")

    assert [line["message"] for line in _parsed(stream)] == ["heard"]


async def test_credential_changes_leave_an_audit_line_naming_the_tenant_and_who(
    json_lines: io.StringIO, tenant: Tenant, carrier: str
) -> None:
    """Saved, disabled, deleted: one INFO line each, with the org and the user in its fields
    (REQUIREMENTS 151: "Settings saved for org", "Cache invalidated for org")."""
    await tenant.connect_twilio(carrier)
    disabled = await tenant.execute(
        "mutation { setTwilioEnabled(enabled: false) { __typename } }", as_="support"
    )
    assert "errors" not in disabled, disabled

    lines = [line for line in _parsed(json_lines) if line["logger"].startswith("trunkline.")]
    audit = {line["message"].split(" for tenant")[0]: line for line in lines}
    for message in ("Twilio settings saved", "Twilio client cache invalidated", "Twilio disabled"):
        assert message in audit, sorted(audit)
        assert audit[message]["org"] == tenant.org
        assert audit[message]["level"] == "INFO"
        assert audit[message]["user"]
