"""Scale-out mode of ``bench/webhook_ingest.py``: N worker processes, T tenants, L load processes.

The gateway runs as an operator runs it, ``trunkline serve --workers N`` (uvicorn's supervisor
and N workers sharing PostgreSQL and Redis); the bare endpoint as ``uvicorn --workers N`` of the
same trivial app, for the same-run ceiling of the machine. The load comes from L processes (one
Python process tops out near one core of signing and parsing), each driving its share of the
tenants closed-loop over keep-alive connections, so the load generator is not the limit it
measures. Reported per webhook: CPU of the gateway's processes, of PostgreSQL, of the load
processes and of the whole machine, how busy the machine was, and how often PostgreSQL backends
working for the gateway were waiting on a lock (``pg_stat_activity.wait_event_type = 'Lock'``,
sampled every few milliseconds): the share of active-backend time spent behind another
transaction's row lock, what serialized the workers before batches were per tenant (issue 14).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

from bench.harness import (
    BARE,
    ROOT,
    CpuSnapshot,
    Deployment,
    RawClient,
    Tenant,
    _wait_until,
    inbound_request,
    spare_port,
)

LOCK_SAMPLE_SECONDS = 0.005
# Requests each connection signs before the timed window (signing is the load's own CPU, taken
# from the gateway on a shared machine); past them it signs as it goes.
PRESIGNED_PER_CONNECTION = 1000


@dataclass
class Served:
    url: str
    process: asyncio.subprocess.Process


@asynccontextmanager
async def serve_workers(
    command: list[str], *, port: int, env: dict[str, str] | None = None
) -> AsyncIterator[Served]:
    """Run ``command`` (a server with workers) until the port answers; stop it afterwards."""
    process = await asyncio.create_subprocess_exec(
        *command,
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )

    async def up() -> bool:
        if process.returncode is not None:
            raise RuntimeError(f"{command[0]} exited with {process.returncode}")
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.close()
        return True

    try:
        await _wait_until(up, "server")
        await asyncio.sleep(1.0)  # every worker, not only the first, listening
        yield Served(f"http://127.0.0.1:{port}", process)
    finally:
        process.terminate()
        await process.wait()


@asynccontextmanager
async def bare_workers(workers: int) -> AsyncIterator[Served]:
    with tempfile.TemporaryDirectory() as folder:
        source = BARE.split("uvicorn.run(", 1)[0].replace("import sys, uvicorn\n", "")
        await asyncio.to_thread(Path(folder, "bare_app.py").write_text, source)
        port = spare_port()
        command = [
            sys.executable,
            *("-m", "uvicorn", "bare_app:app", "--host", "127.0.0.1", "--port", str(port)),
            *("--workers", str(workers), "--log-level", "warning", "--no-access-log"),
        ]
        env = {**os.environ, "PYTHONPATH": folder}
        async with serve_workers(command, port=port, env=env) as served:
            yield served


@asynccontextmanager
async def gateway_workers(deployment: Deployment, workers: int) -> AsyncIterator[Served]:
    port = spare_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        str(Path(sys.executable).parent / "trunkline"),
        *("serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)),
    ]
    async with serve_workers(command, port=port, env=deployment.environment(url)) as served:
        yield served


def tree_cpu(pid: int) -> float:
    """CPU seconds of ``pid`` and every process below it (uvicorn's supervisor and workers)."""
    children: dict[int, list[int]] = {}
    cpu: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        cpu[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    total, stack = 0.0, [pid]
    while stack:
        current = stack.pop()
        total += cpu.get(current, 0.0)
        stack.extend(children.get(current, []))
    return total


def _load_process(
    url: str,
    tenants: list[Tenant],
    connections: int,
    start_at: float,
    seconds: float,
    bare: bool,
    results: Any,
) -> None:
    """One load process: ``connections`` closed loops over ``tenants``, from ``start_at``."""

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    window: list[float] = []  # this process's CPU seconds at the timed window's start and end

    async def run() -> tuple[int, int]:
        done = errors = 0
        bare_request = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok"

        def make_for(index: int) -> Callable[[], bytes]:
            if bare:
                return lambda: bare_request
            tenant = tenants[index % len(tenants)]
            return lambda: inbound_request(tenant, url, "hi")

        async def loop(index: int) -> None:
            nonlocal done, errors
            make = make_for(index)
            # Signed ahead, while the others are still starting: signing is the load's own CPU.
            ready = [make() for _ in range(PRESIGNED_PER_CONNECTION if not bare else 1)]
            client = RawClient(url)
            await asyncio.sleep(max(0.0, start_at - time.time()))
            deadline = start_at + seconds
            while time.time() < deadline:
                status = await client.request(ready.pop() if len(ready) > 1 else make())
                done += 1
                errors += status != 200
            await client.close()

        async def clock() -> None:
            await asyncio.sleep(max(0.0, start_at - time.time()))
            window.append(cpu())
            await asyncio.sleep(max(0.0, start_at + seconds - time.time()))
            window.append(cpu())

        await asyncio.gather(clock(), *(loop(index) for index in range(connections)))
        return done, errors

    done, errors = asyncio.run(run())
    results.put((done, errors, window[1] - window[0]))


async def sample_lock_waits(database_url: str, stop: asyncio.Event) -> dict[str, float]:
    """How often the gateway's active PostgreSQL backends waited on a lock, until ``stop``."""
    connection = await asyncpg.connect(database_url)
    name = database_url.rsplit("/", 1)[1]
    active = waiting = samples = 0
    try:
        while not stop.is_set():
            row = await connection.fetchrow(
                "SELECT count(*) AS active, "
                "count(*) FILTER (WHERE wait_event_type = 'Lock') AS waiting "
                "FROM pg_stat_activity WHERE datname = $1 AND state = 'active' "
                "AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
                name,
            )
            assert row is not None
            active += row["active"]
            waiting += row["waiting"]
            samples += 1
            await asyncio.sleep(LOCK_SAMPLE_SECONDS)
    finally:
        await connection.close()
    return {
        "lock_wait_share": round(waiting / active, 4) if active else 0.0,
        "active_backends_mean": round(active / samples, 2) if samples else 0.0,
        "lock_samples": samples,
    }


async def drive(
    served: Served,
    tenants: list[Tenant],
    *,
    load_processes: int,
    connections: int,
    seconds: float,
    bare: bool = False,
    database_url: str | None = None,
) -> dict[str, Any]:
    """Closed-loop load from ``load_processes`` processes; throughput and where the CPU went."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    start_at = time.time() + 3.0 + 0.5 * load_processes  # after every load process has signed
    shares = [tenants[index::load_processes] or tenants for index in range(load_processes)]
    per_process = max(1, connections // load_processes)
    children = [
        context.Process(
            target=_load_process,
            args=(served.url, share, per_process, start_at, seconds, bare, results),
        )
        for share in shares
    ]
    for child in children:
        child.start()
    await asyncio.sleep(max(0.0, start_at - time.time()))
    server_before = tree_cpu(served.process.pid)
    machine_before = CpuSnapshot.take(served)  # type: ignore[arg-type]
    stop = asyncio.Event()
    sampler = asyncio.create_task(sample_lock_waits(database_url, stop)) if database_url else None
    await asyncio.sleep(seconds)
    server_after = tree_cpu(served.process.pid)
    machine_after = CpuSnapshot.take(served)  # type: ignore[arg-type]
    stop.set()
    locks = await sampler if sampler else {}
    outcomes = [await asyncio.to_thread(results.get) for _ in children]
    for child in children:
        await asyncio.to_thread(child.join)
    done = sum(outcome[0] for outcome in outcomes)
    errors = sum(outcome[1] for outcome in outcomes)
    load_cpu = sum(outcome[2] for outcome in outcomes)

    def us(value: float) -> float:
        return round(value / max(done, 1) * 1e6, 1)

    busy = machine_after.busy - machine_before.busy
    return {
        "requests_per_second": round(done / seconds, 1),
        "errors": errors,
        "server_cpu_us_per_request": us(server_after - server_before),
        "postgres_cpu_us_per_request": us(machine_after.postgres - machine_before.postgres),
        "load_generator_cpu_us_per_request": us(load_cpu),
        "machine_cpu_us_per_request": us(busy),
        "machine_busy": round(busy / (machine_after.total - machine_before.total), 2),
        **locks,
    }
