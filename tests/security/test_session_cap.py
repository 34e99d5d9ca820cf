"""The session cap: an identity lasts until its token's ``exp`` or its session's end, the earlier.

The session begins at the session claim (set by an Auth0 Action), else ``auth_time``, else
``iat``, and lasts ``TRUNKLINE_MAX_SESSION_HOURS``. A token refreshed late in a session carries
an ``exp`` past the session's end: the cap, not ``exp``, must end what the token opened.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.subscriptions.client import subscribe
from tests.subscriptions.test_activity import ACTIVITY
from tests.support.graphql import GraphQLClient, error_codes
from tests.support.identity import SESSION_CLAIM, IdentityProvider
from tests.webhooks.fixtures import TwilioTenant
from tests.webhooks.test_messaging import MESSAGING, inbound, message_sid
from trunkline.settings import Settings

ME = "query Me { me { sessionExpiresAt } }"
EXPIRED_CLOSE = 4403
# How far into the test the session ends: long enough to subscribe and see one event first.
SESSION_LEFT_SECONDS = 5
# How long past the session's end the close may take before the test gives up.
CLOSE_GRACE_SECONDS = 5.0


def session_seconds(settings: Settings) -> int:
    return int(settings.max_session_hours * 3600)


def iso(timestamp: float) -> str:
    """A timestamp as the ``DateTime`` scalar writes it."""
    return datetime.fromtimestamp(timestamp, tz=UTC).isoformat()


async def test_subscription_is_closed_at_the_session_end_though_the_token_expires_later(
    gateway: str, identity: IdentityProvider, settings: Settings, twilio_tenant: TwilioTenant
) -> None:
    now = int(time.time())
    session_end = now + SESSION_LEFT_SECONDS
    token = identity.token(
        org=twilio_tenant.org,
        sub="auth0|admin",
        roles=["admin"],
        auth_time=session_end - session_seconds(settings),
        iat=now,
        exp=now + 3600,
    )
    async with subscribe(gateway, token, ACTIVITY, {"after": "0"}) as subscriber:
        await twilio_tenant.post(MESSAGING, inbound(twilio_tenant, message_sid()))
        delivered = (await subscriber.next())["activity"]

        code = await subscriber.close_code(wait=session_end - time.time() + CLOSE_GRACE_SECONDS)

    assert delivered["kind"] == "MESSAGE_RECEIVED"
    assert code == EXPIRED_CLOSE
    assert time.time() >= session_end


async def test_token_is_refused_once_its_session_has_ended_though_exp_is_later(
    graphql: GraphQLClient, identity: IdentityProvider, settings: Settings
) -> None:
    now = int(time.time())
    token = identity.token(auth_time=now - session_seconds(settings) - 1, iat=now, exp=now + 3600)

    result = await graphql.execute(ME, token=token)

    assert result["data"] is None
    assert error_codes(result) == ["UNAUTHENTICATED"]


def _naive_iso(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).replace(tzinfo=None).isoformat()


# Sessions that began this long ago end half an hour from now: before the token's exp.
BEGAN = 9 * 3600 + 1800


# Claims over the defaults (iat now, exp in an hour) -> the timestamp sessionExpiresAt shows.
SESSION_ENDS: dict[str, tuple[dict[str, Any], Any]] = {
    "auth_time": (
        {"auth_time": lambda now: now - BEGAN},
        lambda now, cap: now - BEGAN + cap,
    ),
    "session claim over auth_time": (
        {SESSION_CLAIM: lambda now: now - BEGAN, "auth_time": lambda now: now - 60},
        lambda now, cap: now - BEGAN + cap,
    ),
    "session claim as ISO time with a zone": (
        {SESSION_CLAIM: lambda now: iso(now - BEGAN).replace("+00:00", "Z")},
        lambda now, cap: now - BEGAN + cap,
    ),
    "session claim as ISO time without a zone (UTC, whatever the server's zone)": (
        {SESSION_CLAIM: lambda now: _naive_iso(now - BEGAN)},
        lambda now, cap: now - BEGAN + cap,
    ),
    "iat without auth_time": (
        {"iat": lambda now: now - BEGAN - 900},
        lambda now, cap: now - BEGAN - 900 + cap,
    ),
    "exp before the session end": (
        {"auth_time": lambda now: now - 60, "exp": lambda now: now + 600},
        lambda now, cap: now + 600,
    ),
}


@pytest.fixture
def server_far_from_utc() -> Iterator[None]:
    """The process's local zone set far from UTC: a naive time read as local time shows."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.mark.usefixtures("server_far_from_utc")
@pytest.mark.parametrize("case", list(SESSION_ENDS))
async def test_me_shows_the_earlier_of_the_session_end_and_the_token_expiry(
    graphql: GraphQLClient, identity: IdentityProvider, settings: Settings, case: str
) -> None:
    claims, expected = SESSION_ENDS[case]
    now = int(time.time())
    token = identity.token(**{name: value(now) for name, value in claims.items()})

    result = await graphql.execute(ME, token=token)

    assert "errors" not in result, result
    assert result["data"]["me"]["sessionExpiresAt"] == iso(expected(now, session_seconds(settings)))


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("auth_time", True),
        (SESSION_CLAIM, "yesterday"),
        (SESSION_CLAIM, ["2026-01-01T00:00:00Z"]),
    ],
)
async def test_a_session_start_that_is_not_a_time_is_unauthenticated(
    graphql: GraphQLClient, identity: IdentityProvider, claim: str, value: object
) -> None:
    token = identity.token(**{claim: value})

    result = await graphql.execute(ME, token=token)

    assert result["data"] is None
    assert error_codes(result) == ["UNAUTHENTICATED"]
