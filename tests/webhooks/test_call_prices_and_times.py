"""What a call status callback tells beside its status: the price (``Price``, ``PriceUnit``) and
the start and end (``Timestamp``, ``CallDuration``, ``StartTime``/``EndTime``), kept through the
field parser; a malformed one is a 400 naming it, with nothing stored."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tests.webhooks.fixtures import TwilioTenant
from tests.webhooks.test_calls import CALL_STATUS, call_params, call_sid
from trunkline.models import ActivityEvent, Call, WebhookReceipt

ANSWERED = "Mon, 30 Nov 2026 10:00:05 +0000"
ENDED = "Mon, 30 Nov 2026 10:01:07 +0000"


def at(text: str) -> datetime:
    return datetime.strptime(text, "%a, %d %b %Y %H:%M:%S %z").astimezone(UTC)


async def test_a_call_starts_when_answered_and_ends_with_its_final_status_at_its_price(
    twilio_tenant: TwilioTenant,
) -> None:
    sid = call_sid()

    for status, sequence, extra in (
        ("ringing", 1, {"Timestamp": "Mon, 30 Nov 2026 10:00:00 +0000"}),
        ("in-progress", 2, {"Timestamp": ANSWERED}),
        (
            "completed",
            3,
            {"Timestamp": ENDED, "CallDuration": "62", "Price": "-0.02800", "PriceUnit": "USD"},
        ),
    ):
        response = await twilio_tenant.post(
            CALL_STATUS, call_params(twilio_tenant, sid, status, sequence, **extra)
        )
        assert response.status_code == 200, response.text

    call = await Call.get(sid=sid)
    assert (call.started_at, call.ended_at, call.duration) == (at(ANSWERED), at(ENDED), 62)
    # Stored as Twilio writes it (a charge, negative); shown positive.
    assert (call.price, call.price_unit) == (Decimal("-0.02800"), "USD")
    announced = await ActivityEvent.filter(tenant_id=twilio_tenant.tenant_id).order_by("-seq")
    assert announced[0].payload["price"] == "-0.02800"
    assert announced[0].payload["started_at"] == at(ANSWERED).isoformat()
    assert announced[0].payload["ended_at"] == at(ENDED).isoformat()


async def test_a_call_reported_only_when_completed_started_its_duration_before_its_end(
    twilio_tenant: TwilioTenant,
) -> None:
    sid = call_sid()

    await twilio_tenant.post(
        CALL_STATUS,
        call_params(twilio_tenant, sid, "completed", Timestamp=ENDED, CallDuration="62"),
    )

    call = await Call.get(sid=sid)
    assert (call.started_at, call.ended_at) == (at("Mon, 30 Nov 2026 10:00:05 +0000"), at(ENDED))


async def test_a_late_in_progress_is_history_only_but_still_tells_when_the_call_started(
    twilio_tenant: TwilioTenant,
) -> None:
    sid = call_sid()
    # Completed first (no sequence numbers): its start is derived, 60 s before its end.
    await twilio_tenant.post(
        CALL_STATUS,
        call_params(twilio_tenant, sid, "completed", Timestamp=ENDED, CallDuration="60"),
    )

    await twilio_tenant.post(
        CALL_STATUS, call_params(twilio_tenant, sid, "in-progress", Timestamp=ANSWERED)
    )

    call = await Call.get(sid=sid)
    assert call.status == "completed"
    assert (call.started_at, call.ended_at) == (at(ANSWERED), at(ENDED))


async def test_a_call_never_answered_has_an_end_and_no_start_and_costs_nothing(
    twilio_tenant: TwilioTenant,
) -> None:
    sid = call_sid()

    await twilio_tenant.post(
        CALL_STATUS,
        call_params(
            twilio_tenant,
            sid,
            "no-answer",
            Timestamp=ENDED,
            CallDuration="0",
            Price="0.00000",
            PriceUnit="USD",
        ),
    )

    call = await Call.get(sid=sid)
    assert (call.started_at, call.ended_at, call.price) == (None, at(ENDED), Decimal("0"))


async def test_start_and_end_times_a_callback_carries_win_over_its_timestamp(
    twilio_tenant: TwilioTenant,
) -> None:
    sid = call_sid()

    await twilio_tenant.post(
        CALL_STATUS,
        call_params(
            twilio_tenant,
            sid,
            "completed",
            Timestamp="Mon, 30 Nov 2026 10:05:00 +0000",
            StartTime="Mon, 30 Nov 2026 05:00:01 -0500",
            EndTime=ENDED,
            CallDuration="60",
        ),
    )

    call = await Call.get(sid=sid)
    assert (call.started_at, call.ended_at) == (at("Mon, 30 Nov 2026 10:00:01 +0000"), at(ENDED))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("Price", "-0.0000001"),
        ("Price", "12345678"),
        ("Price", "1e3"),
        ("Price", "NaN"),
        ("Price", "-"),
        ("PriceUnit", "US D"),
        ("PriceUnit", "DOLLARS"),
        ("Timestamp", "yesterday"),
        ("Timestamp", "Mon, 30 Nov 2026 25:00:00 +0000"),
        ("Timestamp", "Fri, 31 Dec 9999 23:59:59 -2359"),
        ("StartTime", "2026-11-30T10:00:00Z"),
        ("EndTime", "x" * 100),
    ],
)
async def test_a_malformed_price_or_time_is_a_400_naming_it_and_nothing_is_stored(
    twilio_tenant: TwilioTenant, name: str, value: str
) -> None:
    sid = call_sid()

    response = await twilio_tenant.post(
        CALL_STATUS, call_params(twilio_tenant, sid, "completed", **{name: value})
    )

    assert response.status_code == 400
    assert name in response.json()["detail"]
    assert not await Call.filter(sid=sid).exists()
    assert not await WebhookReceipt.filter(tenant_id=twilio_tenant.tenant_id).exists()
