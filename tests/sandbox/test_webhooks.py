"""Webhook signing and connection overrides, checked against Twilio's own validator."""

from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from trunkline.sandbox.webhooks import ConnectionOverrides, signature

TOKEN = "12345678901234567890123456789012"


def test_the_signature_is_the_one_twilios_validator_expects_even_with_repeated_fields() -> None:
    url = "https://gateway.example/webhooks/twilio/messaging?tenant=7"
    params = [("To", "+14155550100"), ("MediaUrl", "b"), ("Body", "hé"), ("MediaUrl", "a")]

    signed = signature(TOKEN, url, params)

    assert RequestValidator(TOKEN).validate(url, MultiDict(params), signed)
    assert not RequestValidator("x" * 32).validate(url, MultiDict(params), signed)
    assert not RequestValidator(TOKEN).validate(url, MultiDict(params[:-1]), signed)


def test_without_overrides_twilio_retries_once_and_only_when_it_cannot_connect() -> None:
    overrides = ConnectionOverrides.from_fragment("", default_timeout=5.0)

    assert overrides == ConnectionOverrides(
        connect_timeout=5.0,
        read_timeout=5.0,
        total_timeout=15.0,
        retry_count=1,
        retry_policy=frozenset({"ct"}),
    )


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("ct=1000&rt=2500&tt=9000&rc=3&rp=4xx,5xx", (1.0, 2.5, 9.0, 3, {"4xx", "5xx"})),
        ("rc=9&rp=all", (5.0, 5.0, 15.0, 5, {"4xx", "5xx", "ct", "rt"})),
        ("ct=5&rt=99999", (0.1, 15.0, 15.0, 1, {"ct"})),
        ("rp=bogus&rc=x", (5.0, 5.0, 15.0, 1, {"ct"})),
    ],
)
def test_connection_overrides_are_read_and_clamped_to_twilios_ranges(
    fragment: str, expected: tuple[float, float, float, int, set[str]]
) -> None:
    overrides = ConnectionOverrides.from_fragment(fragment, default_timeout=5.0)

    assert (
        overrides.connect_timeout,
        overrides.read_timeout,
        overrides.total_timeout,
        overrides.retry_count,
        set(overrides.retry_policy),
    ) == expected
