"""`make run PORT=... HOST=...` serves where it is told (README "Trying it")."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from tests.support.processes import BIN, environment_without_trunkline, running_server
from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
async def test_make_run_serves_on_the_port_and_host_it_is_given(tmp_path: Path) -> None:
    port = free_port()
    env = environment_without_trunkline(
        TRUNKLINE_DATA_DIR=str(tmp_path), TRUNKLINE_SANDBOX_STEP_SECONDS="0"
    )
    # -o: take the installed .venv as it is (this test runs inside it); BIN: this interpreter's.
    argv = [
        "make",
        "--no-print-directory",
        "-o",
        ".venv/.installed",
        "run",
        f"PORT={port}",
        "HOST=127.0.0.1",
        f"BIN={BIN}",
    ]

    async with (
        running_server(argv, env=env, port=port, cwd=ROOT) as server,
        httpx.AsyncClient(base_url=server.url) as client,
    ):
        sandbox = await client.post("/sandbox/control/accounts")

    output = await server.output()
    assert sandbox.status_code == 201
    assert f"serve --sandbox --host 127.0.0.1 --port {port}" in output
    assert f"GraphQL:     http://127.0.0.1:{port}/graphql" in output
