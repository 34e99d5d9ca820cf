"""``trunkline serve --workers 2``: whichever worker answers ``/metrics`` reports both workers'.

Several workers need PostgreSQL and Redis: the services backend only.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from tests.conftest import BACKEND
from tests.events.processes import serve_process
from tests.metrics.scraping import parse, scrape, value
from trunkline.settings import Settings

pytestmark = pytest.mark.skipif(
    BACKEND != "services", reason="several workers share a database only on PostgreSQL"
)

PROBE = {"query": "query MetricsWorkersProbe { me { orgId } }"}
OPERATIONS = "trunkline_graphql_operations_total"
LABELS = {"operation": "MetricsWorkersProbe", "outcome": "UNAUTHENTICATED"}
ROUNDS = 10
PER_ROUND = 8
WORKERS_START_SECONDS = 90.0


def counted_by(directory: Path, pid: int) -> float:
    """The probes one worker counted, read from its own file alone."""
    alone = directory / f"only-{pid}"
    alone.mkdir(exist_ok=True)
    for path in directory.glob(f"counter_{pid}.db"):
        shutil.copy(path, alone / path.name)
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(alone))
    return value(parse(generate_latest(registry).decode()), OPERATIONS, **LABELS)


async def fresh_connection_post(url: str) -> None:
    # A connection each: the kernel hands each new connection to one worker or the other.
    async with httpx.AsyncClient(base_url=url) as http:
        response = await http.post("/graphql", json=PROBE)
    assert response.status_code == 200


async def test_metrics_add_up_every_worker(settings: Settings, tmp_path: Path) -> None:
    directory = tmp_path / "metrics"
    directory.mkdir()
    (directory / "counter_1.db").write_bytes(b"left by an earlier run")  # serve empties it

    async with serve_process(
        settings,
        "--workers",
        "2",
        # Two interpreters importing the gateway side by side on a busy machine.
        start_seconds=WORKERS_START_SECONDS,
        PROMETHEUS_MULTIPROC_DIR=str(directory),
    ) as served:
        workers = served.worker_pids()
        sent = 0
        # Until each worker has answered some (bounded: the kernel spreads connections).
        for _ in range(ROUNDS):
            await asyncio.gather(*(fresh_connection_post(served.url) for _ in range(PER_ROUND)))
            sent += PER_ROUND
            if all(counted_by(directory, pid) > 0 for pid in workers):
                break
        per_worker = {pid: counted_by(directory, pid) for pid in workers}
        scrapes = []
        for _ in range(4):
            async with httpx.AsyncClient(base_url=served.url) as http:
                scrapes.append(value(await scrape(http), OPERATIONS, **LABELS))

    assert len(workers) == 2
    assert all(count > 0 for count in per_worker.values()), per_worker
    assert sum(per_worker.values()) == sent
    assert scrapes == [sent] * 4
    assert not (directory / "counter_1.db").exists()
