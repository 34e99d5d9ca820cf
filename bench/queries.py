"""List queries against a large tenant: ``messages(filter: {counterpart}, first: 50)`` through
the gateway, against the same rows read by one hand-written SQL query in the same run.

A tenant with 200,000 messages over 2,000 contacts (100 each, half inbound, half outbound) on one
number. Each round asks for one contact's newest 50 three ways, one request at a time over one
keep-alive connection each: through the gateway (GraphQL over HTTP, a real token); from a bare
HTTP endpoint (uvicorn, an asyncpg pool, the hand-written query, its rows as JSON); and with the
hand-written query straight from this process (asyncpg, no HTTP). Rounds interleave, so all three
see the same machine. Prints one JSON object; ``p99_ratio`` is the gateway's p99 over the bare
endpoint's (the target: within 3x, and under 50 ms), ``p99_ratio_to_sql`` over the query alone.

    .venv/bin/python bench/queries.py [--messages 200000] [--contacts 2000] [--requests 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import (
    Deployment,
    create_tenant,
    gateway,
    percentiles,
    postgres_database,
    serve,
)

MESSAGES = """
query Contact($counterpart: String!) {
  messages(filter: {counterpart: $counterpart}, first: 50) {
    edges { cursor node { id sid channel direction from to body status createdAt } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
# The same rows, as one would read them by hand: the newest 50 of a contact, one more to know
# whether more follow.
RAW = (
    "SELECT id, sid, channel, direction, from_address, to_address, body, status, created_at "
    "FROM message WHERE tenant_id = $1 AND counterpart = $2 "
    "ORDER BY created_at DESC, id DESC LIMIT 51"
)
# Rows written set-based in PostgreSQL itself: 200,000 round trips would measure the seeding.
SEED = """
INSERT INTO message (tenant_id, sid, channel, direction, from_address, to_address, counterpart,
    body, media, status, status_history, number_id, num_segments, received_while_inactive,
    created_at, updated_at)
SELECT $1, 'SM' || md5(g::text), 'sms', CASE WHEN g % 2 = 0 THEN 'inbound' ELSE 'outbound' END,
    CASE WHEN g % 2 = 0 THEN contact ELSE $3 END, CASE WHEN g % 2 = 0 THEN $3 ELSE contact END,
    contact, 'message number ' || g, '[]'::jsonb, CASE WHEN g % 2 = 0 THEN 'received'
    ELSE 'delivered' END, '[]'::jsonb, $2, 1, false, at, at
FROM generate_series(1, $4::int) AS g,
    LATERAL (SELECT '+1415' || lpad((g % $5::int)::text, 7, '0') AS contact,
                    now() - make_interval(secs => g) AS at) AS made
"""


# The hand-written query served over HTTP: what a page costs with no GraphQL, auth or ORM.
BARE_QUERY = (
    "import json, os, sys, asyncpg, uvicorn\n"
    f"RAW = {RAW!r}\n"
    "pool = None\n"
    "async def app(scope, receive, send):\n"
    "    global pool\n"
    "    if scope['type'] != 'http':\n"
    "        return\n"
    "    if pool is None:\n"
    "        pool = await asyncpg.create_pool(os.environ['BENCH_DATABASE_URL'], min_size=1,"
    " max_size=2)\n"
    "    body = b''\n"
    "    while True:\n"
    "        message = await receive()\n"
    "        body += message.get('body', b'')\n"
    "        if not message.get('more_body'):\n"
    "            break\n"
    "    asked = json.loads(body)\n"
    "    rows = await pool.fetch(RAW, asked['tenant_id'], asked['counterpart'])\n"
    "    page = [{k: str(v) for k, v in row.items()} for row in rows[:50]]\n"
    "    data = json.dumps({'rows': page, 'more': len(rows) > 50}).encode()\n"
    "    await send({'type': 'http.response.start', 'status': 200, 'headers': [\n"
    "        (b'content-type', b'application/json'),"
    " (b'content-length', str(len(data)).encode())]})\n"
    "    await send({'type': 'http.response.body', 'body': data})\n"
    "uvicorn.run(app, host='127.0.0.1', port=int(sys.argv[1]), log_level='warning',"
    " access_log=False)\n"
)


def contact(index: int) -> str:
    return f"+1415{index:07d}"


async def seed(
    database_url: str, *, tenant_id: int, number_id: int, number: str, args: argparse.Namespace
) -> None:
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute(SEED, tenant_id, number_id, number, args.messages, args.contacts)
        await connection.execute("ANALYZE message")
    finally:
        await connection.close()


async def run(args: argparse.Namespace) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as data_dir:
        async with postgres_database() as database_url:
            deployment = Deployment(
                database_url=database_url, redis_url="", data_dir=Path(data_dir)
            )
            async with gateway(deployment) as server:
                tenant = await create_tenant(deployment)
                await seed(
                    database_url,
                    tenant_id=tenant.tenant_id,
                    number_id=tenant.number_id,
                    number=tenant.number,
                    args=args,
                )
                token = deployment.token(tenant.org)
                environment = {**os.environ, "BENCH_DATABASE_URL": database_url}
                async with serve(BARE_QUERY, environment) as bare:
                    timings = await measure(
                        args, server.url, bare.url, token, database_url, tenant.tenant_id
                    )
    figures = {name: percentiles(samples) for name, samples in timings.items()}
    return {
        "messages_by_counterpart_first_50": {
            "messages": args.messages,
            "contacts": args.contacts,
            **figures,
            "p50_ratio": round(
                figures["gateway"]["p50_ms"] / figures["bare_endpoint"]["p50_ms"], 2
            ),
            "p99_ratio": round(
                figures["gateway"]["p99_ms"] / figures["bare_endpoint"]["p99_ms"], 2
            ),
            "p99_ratio_to_sql": round(
                figures["gateway"]["p99_ms"] / figures["raw_sql"]["p99_ms"], 2
            ),
        }
    }


async def measure(
    args: argparse.Namespace,
    gateway_url: str,
    bare_url: str,
    token: str,
    database_url: str,
    tenant_id: int,
) -> dict[str, list[float]]:
    """Milliseconds per page, each way, after ``args.warmup`` rounds."""
    timings: dict[str, list[float]] = {"gateway": [], "bare_endpoint": [], "raw_sql": []}
    picks = random.Random(12)
    raw = await asyncpg.connect(database_url)
    headers = {"Authorization": f"Bearer {token}"}
    try:
        async with (
            httpx.AsyncClient(base_url=gateway_url, headers=headers, timeout=30) as http,
            httpx.AsyncClient(base_url=bare_url, timeout=30) as bare,
        ):
            for round_ in range(args.warmup + args.requests):
                who = contact(picks.randrange(args.contacts))
                started = time.perf_counter()
                response = await http.post(
                    "/graphql", json={"query": MESSAGES, "variables": {"counterpart": who}}
                )
                through_gateway = (time.perf_counter() - started) * 1000
                edges = response.json()["data"]["messages"]["edges"]
                started = time.perf_counter()
                answer = await bare.post("/", json={"tenant_id": tenant_id, "counterpart": who})
                through_bare = (time.perf_counter() - started) * 1000
                started = time.perf_counter()
                rows = await raw.fetch(RAW, tenant_id, who)
                by_hand = (time.perf_counter() - started) * 1000
                # The same page every way, or the comparison means nothing.
                ids = [str(row["id"]) for row in rows[:50]]
                assert [edge["node"]["id"] for edge in edges] == ids
                assert [row["id"] for row in answer.json()["rows"]] == ids
                if round_ >= args.warmup:
                    timings["gateway"].append(through_gateway)
                    timings["bare_endpoint"].append(through_bare)
                    timings["raw_sql"].append(by_hand)
    finally:
        await raw.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--contacts", type=int, default=2_000)
    parser.add_argument("--requests", type=int, default=2_000)
    parser.add_argument("--warmup", type=int, default=200)
    print(json.dumps(asyncio.run(run(parser.parse_args()))))


if __name__ == "__main__":
    main()
