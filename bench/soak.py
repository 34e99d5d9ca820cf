"""Gateway memory under live subscriptions: a steady webhook rate for minutes, RSS sampled.

One gateway process (PostgreSQL + Redis), 100 subscribers (one WebSocket each), signed inbound
SMS at a steady 200/s for ``--seconds``. The gateway's RSS is sampled every ``--sample-seconds``;
growth is taken between the medians of windows (a tenth of the run each) at the start, the middle
and the end of the load, so one allocator hiccup does not count as growth. The baseline, in the
same run: the idle gateway with the subscribers connected. Target: the second half grows less
than 5 MB (a leak shows in both halves; warm-up, caches and the allocator's high-water mark
settle in the first).

    .venv/bin/python bench/soak.py [--subscribers 100] [--rate 200] [--seconds 600]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import (
    CpuSnapshot,
    Deployment,
    LeanSubscriber,
    Process,
    RawClient,
    create_tenant,
    gateway,
    inbound_request,
    postgres_database,
    redis_server,
)
from bench.webhook_to_subscriber import CONNECTIONS, paced

TARGET_SECOND_HALF_MB = 5.0
DRAIN_SECONDS = 30.0


@dataclass
class RssSeries:
    """The gateway's RSS every ``interval`` seconds, from the start of the load."""

    interval: float
    samples_kib: list[int] = field(default_factory=list)

    async def sample(self, process: Process) -> None:
        """Sample until cancelled (at a steady pace, whatever a sample costs)."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        while True:
            self.samples_kib.append(process.rss_kib())
            delay = start + len(self.samples_kib) * self.interval - loop.time()
            await asyncio.sleep(max(delay, 0))

    def summary(self) -> dict[str, object]:
        samples = self.samples_kib
        window = max(1, len(samples) // 10)
        start = _mb(statistics.median(samples[:window]))
        middle = len(samples) // 2
        half = _mb(statistics.median(samples[middle - window // 2 : middle - window // 2 + window]))
        end = _mb(statistics.median(samples[-window:]))
        second = samples[middle:]
        return {
            "samples": len(samples),
            "interval_seconds": self.interval,
            "window_samples": window,
            "start_mb": start,
            "half_mb": half,
            "end_mb": end,
            "min_mb": _mb(min(samples)),
            "max_mb": _mb(max(samples)),
            "first_half_growth_mb": round(half - start, 1),
            "second_half_growth_mb": round(end - half, 1),
            "second_half_slope_mb_per_minute": _slope_per_minute(second, self.interval),
            "every_minute_mb": [_mb(kib) for kib in samples[:: max(1, round(60 / self.interval))]],
        }


def _mb(kib: float) -> float:
    return round(kib / 1024, 1)


def _slope_per_minute(samples_kib: Sequence[int], interval: float) -> float | None:
    if len(samples_kib) < 2:
        return None
    minutes = [index * interval / 60 for index in range(len(samples_kib))]
    slope, _intercept = statistics.linear_regression(minutes, samples_kib)
    return round(slope / 1024, 2)


class Deliveries:
    """``next`` messages each subscriber received: warm-up ones and the soak's own."""

    def __init__(self, subscribers: int) -> None:
        self.warm: set[int] = set()
        self.received = 0
        self.errors = 0
        self.expected = 0
        self.subscribers = subscribers
        self.progress = asyncio.Event()

    def reader(self, index: int) -> Callable[[bytes], None]:
        def read(raw: bytes) -> None:
            message = json.loads(raw)
            if message.get("type") != "next":
                return
            payload = message["payload"]
            if "errors" in payload:
                self.errors += 1
            elif payload["data"]["activity"]["message"]["body"] == "soak":
                self.received += 1
            else:
                self.warm.add(index)
            self.progress.set()

        return read

    async def all_arrived(self, within: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within):
                while self.received < self.expected:
                    self.progress.clear()
                    await self.progress.wait()


async def soak(
    redis_url: str,
    database_url: str,
    *,
    subscribers: int,
    rate: float,
    seconds: float,
    sample_seconds: float,
    idle_seconds: float,
) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as data_dir:
        deployment = Deployment(database_url, redis_url, Path(data_dir))
        async with gateway(deployment) as process:
            tenant = await create_tenant(deployment)
            token = deployment.token(tenant.org)
            rss_started = process.rss_kib()
            deliveries = Deliveries(subscribers)
            sockets = [
                await LeanSubscriber.open(process.url, token, deliveries.reader(index))
                for index in range(subscribers)
            ]
            pool: asyncio.Queue[RawClient] = asyncio.Queue()
            statuses: Counter[str] = Counter()

            async def fresh_pool() -> None:
                # uvicorn closes a keep-alive connection idle for 5 s (as during the baseline).
                while not pool.empty():
                    await pool.get_nowait().close()
                for _ in range(CONNECTIONS):
                    pool.put_nowait(RawClient(process.url))

            async def post(body: str) -> None:
                client = await pool.get()
                try:
                    status = await client.request(inbound_request(tenant, process.url, body))
                except (OSError, asyncio.IncompleteReadError) as exc:
                    await client.close()
                    client = RawClient(process.url)
                    statuses[type(exc).__name__] += 1
                else:
                    statuses[str(status)] += 1
                finally:
                    pool.put_nowait(client)

            await fresh_pool()

            # Warm up until every subscription is live (each has received something).
            async with asyncio.timeout(60):
                while len(deliveries.warm) < subscribers:
                    deliveries.progress.clear()
                    await post("warm-up")
                    await deliveries.progress.wait()
            idle = RssSeries(interval=1.0)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(idle_seconds):
                    await idle.sample(process)
            statuses.clear()
            await fresh_pool()

            series = RssSeries(interval=sample_seconds)
            sampler = asyncio.create_task(series.sample(process))
            cpu_before = CpuSnapshot.take(process)
            total = int(rate * seconds)
            await paced(rate, total, lambda _index: post("soak"))
            deliveries.expected = statuses["200"] * subscribers
            await deliveries.all_arrived(DRAIN_SECONDS)
            cpu_after = CpuSnapshot.take(process)
            sampler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sampler
            for socket in sockets:
                socket.close()
            while not pool.empty():
                await pool.get_nowait().close()
    rss = series.summary()
    return {
        "rss": rss,
        "baseline_idle_with_subscribers": {
            "rss_mb": _mb(statistics.median(idle.samples_kib)),
            "min_mb": _mb(min(idle.samples_kib)),
            "max_mb": _mb(max(idle.samples_kib)),
            "gateway_started_mb": _mb(rss_started),
        },
        "webhooks": total,
        "webhook_statuses": dict(sorted(statuses.items())),
        "deliveries_expected": deliveries.expected,
        "deliveries_received": deliveries.received,
        "deliveries_with_errors": deliveries.errors,
        "cpu": cpu_before.per_request(cpu_after, total),
        "target_second_half_growth_mb": TARGET_SECOND_HALF_MB,
        "meets_target": rss["second_half_growth_mb"] < TARGET_SECOND_HALF_MB,  # type: ignore[operator]
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=100)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--sample-seconds", type=float, default=5.0)
    parser.add_argument(
        "--idle-seconds", type=float, default=10.0, help="the idle baseline's length"
    )
    args = parser.parse_args()
    async with redis_server() as redis_url, postgres_database() as database_url:
        measured = await soak(
            redis_url,
            database_url,
            subscribers=args.subscribers,
            rate=args.rate,
            seconds=args.seconds,
            sample_seconds=args.sample_seconds,
            idle_seconds=args.idle_seconds,
        )
    print(
        json.dumps(
            {
                "benchmark": "soak",
                "subscribers": args.subscribers,
                "rate_per_second": args.rate,
                "seconds": args.seconds,
                **measured,
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
