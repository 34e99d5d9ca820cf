"""sendMessage through GraphQL against the sandbox carrier, at a fixed rate (open loop).

Starts the sandbox carrier as a process of its own (as Twilio is a service of its own; state in
memory, statuses advancing every ``--step`` seconds with their signed callbacks) and a gateway
process using it (PostgreSQL, Redis), connects a tenant to a sandbox account and buys a number
through GraphQL, then sends ``--rate`` messages a second for
``--seconds`` seconds: each request starts on schedule whether or not the earlier ones have
answered, so a slow answer cannot slow the load down (no coordinated omission). The baseline,
in the same run and at the same rate, is an authenticated ``{ me { userId } }``: the ratio is
what a send adds to the cheapest authenticated request (Twilio's call, the idempotency claim,
the ingestion commit). Target (issue 12): sendMessage p99 under 100 ms at 50/s.

    .venv/bin/python bench/send.py [--rate 50] [--seconds 20] [--step 1.0]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import (
    CpuSnapshot,
    Deployment,
    Process,
    gateway,
    percentiles,
    postgres_database,
    redis_server,
    serve,
)
from bench.harness import _process_cpu as process_cpu

# The sandbox carrier alone, in memory (the gateway's mounted one keeps its state in a file).
SANDBOX = (
    "import sys, uvicorn; from trunkline.sandbox import create_sandbox_app; "
    "uvicorn.run(create_sandbox_app(step_seconds={step}), host='127.0.0.1', "
    "port=int(sys.argv[1]), log_level='warning', access_log=False)"
)

SEND = """
mutation Send($input: SendMessageInput!) {
  sendMessage(input: $input) { __typename ... on Message { id status } ... on Error { code } }
}
"""
ME = "{ me { userId } }"
SAVE = """
mutation Save($input: SaveTwilioCredentialsInput!) {
  saveTwilioCredentials(input: $input) { __typename }
}
"""
AVAILABLE = '{ availableNumbers(country: "US", areaCode: "415", first: 1) { phoneNumber } }'
BUY = """
mutation Buy($input: BuyNumberInput!) {
  buyNumber(input: $input) { __typename ... on PhoneNumber { id } }
}
"""


async def graphql(
    client: httpx.AsyncClient, token: str, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {token}"},
    )
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


async def connect_tenant(
    client: httpx.AsyncClient, deployment: Deployment, carrier: str
) -> tuple[str, str]:
    """A tenant with a sandbox account and one number; its admin token and the number's id."""
    org = f"org_{uuid.uuid4().hex[:10]}"
    token = deployment.token(org, roles=("admin", "support"))
    async with httpx.AsyncClient(base_url=carrier) as control:
        account = (await control.post("/control/accounts")).json()
    saved = await graphql(
        client,
        token,
        SAVE,
        {"input": {"accountSid": account["account_sid"], "authToken": account["auth_token"]}},
    )
    assert saved["data"]["saveTwilioCredentials"]["__typename"] == "TwilioSettings", saved
    offered = (await graphql(client, token, AVAILABLE))["data"]["availableNumbers"]
    phone_number = offered[0]["phoneNumber"]
    bought = await graphql(client, token, BUY, {"input": {"phoneNumber": phone_number}})
    return token, bought["data"]["buyNumber"]["id"]


async def at_rate(
    rate: float, seconds: float, request: Any
) -> tuple[list[float], int, dict[str, int]]:
    """Start ``request()`` ``rate`` times a second for ``seconds``; latencies (ms), errors, and
    the answers' kinds."""
    latencies: list[float] = []
    kinds: dict[str, int] = {}
    errors = 0

    async def one() -> None:
        nonlocal errors
        started = time.perf_counter()
        try:
            kind = await request()
        except Exception as exc:
            errors += 1
            kind = type(exc).__name__
        else:
            latencies.append((time.perf_counter() - started) * 1000)
        kinds[kind] = kinds.get(kind, 0) + 1

    tasks = []
    start = time.perf_counter()
    for index in range(int(rate * seconds)):
        delay = start + index / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one()))
    await asyncio.gather(*tasks)
    return latencies, errors, kinds


async def measured(
    gateway_process: Process, carrier: Process, load: Any, *, settle: float
) -> tuple[Any, dict[str, float]]:
    """Run ``load``; with where the CPU went per request (the carrier's too), counted until
    ``settle`` seconds after the last answer."""
    before, carrier_before = CpuSnapshot.take(gateway_process), process_cpu(carrier.process.pid)
    result = await load
    await asyncio.sleep(settle)
    after, carrier_after = CpuSnapshot.take(gateway_process), process_cpu(carrier.process.pid)
    requests = len(result[0]) + result[1]
    cpu = before.per_request(after, requests)
    cpu = {k.replace("server_", "gateway_"): v for k, v in cpu.items()}
    cpu["carrier_cpu_us_per_request"] = round((carrier_after - carrier_before) / requests * 1e6, 1)
    return result, cpu


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=50.0, help="requests a second")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--step", type=float, default=1.0, help="sandbox seconds per status")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        async with (
            redis_server() as redis_url,
            postgres_database() as database_url,
            serve(SANDBOX.format(step=args.step)) as carrier,
        ):
            deployment = Deployment(database_url, redis_url, Path(data_dir))
            base = deployment.environment

            def environment(public_url: str) -> dict[str, str]:
                return {**base(public_url), "TRUNKLINE_TWILIO_API_BASE": f"{carrier.url}/twilio"}

            deployment.environment = environment  # type: ignore[method-assign]
            async with gateway(deployment) as process:
                limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
                async with httpx.AsyncClient(
                    base_url=process.url, timeout=30.0, limits=limits
                ) as client:
                    token, number_id = await connect_tenant(client, deployment, carrier.url)

                    async def me() -> str:
                        body = await graphql(client, token, ME)
                        return "ok" if body["data"]["me"]["userId"] else "error"

                    async def send() -> str:
                        to = f"+1415555{uuid.uuid4().int % 10_000:04d}"
                        body = await graphql(
                            client,
                            token,
                            SEND,
                            {"input": {"numberId": number_id, "to": to, "body": "Bench"}},
                        )
                        kind: str = body["data"]["sendMessage"]["__typename"]
                        return kind

                    # Warm both paths (connections, caches, the first statements' plans).
                    await at_rate(args.rate, 1.0, me)
                    await at_rate(args.rate, 1.0, send)
                    await asyncio.sleep(args.step * 5)  # the warm-up's statuses settle
                    baseline, base_cpu = await measured(
                        process, carrier, at_rate(args.rate, args.seconds, me), settle=0
                    )
                    # A send's CPU includes its statuses, callbacks and price, a few steps later.
                    sending, send_cpu = await measured(
                        process,
                        carrier,
                        at_rate(args.rate, args.seconds, send),
                        settle=args.step * 5,
                    )
    base_p, send_p = percentiles(baseline[0]), percentiles(sending[0])
    print(
        json.dumps(
            {
                "benchmark": "send",
                "rate_per_second": args.rate,
                "seconds": args.seconds,
                "sandbox_step_seconds": args.step,
                "send_message": {
                    **send_p,
                    "errors": sending[1],
                    "answers": sending[2],
                    **send_cpu,
                },
                "baseline_me": {
                    **base_p,
                    "errors": baseline[1],
                    "answers": baseline[2],
                    **base_cpu,
                },
                "p99_ratio": round(send_p["p99_ms"] / base_p["p99_ms"], 2)
                if base_p.get("p99_ms")
                else None,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
