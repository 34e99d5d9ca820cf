"""The price queue is bounded: final statuses beyond it are dropped (logged), never queued."""

from __future__ import annotations

import logging

import pytest

from trunkline.gateway import Gateway
from trunkline.settings import Settings


def test_offers_beyond_the_capacity_are_dropped_and_logged(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    prices = Gateway.from_settings(settings).prices
    small = type(prices)(accounts=prices.accounts, capacity=2)

    with caplog.at_level(logging.WARNING, logger="trunkline.services.prices"):
        offered = [small.offer(1, f"SM{index:032x}") for index in range(3)]

    assert offered == [True, True, False]
    assert small.waiting == 2
    assert "2 prices waiting" in caplog.text
