"""Signed webhook POST -> subscriber receipt latency, against raw Redis PUBLISH -> SUBSCRIBE.

100 subscribers (one WebSocket each) on a gateway process with PostgreSQL + Redis take a steady
200 webhooks/s; each webhook's body carries its send time. The baseline, in the same run: the same
rate of raw PUBLISH to 100 raw Redis SUBSCRIBE connections. Target: p99 <= baseline p99 + 25 ms.
Both sides' subscribers parse whole reads at once (redis-py's parser; websockets' sans-I/O
protocol in :class:`bench.harness.LeanSubscriber`), so the load generator stays the cheaper side.

    .venv/bin/python bench/webhook_to_subscriber.py [--subscribers 100] [--rate 200] [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import redis.asyncio as redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import (
    Deployment,
    LeanSubscriber,
    RawClient,
    create_tenant,
    gateway,
    inbound_request,
    now_ms,
    percentiles,
    postgres_database,
    redis_server,
)

CONNECTIONS = 32


async def paced(rate: float, count: int, send: object) -> None:
    """Call ``send(i)`` at a steady ``rate`` per second (open loop: a slow reply never delays)."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    tasks = set()
    for index in range(count):
        delay = start + index / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(send(index))  # type: ignore[operator]
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.gather(*tasks)


async def gateway_latencies(
    redis_url: str,
    database_url: str,
    subscribers: int,
    rate: float,
    seconds: float,
    *,
    deflate: bool = True,
) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as data_dir:
        deployment = Deployment(database_url, redis_url, Path(data_dir))
        async with gateway(deployment, deflate=deflate) as process:
            tenant = await create_tenant(deployment)
            token = deployment.token(tenant.org)
            latencies: list[float] = []
            got: dict[int, int] = {}
            measuring = asyncio.Event()
            progress = asyncio.Event()

            def reader(index: int) -> Callable[[bytes], None]:
                def read(raw: bytes) -> None:
                    message = json.loads(raw)
                    if message.get("type") != "next":
                        return
                    body = message["payload"]["data"]["activity"]["message"]["body"]
                    got[index] = got.get(index, 0) + 1
                    if measuring.is_set() and body.startswith("t="):
                        latencies.append(now_ms() - float(body[2:]))
                    progress.set()

                return read

            sockets = [
                await LeanSubscriber.open(process.url, token, reader(index))
                for index in range(subscribers)
            ]
            pool: asyncio.Queue[RawClient] = asyncio.Queue()
            for _ in range(CONNECTIONS):
                pool.put_nowait(RawClient(process.url))
            statuses: list[int] = []

            answered: list[float] = []  # POST -> 200: stored and committed

            async def post(body: str) -> None:
                started = now_ms()
                client = await pool.get()
                try:
                    statuses.append(
                        await client.request(inbound_request(tenant, process.url, body))
                    )
                finally:
                    pool.put_nowait(client)
                if measuring.is_set():
                    answered.append(now_ms() - started)

            # Warm up until every subscription is live (each has received something).
            async with asyncio.timeout(60):
                while len(got) < subscribers:
                    progress.clear()
                    await post("warm-up")
                    await progress.wait()
            measuring.set()
            total = int(rate * seconds)
            await paced(rate, total, lambda i: post(f"t={now_ms()}"))
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(10):
                    while len(latencies) < total * subscribers:
                        progress.clear()
                        await progress.wait()
            for socket in sockets:
                socket.close()
            while not pool.empty():
                await pool.get_nowait().close()
    return {
        **percentiles(latencies),
        "expected": total * subscribers,
        "webhook_errors": sum(1 for s in statuses if s != 200),
        "webhook_answered": percentiles(answered),
    }


async def redis_baseline(redis_url: str, subscribers: int, rate: float, seconds: float) -> dict:
    channel = "baseline"
    latencies: list[float] = []
    progress = asyncio.Event()
    clients = [redis.Redis.from_url(redis_url) for _ in range(subscribers)]
    pubsubs = [client.pubsub() for client in clients]
    for pubsub in pubsubs:
        await pubsub.subscribe(channel)

    async def read(pubsub: redis.client.PubSub) -> None:
        async for message in pubsub.listen():
            if message["type"] == "message":
                latencies.append(now_ms() - float(message["data"]))
                progress.set()

    readers = [asyncio.create_task(read(p)) for p in pubsubs]
    publisher = redis.Redis.from_url(redis_url)
    total = int(rate * seconds)

    async def publish(index: int) -> None:
        await publisher.publish(channel, str(now_ms()))

    await paced(rate, total, publish)
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(10):
            while len(latencies) < total * subscribers:
                progress.clear()
                await progress.wait()
    for task in readers:
        task.cancel()
    for pubsub, client in zip(pubsubs, clients, strict=True):
        await pubsub.aclose()
        await client.aclose()
    await publisher.aclose()
    return {**percentiles(latencies), "expected": total * subscribers}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=100)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument(
        "--no-sync-commit",
        action="store_true",
        help="diagnosis only: PostgreSQL commits without waiting for the WAL flush",
    )
    parser.add_argument(
        "--deflate", action="store_true", help="serve WebSockets with permessage-deflate"
    )
    args = parser.parse_args()
    async with (
        redis_server() as redis_url,
        postgres_database(durable=not args.no_sync_commit) as database_url,
    ):
        baseline = await redis_baseline(redis_url, args.subscribers, args.rate, args.seconds)
        measured = await gateway_latencies(
            redis_url,
            database_url,
            args.subscribers,
            args.rate,
            args.seconds,
            deflate=args.deflate,
        )
    target = baseline.get("p99_ms", 0) + 25
    print(
        json.dumps(
            {
                "benchmark": "webhook_to_subscriber",
                "subscribers": args.subscribers,
                "rate_per_second": args.rate,
                "seconds": args.seconds,
                "permessage_deflate": args.deflate,
                "synchronous_commit": not args.no_sync_commit,
                "gateway": measured,
                "baseline_redis_pubsub": baseline,
                "target_p99_ms": round(target, 2),
                "meets_target": measured.get("p99_ms", float("inf")) <= target,
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
