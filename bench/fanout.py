"""Fan-out: 5,000 idle subscriptions in one gateway process, one event to 1,000 of them.

Reports the gateway's RSS per idle subscription (target <= 50 KB), the latency of one webhook to
each of 1,000 subscribers of a tenant (p99, target <= 250 ms), and the Redis connections the
gateway holds at 10 and at 5,000 subscribers (target: the same). Each subscription is a
WebSocket of its own, as browser tabs are.

    .venv/bin/python bench/fanout.py [--idle 5000] [--tenant-subscribers 1000] [--events 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path

import redis.asyncio as redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import (
    Deployment,
    RawClient,
    Tenant,
    create_tenant,
    gateway,
    inbound_request,
    now_ms,
    open_subscriber,
    percentiles,
    postgres_database,
    redis_server,
)


class Audience:
    """Subscribers of one tenant, counting what each has received."""

    def __init__(self) -> None:
        self.sockets: list[object] = []
        self.readers: list[asyncio.Task[None]] = []
        self.received: dict[str, int] = {}
        self.latencies: list[float] = []
        self.changed = asyncio.Event()

    async def open(self, url: str, token: str, count: int) -> None:
        for _ in range(count):
            socket = await open_subscriber(url, token)
            self.sockets.append(socket)
            self.readers.append(asyncio.create_task(self._read(socket)))

    async def _read(self, socket: object) -> None:
        async for raw in socket:  # type: ignore[attr-defined]
            message = json.loads(raw)
            if message.get("type") != "next":
                continue
            body = message["payload"]["data"]["activity"]["message"]["body"]
            self.received[body] = self.received.get(body, 0) + 1
            if body.startswith("t="):
                self.latencies.append(now_ms() - float(body[2:].split("/")[0]))
            self.changed.set()

    async def until_all_got(self, body: str) -> None:
        async with asyncio.timeout(120):
            while self.received.get(body, 0) < len(self.sockets):
                self.changed.clear()
                await self.changed.wait()

    async def close(self) -> None:
        for task in self.readers:
            task.cancel()
        for socket in self.sockets:
            await socket.close()  # type: ignore[attr-defined]


async def post(url: str, tenant: Tenant, body: str) -> None:
    client = RawClient(url)
    status = await client.request(inbound_request(tenant, url, body))
    await client.close()
    assert status == 200, status


async def redis_clients(redis_url: str) -> int:
    observer = redis.Redis.from_url(redis_url)
    clients = (await observer.info("clients"))["connected_clients"]
    await observer.aclose()
    return int(clients) - 1  # not counting the observer


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--idle", type=int, default=5000)
    parser.add_argument("--tenant-subscribers", type=int, default=1000)
    parser.add_argument("--events", type=int, default=5)
    parser.add_argument(
        "--deflate", action="store_true", help="serve WebSockets with permessage-deflate"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        async with redis_server() as redis_url, postgres_database() as database_url:
            deployment = Deployment(database_url, redis_url, Path(data_dir))
            async with gateway(deployment, deflate=args.deflate) as process:
                busy, idle_tenant = await create_tenant(deployment), await create_tenant(deployment)
                audience, idle = Audience(), Audience()
                await audience.open(process.url, deployment.token(busy.org), 10)
                await post(process.url, busy, "warm-up-10")
                await audience.until_all_got("warm-up-10")
                redis_at_10 = await redis_clients(redis_url)
                rss_before = process.rss_kib()

                await audience.open(
                    process.url, deployment.token(busy.org), args.tenant_subscribers - 10
                )
                await idle.open(
                    process.url,
                    deployment.token(idle_tenant.org),
                    args.idle - args.tenant_subscribers,
                )
                await post(process.url, busy, "warm-up-all")
                await post(process.url, idle_tenant, "warm-up-all")
                await audience.until_all_got("warm-up-all")
                await idle.until_all_got("warm-up-all")
                rss_after = process.rss_kib()
                redis_at_all = await redis_clients(redis_url)

                for index in range(args.events):
                    body = f"t={now_ms()}/{index}"
                    await post(process.url, busy, body)
                    await audience.until_all_got(body)
                await audience.close()
                await idle.close()
    added = args.idle - 10
    per_subscription = (rss_after - rss_before) * 1024 / added
    delivery = percentiles(audience.latencies)
    print(
        json.dumps(
            {
                "benchmark": "fanout",
                "idle_subscriptions": args.idle,
                "permessage_deflate": args.deflate,
                "rss_kib_at_10": rss_before,
                "rss_kib_at_all": rss_after,
                "rss_bytes_per_subscription": round(per_subscription),
                "one_event_to_tenant_subscribers": {
                    "subscribers": args.tenant_subscribers,
                    "events": args.events,
                    **delivery,
                },
                "redis_connections_at_10": redis_at_10,
                "redis_connections_at_all": redis_at_all,
                "meets_target": per_subscription <= 50 * 1024
                and delivery.get("p99_ms", 1e9) <= 250
                and redis_at_10 == redis_at_all,
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
