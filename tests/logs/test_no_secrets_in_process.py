"""THE flow, in process: credentials saved, a FORBIDDEN attempt carrying them, a refused
literal, API key secrets, a SendGrid-looking key, bearer tokens, a webhook, a `token=` in a URL;
logged at DEBUG as `trunkline serve` configures logging. No planted secret may appear in a
record as logged (before any redaction), in a written line, or in an error answered to the
client."""

from __future__ import annotations

import json
import logging
import uuid
from urllib.parse import urlencode

import httpx
import pytest
from twilio.request_validator import RequestValidator

from tests.logs.capture import RawRecords, configured_logging
from tests.logs.planted import Planted, api_key_secret, sendgrid_looking_key
from tests.support.graphql import GraphQLClient
from tests.support.identity import IdentityProvider
from tests.support.tenancy import SAVE_CREDENTIALS, Tenant
from trunkline.settings import Settings

INLINE_SAVE = """
mutation Inline {
  saveTwilioCredentials(input: {accountSid: "%(sid)s", authToken: "%(token)s",
                                apiKeySid: "SK%(key)s", apiKeySecret: "%(secret)s"}) {
    __typename ... on Error { code message }
  }
}
"""
# A literal graphql-core refuses in validation, carrying a secret beside the error.
REFUSED_LITERAL = """
mutation Refused {
  saveTwilioCredentials(input: {accountSid: 5, authToken: "%(token)s"}) { __typename }
}
"""
SEND_TEST_SMS = """
mutation Send($to: String!, $body: String!) {
  sendTestSms(to: $to, body: $body) { __typename ... on Error { code message } }
}
"""


@pytest.fixture
def tenant(graphql: GraphQLClient, identity: IdentityProvider, unique_org: str) -> Tenant:
    return Tenant(org=unique_org, graphql=graphql, identity=identity)


async def test_no_planted_secret_reaches_a_log_record_a_line_or_an_error(
    caplog: pytest.LogCaptureFixture,
    graphql: GraphQLClient,
    gateway: str,
    tenant: Tenant,
    carrier: str,
    settings: Settings,
) -> None:
    planted = Planted()
    planted.add("encryption key", settings.fernet_keys[0])
    answers: list[str] = []
    caplog.set_level(logging.DEBUG)
    raw = RawRecords()
    with configured_logging(log_format="json", level="DEBUG", first=raw) as lines:
        await _flow(
            planted, answers, graphql=graphql, gateway=gateway, tenant=tenant, carrier=carrier
        )

    written = lines.getvalue()
    _every_line_is_json(written)
    assert len(planted.by_name) == 8
    # The test's own HTTP client (httpx) logs each URL it requests, `?token=` included: its
    # records are the client's, not the gateway's (the gateway's Twilio client is aiohttp's).
    # They are written redacted all the same (checked on `written` below).
    logged = "\n".join(text for name, text in raw.texts if not name.startswith("httpx"))
    assert planted.found_in(logged) == []
    assert planted.found_in(written) == []
    assert planted.found_in("\n".join(answers)) == []
    # The flow was logged (what was checked is not an empty capture).
    assert "FORBIDDEN at saveTwilioCredentials" in written
    assert "GRAPHQL_VALIDATION_FAILED" in written
    assert "rejected access token" in written
    assert "/webhooks/twilio/messaging rejected" in written
    assert "/healthz?token=<redacted>" in written


async def _flow(
    planted: Planted,
    answers: list[str],
    *,
    graphql: GraphQLClient,
    gateway: str,
    tenant: Tenant,
    carrier: str,
) -> None:
    await tenant.connect_twilio(carrier)
    assert tenant.account is not None
    sid = tenant.account.account_sid
    auth_token = planted.add("auth token", tenant.account.auth_token)
    agent = planted.add("agent's bearer token", tenant.token("agent"))
    support = planted.add("support's bearer token", tenant.token("support"))
    sendgrid = planted.add("SendGrid key", sendgrid_looking_key())
    secret = planted.add("API key secret", api_key_secret())
    saved_secret = planted.add("saved API key secret", api_key_secret())

    async def post(body: dict[str, object], token: str) -> None:
        response = await graphql.post(body, token=token)
        answers.append(response.text)

    inline = INLINE_SAVE % {"sid": sid, "token": auth_token, "key": "a" * 32, "secret": secret}
    await post({"query": inline}, agent)  # FORBIDDEN
    await post({"query": REFUSED_LITERAL % {"token": sendgrid}}, support)
    await post(
        {
            "query": SAVE_CREDENTIALS,
            "variables": {
                "input": {
                    "accountSid": sid,
                    "apiKeySid": "SK" + "b" * 32,
                    "apiKeySecret": saved_secret,
                }
            },
        },
        support,
    )
    # A variable refused by graphql-core (accountSid missing), the token beside it.
    await post(
        {"query": SAVE_CREDENTIALS, "variables": {"input": {"authToken": auth_token}}}, support
    )
    await post({"query": SEND_TEST_SMS, "variables": {"to": sendgrid, "body": "hi"}}, support)
    forged = planted.add("forged bearer token", tenant.token("admin") + "x")
    await post({"query": "{ me { orgId } }"}, forged)

    async with httpx.AsyncClient(base_url=gateway) as http:
        answers.append((await http.get(f"/healthz?token={auth_token}")).text)
        params = {
            "AccountSid": sid,
            "MessageSid": "SM" + uuid.uuid4().hex,
            "From": "+14155550199",
            "To": "+14155550142",
            "Body": f"authToken={auth_token} {sendgrid}",
        }
        url = f"{gateway}/webhooks/twilio/messaging"
        signature = RequestValidator(auth_token).compute_signature(url, params)
        response = await http.post(
            "/webhooks/twilio/messaging",
            content=urlencode(params),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": signature,
                "Authorization": f"Bearer {support}",
            },
        )
        answers.append(response.text)
        assert response.status_code == 403


def _every_line_is_json(written: str) -> None:
    lines = written.splitlines()
    assert lines
    for line in lines:
        assert isinstance(json.loads(line), dict), line
