"""The baseline of ``bench/queries.py``: the hand-written SQL of a page, served as JSON over HTTP.

A bare ASGI app (no framework, no auth, no ORM, no GraphQL) on one uvicorn process, reading
with an asyncpg pool: what a page costs when nothing but the query and the HTTP round trip is
paid. ``GET /threads?tenant=..&first=..``, ``GET /messages?tenant=..&counterpart=..&first=..``
and ``GET /calls?tenant=..&first=..`` (the joined rows, flat: one per recording).

    python -c "from bench.sql_endpoint import run; run()" PORT   (BENCH_DATABASE_URL set)
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any
from urllib.parse import parse_qs

import asyncpg
import uvicorn

from bench.query_sql import CALLS_SQL, MESSAGES_SQL, THREADS_SQL

_pool: asyncpg.Pool | None = None


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    global _pool
    if scope["type"] != "http":
        return
    if _pool is None:
        _pool = await asyncpg.create_pool(os.environ["BENCH_DATABASE_URL"], min_size=1, max_size=4)
    query = {key: values[0] for key, values in parse_qs(scope["query_string"].decode()).items()}
    if scope["path"] == "/threads":
        rows = await _pool.fetch(THREADS_SQL, int(query["tenant"]), int(query["first"]))
    elif scope["path"] == "/calls":
        rows = await _pool.fetch(CALLS_SQL, int(query["tenant"]), int(query["first"]))
    else:
        rows = await _pool.fetch(
            MESSAGES_SQL, int(query["tenant"]), query["counterpart"], int(query["first"])
        )
    body = json.dumps([dict(row) for row in rows], default=str).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})


def run() -> None:
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
