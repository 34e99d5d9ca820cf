"""Sustained signed-webhook throughput and p99, against a bare uvicorn endpoint in the same run.

Both servers are single uvicorn processes on loopback, driven by the same keep-alive HTTP/1.1
clients: first closed-loop at full speed (maximum throughput), then open-loop at half the
gateway's own maximum (latency). The gateway stores each inbound SMS in PostgreSQL (receipt,
message, activity) and publishes it on Redis. Targets: >= 25% of the bare endpoint's
throughput; p99 <= 100 ms at half the gateway's maximum. ``--kind status`` posts message status
callbacks instead (half create their message, half update it).

    .venv/bin/python bench/webhook_ingest.py [--seconds 5] [--connections 32] [--kind status]

Scale-out (issue 14): ``--workers 1,2`` runs ``trunkline serve --workers N`` for each N in turn
(a fresh database each), against ``uvicorn --workers N`` of the bare endpoint, with the inbound
load spread over ``--tenants T`` tenants from ``--load-processes L`` processes; it reports each N's
webhooks/s, errors, CPU per webhook of each kind of process, how busy the machine was, and the
share of PostgreSQL's active-backend time spent waiting on locks (see ``bench/scaleout.py``):

    .venv/bin/python bench/webhook_ingest.py --workers 1,2 --tenants 16 [--load-processes 2]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import tempfile
import time
import uuid
from collections import deque
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import (
    BARE,
    CpuSnapshot,
    Deployment,
    Process,
    RawClient,
    Tenant,
    create_tenant,
    gateway,
    inbound_request,
    percentiles,
    postgres_database,
    redis_server,
    serve,
    status_request,
)
from bench.scaleout import bare_workers, drive, gateway_workers
from bench.webhook_to_subscriber import paced


async def saturate(
    server: Process, make: Callable[[], bytes], *, seconds: float, connections: int
) -> dict[str, float]:
    """Closed loop: each connection sends its next request as soon as the last is answered.

    Also reports where the CPU went per request: the server, PostgreSQL, this load generator,
    and the whole machine (Redis and the kernel's loopback traffic are the rest), and how busy
    the machine was: they all share its cores.
    """
    url = server.url
    before = CpuSnapshot.take(server)
    deadline = time.perf_counter() + seconds
    done = 0
    errors = 0

    async def worker() -> None:
        nonlocal done, errors
        client = RawClient(url)
        while time.perf_counter() < deadline:
            status = await client.request(make())
            done += 1
            errors += status != 200
        await client.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.perf_counter() - start
    cpu = before.per_request(CpuSnapshot.take(server), done)
    return {"requests_per_second": round(done / elapsed, 1), "errors": errors, **cpu}


async def steady(
    url: str, make: Callable[[], bytes], *, rate: float, seconds: float, connections: int
) -> dict[str, float]:
    pool: asyncio.Queue[RawClient] = asyncio.Queue()
    for _ in range(connections):
        pool.put_nowait(RawClient(url))
    latencies: list[float] = []

    async def send(index: int) -> None:
        started = time.perf_counter()
        client = await pool.get()
        try:
            await client.request(make())
        finally:
            pool.put_nowait(client)
        latencies.append((time.perf_counter() - started) * 1000)

    await paced(rate, int(rate * seconds), send)
    while not pool.empty():
        await pool.get_nowait().close()
    return {"rate_per_second": rate, **percentiles(latencies)}


# Requests signed before each timed phase, enough for this many per second: signing one (HMAC,
# form encoding, two UUIDs) cost the load generator about 40 us, CPU taken from the gateway on
# a shared machine, where the bare endpoint's request is one constant.
PRESIGNED_PER_SECOND = 12_000


def presigned(make: Callable[[], bytes], count: int) -> Callable[[], bytes]:
    """``make``'s next ``count`` requests, built now; more are built as asked once they run out."""
    ready = deque(make() for _ in range(count))
    return lambda: ready.popleft() if ready else make()


def requests_of(kind: str, tenant: Tenant, url: str) -> Callable[[], bytes]:
    if kind == "inbound":
        return lambda: inbound_request(tenant, url, "hello")
    statuses = itertools.cycle(["sent", "delivered"])
    sid = ""

    def status() -> bytes:
        nonlocal sid
        value = next(statuses)
        if value == "sent":
            sid = "SM" + uuid.uuid4().hex
        return status_request(tenant, url, sid, value)

    return status


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--kind",
        choices=["inbound", "status"],
        default="inbound",
        help="inbound SMS (default), or status callbacks: each new message's 'sent' (which "
        "creates it, as for a message sent outside Trunkline) then its 'delivered'",
    )
    parser.add_argument(
        "--workers",
        help="scale-out mode: comma-separated worker counts to compare in this run, e.g. 1,2",
    )
    parser.add_argument("--tenants", type=int, default=16, help="scale-out mode: tenants loaded")
    parser.add_argument(
        "--load-processes", type=int, default=2, help="scale-out mode: load-generating processes"
    )
    args = parser.parse_args()
    if args.workers:
        await scale_out(args)
        return
    async with serve(BARE) as bare:
        bare_request = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok"
        bare_max = await saturate(
            bare, lambda: bare_request, seconds=args.seconds, connections=args.connections
        )
    with tempfile.TemporaryDirectory() as data_dir:
        async with redis_server() as redis_url, postgres_database() as database_url:
            deployment = Deployment(database_url, redis_url, Path(data_dir))
            async with gateway(deployment) as process:
                tenant = await create_tenant(deployment)

                make = requests_of(args.kind, tenant, process.url)
                count = int(PRESIGNED_PER_SECOND * args.seconds)
                gateway_max = await saturate(
                    process,
                    presigned(make, count),
                    seconds=args.seconds,
                    connections=args.connections,
                )
                half = max(1.0, gateway_max["requests_per_second"] / 2)
                at_half = await steady(
                    process.url,
                    presigned(make, int(half * args.seconds) + 1),
                    rate=half,
                    seconds=args.seconds,
                    connections=args.connections,
                )
    ratio = gateway_max["requests_per_second"] / bare_max["requests_per_second"]
    print(
        json.dumps(
            {
                "benchmark": "webhook_ingest",
                "kind": args.kind,
                "bare_endpoint": bare_max,
                "gateway_max": gateway_max,
                "gateway_at_half_max": at_half,
                "throughput_ratio": round(ratio, 3),
                "meets_target": ratio >= 0.25 and at_half.get("p99_ms", 1e9) <= 100,
            }
        )
    )


async def scale_out(args: argparse.Namespace) -> None:
    """Each worker count in turn, its bare-endpoint ceiling first, a fresh database each."""
    runs = []
    for workers in [int(value) for value in args.workers.split(",")]:
        async with bare_workers(workers) as bare:
            bare_max = await drive(
                bare,
                [],
                load_processes=args.load_processes,
                connections=args.connections,
                seconds=args.seconds,
                bare=True,
            )
        with tempfile.TemporaryDirectory() as data_dir:
            async with redis_server() as redis_url, postgres_database() as database_url:
                deployment = Deployment(database_url, redis_url, Path(data_dir))
                async with gateway_workers(deployment, workers) as process:
                    tenants = [await create_tenant(deployment) for _ in range(args.tenants)]
                    gateway_max = await drive(
                        process,
                        tenants,
                        load_processes=args.load_processes,
                        connections=args.connections,
                        seconds=args.seconds,
                        database_url=database_url,
                    )
        runs.append({"workers": workers, "bare_endpoint": bare_max, "gateway": gateway_max})
    first = runs[0]["gateway"]["requests_per_second"]
    print(
        json.dumps(
            {
                "benchmark": "webhook_ingest",
                "mode": "scale-out",
                "tenants": args.tenants,
                "load_processes": args.load_processes,
                "connections": args.connections,
                "runs": runs,
                # Each run's webhooks/s over the first run's (the same-run baseline).
                "speedup_over_first": [
                    round(run["gateway"]["requests_per_second"] / max(first, 1.0), 3)
                    for run in runs
                ],
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
