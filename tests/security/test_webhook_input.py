"""Bad webhook input is a 400 naming the field, with nothing stored, never a 503 Twilio retries.

Every route's fields are bounded by the columns they land in: lengths by a CharField's
max_length, integers by the column's type (int32 here, so 2**31 is refused on SQLite too, where
only 2**63 would fail the write). The fields that find the tenant are bounded before any look-up,
so an unsigned request with an over-long one gets the same 400 as a signed one.
"""

from __future__ import annotations

import pytest

from tests.security.webhook_bodies import NOTHING, PREFIX, stored_rows, valid_body
from tests.webhooks.fixtures import TwilioTenant
from trunkline.models import Call, Message

INT32_MAX = 2**31 - 1
INT32_LIMITS = f"between 0 and {INT32_MAX}"
TOKEN_CHARACTERS = "must hold only ASCII letters, digits, '-' and '_'"

# (route, changes to the valid body (None: dropped), the 400's detail), sent signed.
SIGNED_CASES = [
    ("/messaging", {"NumSegments": str(2**31)}, f"field NumSegments must be {INT32_LIMITS}"),
    ("/messaging", {"NumSegments": str(2**63)}, f"field NumSegments must be {INT32_LIMITS}"),
    ("/messaging", {"NumSegments": "-1"}, f"field NumSegments must be {INT32_LIMITS}"),
    ("/messaging", {"NumSegments": "9" * 5000}, f"field NumSegments must be {INT32_LIMITS}"),
    ("/messaging", {"NumMedia": "0" * 5000 + "11"}, "field NumMedia must be between 0 and 10"),
    ("/messaging", {"NumMedia": "11"}, "field NumMedia must be between 0 and 10"),
    ("/messaging", {"From": "+1" + "5" * 319}, "field From is longer than 320 characters"),
    ("/messaging", {"From": "+1415\r\n555"}, "field From contains a control character"),
    ("/messaging", {"MediaUrl0": "https://x/\x07"}, "field MediaUrl0 contains a control character"),
    ("/message-status", {"ErrorCode": str(2**31)}, f"field ErrorCode must be {INT32_LIMITS}"),
    ("/message-status", {"ErrorCode": str(2**63)}, f"field ErrorCode must be {INT32_LIMITS}"),
    ("/message-status", {"From": "x" * 321}, "field From is longer than 320 characters"),
    ("/message-status", {"To": "x" * 321}, "field To is longer than 320 characters"),
    ("/message-status", {"MessageStatus": "sent later"}, f"field MessageStatus {TOKEN_CHARACTERS}"),
    (
        "/message-status",
        {"MessageSid": "SM" + "0" * 63},
        "field MessageSid is longer than 64 characters",
    ),
    ("/voice", {"SequenceNumber": str(2**31)}, f"field SequenceNumber must be {INT32_LIMITS}"),
    ("/voice", {"From": "+1" + "5" * 63}, "field From is longer than 64 characters"),
    ("/voice", {"CallSid": "CA" + "0" * 33}, "field CallSid is longer than 34 characters"),
    ("/call-status", {"CallDuration": str(2**31)}, f"field CallDuration must be {INT32_LIMITS}"),
    (
        "/call-status",
        {"SequenceNumber": str(2**63)},
        f"field SequenceNumber must be {INT32_LIMITS}",
    ),
    # int() would take both of these: full-width digits and an underscore.
    ("/call-status", {"CallDuration": "\uff11\uff12"}, "field CallDuration must be an integer"),
    ("/call-status", {"CallDuration": "1_000"}, "field CallDuration must be an integer"),
    ("/call-status", {"To": "sip:" + "a" * 61}, "field To is longer than 64 characters"),
    (
        "/recording-status",
        {"RecordingDuration": str(2**31)},
        f"field RecordingDuration must be {INT32_LIMITS}",
    ),
    (
        "/recording-status",
        {"RecordingDuration": str(2**63)},
        f"field RecordingDuration must be {INT32_LIMITS}",
    ),
    (
        "/recording-status",
        {"RecordingChannels": "0"},
        f"field RecordingChannels must be between 1 and {INT32_MAX}",
    ),
    (
        "/recording-status",
        {"RecordingUrl": "https://a/" + "b" * 503},
        "field RecordingUrl is longer than 512 characters",
    ),
    ("/conversations", {"EventType": "on Message"}, f"field EventType {TOKEN_CHARACTERS}"),
    (
        "/conversations",
        {"ConversationSid": "CH 1"},
        "field ConversationSid must be printable ASCII without spaces",
    ),
]

# The same, sent with a forged signature: refused before the look-ups that verify it.
UNSIGNED_CASES = [
    *(
        (route, {"AccountSid": "AC" + "0" * 33}, "field AccountSid is longer than 34 characters")
        for route in (
            "/messaging",
            "/message-status",
            "/voice",
            "/call-status",
            "/recording-status",
            "/conversations",
        )
    ),
    (
        "/messaging",
        {"AccountSid": None, "MessagingServiceSid": "MG" + "0" * 33},
        "field MessagingServiceSid is longer than 34 characters",
    ),
    ("/messaging", {"To": "+1" + "5" * 19}, "field To is longer than 20 characters"),
    ("/messaging", {"To": "whatsapp:+1" + "5" * 19}, "field To is longer than 20 characters"),
    ("/voice", {"To": "+1" + "5" * 19}, "field To is longer than 20 characters"),
    ("/call-status", {"Direction": "in bound"}, f"field Direction {TOKEN_CHARACTERS}"),
]


def changed(body: dict[str, str], changes: dict[str, str | None]) -> list[tuple[str, str]]:
    merged: dict[str, str | None] = {**body, **changes}
    return [(name, value) for name, value in merged.items() if value is not None]


@pytest.mark.parametrize(("route", "changes", "detail"), SIGNED_CASES)
async def test_a_signed_field_outside_its_column_is_400_naming_it_and_stores_nothing(
    twilio_tenant: TwilioTenant, route: str, changes: dict[str, str | None], detail: str
) -> None:
    params = changed(valid_body(twilio_tenant), changes)

    response = await twilio_tenant.post(PREFIX + route, params)

    assert (response.status_code, response.json()) == (400, {"detail": detail})
    assert await stored_rows(twilio_tenant) == NOTHING


@pytest.mark.parametrize(("route", "changes", "detail"), UNSIGNED_CASES)
async def test_an_over_long_field_read_before_verification_is_400_even_unsigned(
    twilio_tenant: TwilioTenant, route: str, changes: dict[str, str | None], detail: str
) -> None:
    params = changed(valid_body(twilio_tenant), changes)

    response = await twilio_tenant.post(
        PREFIX + route, params, headers={"X-Twilio-Signature": "forged"}
    )

    assert (response.status_code, response.json()) == (400, {"detail": detail})
    assert await stored_rows(twilio_tenant) == NOTHING


async def test_integers_at_the_edge_of_their_columns_are_stored(
    twilio_tenant: TwilioTenant,
) -> None:
    body = valid_body(twilio_tenant)
    edge = {"CallDuration": str(INT32_MAX), "SequenceNumber": str(INT32_MAX)}

    call = await twilio_tenant.post(PREFIX + "/call-status", changed(body, edge))
    message = await twilio_tenant.post(
        PREFIX + "/messaging", changed(body, {"NumSegments": str(INT32_MAX)})
    )

    assert (call.status_code, message.status_code) == (200, 200)
    stored_call = await Call.get(sid=body["CallSid"])
    assert (stored_call.duration, stored_call.last_sequence) == (INT32_MAX, INT32_MAX)
    assert (await Message.get(sid=body["MessageSid"])).num_segments == INT32_MAX


async def test_a_status_twilio_has_not_announced_yet_is_kept_in_history_not_refused(
    twilio_tenant: TwilioTenant,
) -> None:
    body = valid_body(twilio_tenant)
    status = PREFIX + "/message-status"
    await twilio_tenant.post(status, changed(body, {"MessageStatus": "queued"}))

    response = await twilio_tenant.post(status, changed(body, {"MessageStatus": "Pre_Sent-2"}))

    assert response.status_code == 200
    message = await Message.get(sid=body["MessageSid"])
    assert message.status == "queued"
    assert [(h["status"], h["applied"]) for h in message.status_history] == [
        ("queued", True),
        ("pre_sent-2", False),
    ]


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ("[" * 100_000, "the body is not valid JSON"),
        ('{"Body": "\\ud800"}', "field 'Body' is not valid Unicode"),
        ('{"\\udfff": "x"}', "field '\\udfff' is not valid Unicode"),
    ],
)
async def test_a_json_body_no_column_can_hold_is_400(
    twilio_tenant: TwilioTenant, body: str, detail: str
) -> None:
    response = await twilio_tenant.http.post(
        PREFIX + "/messaging", content=body, headers={"Content-Type": "application/json"}
    )

    assert (response.status_code, response.json()) == (400, {"detail": detail})
    assert await stored_rows(twilio_tenant) == NOTHING
