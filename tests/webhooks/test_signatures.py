"""The signature check itself: the URL Twilio called, with or without an explicit default port."""

from __future__ import annotations

import hashlib

import pytest
from starlette.datastructures import ImmutableMultiDict
from twilio.request_validator import RequestValidator

from trunkline.webhooks.requests import WebhookRequest

TOKEN = "0123456789abcdef0123456789abcdef"
PARAMS = [("AccountSid", "AC" + "1" * 32), ("Body", "hi"), ("MediaUrl0", "https://m.example/a")]


def request_for(url: str, signature: str) -> WebhookRequest:
    return WebhookRequest(
        url=url,
        params=ImmutableMultiDict(PARAMS),
        raw_body="",
        is_json=False,
        signature=signature,
        idempotency_token=None,
    )


@pytest.mark.parametrize(
    ("public", "signed_over"),
    [
        (
            "https://gw.example/webhooks/twilio/messaging",
            "https://gw.example:443/webhooks/twilio/messaging",
        ),
        (
            "https://gw.example:443/webhooks/twilio/messaging",
            "https://gw.example/webhooks/twilio/messaging",
        ),
        (
            "http://gw.example/webhooks/twilio/messaging",
            "http://gw.example:80/webhooks/twilio/messaging",
        ),
        (
            "https://gw.example/webhooks/twilio/messaging?t=1",
            "https://gw.example/webhooks/twilio/messaging?t=1",
        ),
    ],
)
def test_a_signature_over_the_url_with_or_without_the_default_port_is_accepted(
    public: str, signed_over: str
) -> None:
    signature = RequestValidator(TOKEN).compute_signature(signed_over, dict(PARAMS))

    assert request_for(public, signature).signed_by(TOKEN) is True


@pytest.mark.parametrize(
    "signed_over",
    [
        "https://gw.example/webhooks/twilio/message-status",
        "https://gw.example/webhooks/twilio/messaging?t=2",
        "https://evil.example/webhooks/twilio/messaging",
    ],
)
def test_a_signature_over_another_url_is_refused(signed_over: str) -> None:
    signature = RequestValidator(TOKEN).compute_signature(signed_over, dict(PARAMS))

    assert (
        request_for("https://gw.example/webhooks/twilio/messaging", signature).signed_by(TOKEN)
        is False
    )


def test_a_json_body_without_its_body_hash_is_refused() -> None:
    request = WebhookRequest(
        url="https://gw.example/webhooks/twilio/conversations",
        params=ImmutableMultiDict([("EventType", "x")]),
        raw_body='{"EventType": "x"}',
        is_json=True,
        signature=RequestValidator(TOKEN).compute_signature(
            "https://gw.example/webhooks/twilio/conversations", {}
        ),
        idempotency_token=None,
    )

    assert request.signed_by(TOKEN) is False


SAME_AS_TWILIO = [
    ("https://gw.example/webhooks/twilio/messaging", [("Body", "hi"), ("To", "+15551234567")]),
    ("https://gw.example:443/webhooks/twilio/messaging?x=1", [("Body", "")]),
    ("http://gw.example:8080/w", [("MediaUrl0", "a"), ("MediaUrl0", "b"), ("MediaUrl0", "a")]),
    ("https://gw.example/w", [("Body", "héllo wörld ✓"), ("B", "1"), ("a", "2")]),
    ("https://gw.example/w", []),
]


@pytest.mark.parametrize(("url", "params"), SAME_AS_TWILIO)
@pytest.mark.parametrize("signed_by_us", [True, False])
def test_the_form_check_agrees_with_twilios_validator(
    url: str, params: list[tuple[str, str]], signed_by_us: bool
) -> None:
    multi = ImmutableMultiDict(params)
    token = TOKEN if signed_by_us else "f" * 32
    signature = RequestValidator(token).compute_signature(url, multi)
    request = WebhookRequest(
        url=url,
        params=multi,
        raw_body="",
        is_json=False,
        signature=signature,
        idempotency_token=None,
    )

    assert request.signed_by(TOKEN) is signed_by_us


@pytest.mark.parametrize("body_hash_matches", [True, False])
def test_the_json_check_agrees_with_twilios_validator(body_hash_matches: bool) -> None:
    body = '{"EventType": "onMessageAdded", "Body": "hi"}'
    digest = hashlib.sha256((body if body_hash_matches else body + " ").encode()).hexdigest()
    url = f"https://gw.example/webhooks/twilio/conversations?bodySHA256={digest}"
    signature = RequestValidator(TOKEN).compute_signature(url, {})
    request = WebhookRequest(
        url=url,
        params=ImmutableMultiDict([("EventType", "onMessageAdded"), ("Body", "hi")]),
        raw_body=body,
        is_json=True,
        signature=signature,
        idempotency_token=None,
    )

    assert request.signed_by(TOKEN) is body_hash_matches


# Signatures Twilio publishes with its validator (twilio-python's tests), for auth token 12345:
# known values, computed by neither this gateway nor the test.
PUBLISHED_TOKEN = "12345"
PUBLISHED_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
PUBLISHED_PARAMS = [
    ("CallSid", "CA1234567890ABCDE"),
    ("Digits", "1234"),
    ("From", "+14158675309"),
    ("To", "+18005551212"),
    ("Caller", "+14158675309"),
]
REPEATED_PARAMS = [
    ("Sid", "CA123"),
    ("SidAccount", "AC123"),
    ("Digits", "5678"),
    ("Digits", "1234"),
]
PUBLISHED_FORMS = {
    "the example": (PUBLISHED_URL, PUBLISHED_PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8="),
    "a repeated parameter": (PUBLISHED_URL, REPEATED_PARAMS, "IK+Dwps556ElfBT0I3Rgjkr1wJU="),
    "signed with :443": (PUBLISHED_URL, PUBLISHED_PARAMS, "kvajT1Ptam85bY51eRf/AJRuM3w="),
    "signed with :80": (
        PUBLISHED_URL.replace("https", "http"),
        PUBLISHED_PARAMS,
        "0ZXoZLH/DfblKGATFgpif+LLRf4=",
    ),
    "called on a port, signed without": (
        PUBLISHED_URL.replace(".com", ".com:1234"),
        PUBLISHED_PARAMS,
        "RSOYDt4T1cUTdK1PDd93/VVr8B8=",
    ),
}


@pytest.mark.parametrize("case", list(PUBLISHED_FORMS))
def test_twilios_published_form_signatures_are_accepted_and_only_with_their_token(
    case: str,
) -> None:
    url, params, signature = PUBLISHED_FORMS[case]
    request = WebhookRequest(
        url=url,
        params=ImmutableMultiDict(params),
        raw_body="",
        is_json=False,
        signature=signature,
        idempotency_token=None,
    )

    assert (request.signed_by(PUBLISHED_TOKEN), request.signed_by("54321")) == (True, False)


def test_twilios_published_json_signature_is_accepted_and_only_over_its_body() -> None:
    body = '{"property": "value", "boolean": true}'
    body_hash = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"

    def request(raw_body: str) -> WebhookRequest:
        return WebhookRequest(
            url=f"{PUBLISHED_URL}&bodySHA256={body_hash}",
            params=ImmutableMultiDict([("property", "value"), ("boolean", "true")]),
            raw_body=raw_body,
            is_json=True,
            signature="a9nBmqA0ju/hNViExpshrM61xv4=",
            idempotency_token=None,
        )

    assert (
        request(body).signed_by(PUBLISHED_TOKEN),
        request(body + " ").signed_by(PUBLISHED_TOKEN),
    ) == (
        True,
        False,
    )
