"""THE flow against a real ``trunkline serve`` (development mode, sandbox carrier, JSON lines at
DEBUG), and the CLI refusing bad settings: no planted secret (the development JWT secret, the
encryption key, a Twilio auth token, API key secrets, a SendGrid-looking key, bearer tokens) may
appear in anything the process writes or in an error it answers."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from twilio.request_validator import RequestValidator

from tests.logs.planted import Planted, api_key_secret, fernet_key, sendgrid_looking_key
from tests.support.servers import base_url, reserve_socket

TRUNKLINE = str(Path(sys.executable).with_name("trunkline"))
README_SAVE = """
mutation ReadmeSave {
  saveTwilioCredentials(input: {accountSid: "%(sid)s", authToken: "%(token)s"}) {
    __typename ... on Error { code message }
  }
}
"""
SAVE = """
mutation Save($input: SaveTwilioCredentialsInput!) {
  saveTwilioCredentials(input: $input) { __typename ... on Error { code message } }
}
"""
SEND_TEST_SMS = """
mutation SendTest($to: String!) {
  sendTestSms(to: $to, body: "hi") { __typename ... on Error { code message } }
}
"""


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUNKLINE_")}
    env.update({"TRUNKLINE_DATA_DIR": str(data_dir), "TRUNKLINE_SANDBOX_STEP_SECONDS": "0"})
    env.update(extra)
    return env


def _token(env: dict[str, str], *roles: str, sub: str = "user_1") -> str:
    role_args = [arg for role in roles for arg in ("--role", role)]
    result = subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [TRUNKLINE, "token", "--org", "org_logs", "--sub", sub, *role_args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


@asynccontextmanager
async def _serving(env: dict[str, str], out: Path, err: Path) -> AsyncIterator[str]:
    """``trunkline serve --sandbox``, its stdout and stderr written to files (a pipe nobody
    reads would fill at DEBUG and stall the server)."""
    sock = reserve_socket()
    url, port = base_url(sock), sock.getsockname()[1]
    sock.close()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            TRUNKLINE,
            "serve",
            "--sandbox",
            "--port",
            str(port),
            env=env,
            cwd=env["TRUNKLINE_DATA_DIR"],
            stdout=stdout,
            stderr=stderr,
        )
        try:
            async with httpx.AsyncClient(base_url=url, timeout=2.0) as client:
                for _ in range(300):  # up to ~30 s on a slow machine
                    if process.returncode is not None:
                        pytest.fail(f"trunkline serve exited ({process.returncode})")
                    try:
                        if (await client.get("/healthz")).status_code == 200:
                            break
                    except httpx.TransportError:
                        await asyncio.sleep(0.1)
                else:
                    pytest.fail("trunkline serve did not come up")
            yield url
        finally:
            process.terminate()
            await process.wait()


async def test_a_served_flow_writes_no_planted_secret(tmp_path: Path) -> None:
    planted = Planted()
    dev_secret = planted.add("development JWT secret", secrets.token_urlsafe(48))
    encryption_key = planted.add("encryption key", fernet_key())
    env = _env(
        tmp_path,
        TRUNKLINE_LOG_FORMAT="json",
        TRUNKLINE_LOG_LEVEL="debug",
        TRUNKLINE_DEV_JWT_SECRET=dev_secret,
        TRUNKLINE_ENCRYPTION_KEYS=encryption_key,
    )
    support = planted.add("support's bearer token", _token(env, "support", "admin"))
    agent = planted.add("agent's bearer token", _token(env, sub="user_2"))
    foreign_env = _env(tmp_path, TRUNKLINE_DEV_JWT_SECRET=secrets.token_urlsafe(48))
    foreign = planted.add("foreign bearer token", _token(foreign_env, "admin"))
    sendgrid = planted.add("SendGrid key", sendgrid_looking_key())
    key_secret = planted.add("API key secret", api_key_secret())
    out, err = tmp_path / "stdout.log", tmp_path / "stderr.log"
    answers: list[str] = []

    async with _serving(env, out, err) as url, httpx.AsyncClient(base_url=url) as http:

        async def gql(body: dict[str, Any], token: str) -> dict[str, Any]:
            response = await http.post(
                "/graphql", json=body, headers={"Authorization": f"Bearer {token}"}
            )
            answers.append(response.text)
            return response.json()

        account = (await http.post("/sandbox/control/accounts")).json()
        sid = account["account_sid"]
        auth_token = planted.add("auth token", account["auth_token"])
        readme_save = README_SAVE % {"sid": sid, "token": auth_token}

        saved = await gql({"query": readme_save}, support)
        forbidden = await gql({"query": readme_save}, agent)
        await gql(
            {
                "query": SAVE,
                "variables": {
                    "input": {
                        "accountSid": sid,
                        "apiKeySid": "SK" + "c" * 32,
                        "apiKeySecret": key_secret,
                    }
                },
            },
            agent,
        )
        await gql(
            {
                "query": SAVE,
                "variables": {
                    "input": {
                        "accountSid": sid,
                        "apiKeySid": "SK" + "d" * 32,
                        "apiKeySecret": key_secret,
                    }
                },
            },
            support,
        )
        await gql({"query": SEND_TEST_SMS, "variables": {"to": sendgrid}}, support)
        unauthenticated = await gql({"query": "{ me { orgId } }"}, foreign)
        answers.append((await http.get(f"/healthz?token={auth_token}")).text)
        webhook = await _post_webhook(http, url, sid=sid, auth_token=auth_token, body=sendgrid)
        answers.append(webhook.text)

    assert saved["data"]["saveTwilioCredentials"]["__typename"] == "TwilioSettings"
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert unauthenticated["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert webhook.status_code == 403
    written = err.read_text() + out.read_text()
    assert planted.found_in(written) == []
    assert planted.found_in("\n".join(answers)) == []

    lines = [json.loads(line) for line in err.read_text().splitlines()]
    assert [line for line in lines if "exception" in line] == []
    refusals = [line for line in lines if line["message"].startswith("FORBIDDEN at")]
    assert [line["operation"] for line in refusals] == ["ReadmeSave", "Save"]
    refusal = refusals[0]
    assert refusal["org"] == "org_logs"
    assert refusal["user"] == "user_2"
    assert isinstance(refusal["tenant"], int)
    assert refusal["operation"] == "ReadmeSave"
    assert refusal["level"] == "INFO"
    assert refusal["request_id"]
    (rejected,) = [
        line for line in lines if "/webhooks/twilio/messaging rejected" in line["message"]
    ]
    assert rejected["request_id"]
    assert any(line["logger"] == "uvicorn.access" for line in lines)
    assert any("/healthz?token=<redacted>" in line["message"] for line in lines)


async def _post_webhook(
    http: httpx.AsyncClient, url: str, *, sid: str, auth_token: str, body: str
) -> httpx.Response:
    params = {
        "AccountSid": sid,
        "MessageSid": "SM" + uuid.uuid4().hex,
        "From": "+14155550199",
        "To": "+14155550143",
        "Body": body,
    }
    path = "/webhooks/twilio/messaging"
    signature = RequestValidator(auth_token).compute_signature(f"{url}{path}", params)
    return await http.post(
        path,
        content=urlencode(params),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature,
        },
    )


@pytest.mark.parametrize(
    "command", [["migrate"], ["serve", "--port", "9"], ["token", "--org", "o", "--sub", "u"]]
)
def test_a_bad_setting_is_named_without_its_value(tmp_path: Path, command: list[str]) -> None:
    planted = Planted()
    key = planted.add("encryption key", fernet_key())
    other = planted.add("another key", fernet_key())
    env = _env(tmp_path, TRUNKLINE_MAX_SESSION_HOURS=key, TRUNKLINE_LOG_LEVEL=other)

    result = subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [TRUNKLINE, *command], env=env, capture_output=True, text=True, check=False
    )

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "trunkline: invalid setting TRUNKLINE_MAX_SESSION_HOURS: Input should be a valid number, "
        "unable to parse string as a number",
        "trunkline: invalid setting TRUNKLINE_LOG_LEVEL: Input should be 'DEBUG', 'INFO', "
        "'WARNING', 'ERROR' or 'CRITICAL'",
    ]
    assert planted.found_in(result.stderr) == []


def test_a_settings_rule_is_named_without_a_value(tmp_path: Path) -> None:
    key = fernet_key()
    env = _env(
        tmp_path,
        TRUNKLINE_AUTH0_ISSUER="https://example.eu.auth0.com/",
        TRUNKLINE_AUTH0_AUDIENCE="https://api.example.com",
        TRUNKLINE_DEV_JWT_SECRET=key,
    )

    result = subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [TRUNKLINE, "migrate"], env=env, capture_output=True, text=True, check=False
    )

    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("trunkline: invalid setting settings: Value error, ")
    assert "TRUNKLINE_DEV_JWT_SECRET is set while TRUNKLINE_AUTH0_ISSUER is set" in line
    assert key not in result.stderr
    assert key[22:] not in result.stderr
