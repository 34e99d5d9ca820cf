"""``GET /media/{token}`` (signed link -> the file streamed from Twilio) against fetching the same
file from the carrier directly with the account's credentials.

One gateway process with the sandbox carrier mounted (PostgreSQL, in-process bus); an MMS with a
1x1 PNG and a 256 KiB file arrives through the sandbox. Each file is downloaded ``--requests``
times, ``--concurrency`` at a time, through the gateway's signed link and, as the baseline in the
same run, straight from the sandbox (same process, same bytes): the difference is what the
gateway adds (verify, one SELECT, the credentials, a second HTTP hop, streaming).

    .venv/bin/python bench/media.py [--requests 400] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import SERVE, Deployment, percentiles, postgres_database, serve

FILES = {"png": "https://x.example/pixel.png", "256KiB": "https://x.example/clip.mp4"}


async def _setup(deployment: Deployment, url: str) -> tuple[dict[str, str], dict[str, str], Any]:
    """A tenant with a sandbox account and number, an MMS received: (links, direct URLs, auth)."""
    from tortoise import Tortoise

    from trunkline.models import Message, PhoneNumber, Tenant, TwilioSettings
    from trunkline.models.database import open_database
    from trunkline.services.media_links import MediaKind, MediaLink, MediaLinks
    from trunkline.services.secrets import SecretBox
    from trunkline.twilio import redirect_url

    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        account = (await http.post("/sandbox/control/accounts")).json()
        auth = (account["account_sid"], account["auth_token"])
        api = f"/sandbox/twilio/api/2010-04-01/Accounts/{account['account_sid']}"
        bought = (
            await http.post(
                f"{api}/IncomingPhoneNumbers.json",
                data={"AreaCode": "415", "SmsUrl": f"{url}/webhooks/twilio/messaging"},
                auth=auth,
            )
        ).json()
        await open_database(deployment.database_url)
        try:
            tenant = await Tenant.create(org_id="org_bench_media")
            await TwilioSettings.create(
                tenant=tenant,
                account_sid=account["account_sid"],
                auth_token_encrypted=SecretBox([deployment.encryption_key]).encrypt(
                    tenant_id=tenant.id, plaintext=account["auth_token"]
                ),
            )
            await PhoneNumber.create(
                tenant=tenant, sid=bought["sid"], phone_number=bought["phone_number"]
            )
            sent = await http.post(
                "/sandbox/control/inbound/message",
                json={
                    "to": bought["phone_number"],
                    "from": "+447700900999",
                    "media_urls": list(FILES.values()),
                },
            )
            sid = sent.json()["sid"]
            for _ in range(300):  # the webhook is stored within moments
                row = await Message.get_or_none(tenant_id=tenant.id, sid=sid)
                if row is not None:
                    break
                await asyncio.sleep(0.05)
            else:
                raise RuntimeError("the MMS was not stored")
        finally:
            await Tortoise.close_connections()
    links = MediaLinks([deployment.encryption_key], public_url=url, ttl_seconds=3600)
    expires = links.expiry()
    signed = {
        name: links.url(MediaLink(MediaKind.MESSAGE, tenant.id, row.id, index, expires))
        for index, name in enumerate(FILES)
    }
    direct = {
        name: redirect_url(item["url"], f"{url}/sandbox/twilio")
        for name, item in zip(FILES, row.media, strict=True)
    }
    return signed, direct, auth


async def _measure(url: str, *, requests: int, concurrency: int, auth: Any = None) -> dict:
    samples: list[float] = []
    size = 0
    queue = list(range(requests))
    async with httpx.AsyncClient(timeout=30) as http:

        async def worker() -> None:
            nonlocal size
            while queue:
                queue.pop()
                start = time.perf_counter()
                response = await http.get(url, auth=auth)
                body = response.content
                samples.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, response.status_code
                size = len(body)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {**percentiles(samples), "bytes": size, "per_second": round(requests / elapsed, 1)}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as data_dir:
        async with postgres_database() as database_url:
            deployment = Deployment(database_url, "", Path(data_dir))

            def environment(public_url: str) -> dict[str, str]:
                return {
                    **deployment.environment(public_url),
                    "TRUNKLINE_SANDBOX": "true",
                    "TRUNKLINE_SANDBOX_STEP_SECONDS": "0",
                }

            async with serve(SERVE, environment) as process:  # type: ignore[arg-type]
                signed, direct, auth = await _setup(deployment, process.url)
                for name in FILES:
                    options = {"requests": args.requests, "concurrency": args.concurrency}
                    # Alternating, so drift in the machine's speed hits both alike.
                    baseline = await _measure(direct[name], auth=auth, **options)
                    through = await _measure(signed[name], **options)
                    results[name] = {
                        "direct_from_carrier": baseline,
                        "gateway_media_link": through,
                        "p50_added_ms": round(through["p50_ms"] - baseline["p50_ms"], 2),
                    }
    print(json.dumps({"benchmark": "media", **vars(args), "files": results}))


if __name__ == "__main__":
    asyncio.run(main())
