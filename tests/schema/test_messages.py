"""The Message type as clients read it: Twilio's negative prices shown as what was paid."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from trunkline.activity import MessageSnapshot
from trunkline.models import Channel, Direction
from trunkline.schema.messages import Message
from trunkline.schema.numbers import Money


def snapshot(price: Decimal | None, unit: str | None) -> MessageSnapshot:
    return MessageSnapshot(
        id=1,
        sid="SM1",
        channel=Channel.SMS,
        direction=Direction.OUTBOUND,
        from_address="+14155550100",
        to_address="+14155550101",
        body="hi",
        media_urls=(),
        status="delivered",
        error_code=None,
        number_id=None,
        created_at=datetime(2026, 11, 29, tzinfo=UTC),
        price=price,
        price_unit=unit,
    )


@pytest.mark.parametrize(
    ("price", "unit", "shown"),
    [
        (Decimal("-0.00790"), "USD", Money(amount=Decimal("0.00790"), currency="USD")),
        (Decimal("0.0079"), "EUR", Money(amount=Decimal("0.0079"), currency="EUR")),
        (Decimal("0"), "USD", Money(amount=Decimal("0"), currency="USD")),
        (None, "USD", None),  # not priced yet
        (Decimal("-0.0079"), None, None),  # an amount of no currency says nothing
    ],
)
def test_a_price_is_shown_as_the_positive_amount_paid_in_its_currency(
    price: Decimal | None, unit: str | None, shown: Money | None
) -> None:
    assert Message.from_snapshot(snapshot(price, unit)).price == shown
