"""The bus lag probe: a message a process sends itself, timed from publish to delivery."""

from __future__ import annotations

import asyncio

from prometheus_client import REGISTRY

from trunkline.events import RedisBus, create_bus
from trunkline.events.probe import PROBE_TIMEOUT_SECONDS, BusLagProbe
from trunkline.settings import Settings

LAG_COUNT = "trunkline_bus_lag_seconds_count"


def _observed() -> float:
    return REGISTRY.get_sample_value(LAG_COUNT) or 0.0


async def test_a_probe_comes_back_through_the_bus_and_is_timed(settings: Settings) -> None:
    bus = create_bus(settings.redis_url, prefix=settings.bus_prefix)
    await bus.start()
    try:
        if isinstance(bus, RedisBus):
            await asyncio.wait_for(bus.connected.wait(), 5)
        probe = BusLagProbe(bus, prefix=settings.bus_prefix, interval=0)
        subscription = bus.subscribe(probe.channel)
        await asyncio.wait_for(bus.listening(probe.channel), 5)

        lags = [await probe.measure(subscription, sequence) for sequence in (1, 2)]
        subscription.close()
    finally:
        await bus.close()

    assert all(lag is not None and 0 < lag < PROBE_TIMEOUT_SECONDS for lag in lags), lags


async def test_a_running_probe_observes_the_lag_histogram(settings: Settings) -> None:
    bus = create_bus(settings.redis_url, prefix=settings.bus_prefix)
    await bus.start()
    probe = BusLagProbe(bus, prefix=settings.bus_prefix, interval=0.01)
    before = _observed()
    try:
        probe.start()
        async with asyncio.timeout(10):
            while _observed() < before + 2:  # noqa: ASYNC110 - a histogram offers no event
                await asyncio.sleep(0.01)
    finally:
        await probe.stop()
        await bus.close()

    assert bus.subscriber_count == 0  # the probe left its channel


async def test_a_probe_interval_of_zero_never_runs(settings: Settings) -> None:
    bus = create_bus("", prefix=settings.bus_prefix)
    probe = BusLagProbe(bus, prefix=settings.bus_prefix, interval=0)

    probe.start()

    assert bus.subscriber_count == 0
    await probe.stop()
