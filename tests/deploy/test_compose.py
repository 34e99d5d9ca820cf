"""docker-compose.yml, the Dockerfile and deploy/nginx.conf: no Docker engine runs here.

The file is read as compose reads it (PyYAML, merge keys and anchors included) and checked; then
the exact commands and environment compose gives the services are run on loopback: the password
one-shot, the migration, the gateway (its healthcheck too), and SIGTERM to the gateway.
"""

from __future__ import annotations

import asyncio
import json
import re
import shlex
import signal
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
import yaml

from tests.conftest import Backend
from tests.support.processes import (
    TRUNKLINE,
    environment_without_trunkline,
    run_command,
    running_server,
)
from tests.support.servers import free_port
from trunkline.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
GATEWAYS = ("gateway", "replica-a", "replica-b")
ONE_SHOTS = ("secrets", "migrate")
LONG_RUNNING = tuple(name for name in SERVICES if name not in ONE_SHOTS)
IN_CONTAINER_PORT = "8000"
_INTERPOLATION = re.compile(r"\$\{(?P<name>\w+)(?::-(?P<default>[^}]*))?\}")


def _setting_variables() -> list[str]:
    return [f"TRUNKLINE_{name.upper()}" for name in Settings.model_fields]


def _resolve(environment: dict[str, Any], shell: dict[str, str]) -> dict[str, str]:
    """What compose puts in the container: ``${X:-d}`` interpolated, bare keys passed through."""
    resolved: dict[str, str] = {}
    for key, value in environment.items():
        if value is None:
            if key in shell:  # a bare key: the shell's value if set there, else left out
                resolved[key] = shell[key]
            continue
        resolved[key] = _INTERPOLATION.sub(
            lambda m: shell.get(m["name"]) or (m["default"] or ""), str(value)
        )
    return resolved


def test_the_stack_has_its_services_and_the_replicas_profile() -> None:
    assert set(SERVICES) == {
        "secrets",
        "postgres",
        "redis",
        "migrate",
        "gateway",
        "replica-a",
        "replica-b",
        "proxy",
    }
    assert {name for name, svc in SERVICES.items() if "profiles" in svc} == {
        "replica-a",
        "replica-b",
        "proxy",
    }
    assert all(SERVICES[name]["profiles"] == ["replicas"] for name in ("replica-a", "proxy"))


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_every_long_running_service_restarts_and_has_an_exec_form_healthcheck(name: str) -> None:
    service = SERVICES[name]

    assert service["restart"] == "unless-stopped"
    check = service["healthcheck"]["test"]
    assert isinstance(check, list)
    assert check[0] == "CMD"  # exec form: no shell between Docker and the probe
    assert service["healthcheck"]["retries"] >= 3


@pytest.mark.parametrize("name", ONE_SHOTS)
def test_one_shot_services_run_once_in_exec_form(name: str) -> None:
    service = SERVICES[name]

    assert service["restart"] == "no"
    assert isinstance(service["command"], list)
    assert service["command"][0] == "trunkline"


@pytest.mark.parametrize("name", GATEWAYS)
def test_each_gateway_is_the_console_script_in_exec_form_under_an_init(name: str) -> None:
    service = SERVICES[name]

    all_interfaces = "0.0.0.0"  # noqa: S104 - inside its container, behind compose's port
    assert service["command"] == ["trunkline", "serve", "--host", all_interfaces, "--port", "8000"]
    assert service["init"] is True  # tini forwards SIGTERM and reaps
    assert service["depends_on"] == {
        "migrate": {"condition": "service_completed_successfully"},
        "redis": {"condition": "service_healthy"},
    }
    assert service["volumes"] == ["gatewaydata:/app/var", "secrets:/app/secrets:ro"]


def test_the_dockerfile_runs_the_same_command_in_exec_form() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    cmd = [line for line in dockerfile.splitlines() if line.startswith("CMD ")]

    assert len(cmd) == 1
    assert json.loads(cmd[0].removeprefix("CMD ")) == SERVICES["gateway"]["command"]
    assert "requirements.lock" in dockerfile


def test_migrations_and_the_password_run_before_what_needs_them() -> None:
    assert SERVICES["migrate"]["command"] == ["trunkline", "migrate"]
    assert SERVICES["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert SERVICES["postgres"]["depends_on"] == {
        "secrets": {"condition": "service_completed_successfully"}
    }
    assert SERVICES["proxy"]["depends_on"] == {
        "replica-a": {"condition": "service_healthy"},
        "replica-b": {"condition": "service_healthy"},
    }


@pytest.mark.parametrize("name", ["migrate", *GATEWAYS])
def test_every_setting_is_passable_to_every_gateway_process(name: str) -> None:
    environment = SERVICES[name]["environment"]

    missing = [variable for variable in _setting_variables() if variable not in environment]

    # Add a bare `TRUNKLINE_X:` line to x-trunkline-settings in docker-compose.yml.
    assert missing == []


def test_a_setting_set_in_the_shell_reaches_the_gateway_and_an_unset_one_stays_out() -> None:
    environment = SERVICES["gateway"]["environment"]

    resolved = _resolve(environment, {"TRUNKLINE_CORS_ORIGINS": "https://spa.example"})

    assert resolved["TRUNKLINE_CORS_ORIGINS"] == "https://spa.example"
    assert "TRUNKLINE_ENCRYPTION_KEYS" not in resolved
    assert resolved["TRUNKLINE_PUBLIC_URL"] == "http://localhost:8000"
    replica = _resolve(SERVICES["replica-a"]["environment"], {})
    assert replica["TRUNKLINE_PUBLIC_URL"] == "http://localhost:8080"  # the proxy's address


def test_no_password_is_written_in_the_compose_file() -> None:
    postgres = SERVICES["postgres"]["environment"]

    assert "POSTGRES_PASSWORD" not in postgres
    assert postgres["POSTGRES_PASSWORD_FILE"] == "/run/trunkline/postgres-password"
    assert SERVICES["secrets"]["environment"] == {"POSTGRES_PASSWORD": None}  # or generated
    for name, service in SERVICES.items():
        for key, value in (service.get("environment") or {}).items():
            text = str(value)
            assert not re.search(r"://[^/@\s]+:[^/@\s]+@", text), (name, key)  # user:pass@
            assert "PASSWORD=" not in text, (name, key)


def test_the_proxy_balances_both_replicas_and_upgrades_websockets() -> None:
    config = (ROOT / "deploy" / "nginx.conf").read_text()
    mount = SERVICES["proxy"]["volumes"][0]

    assert mount.startswith("./deploy/nginx.conf:")
    assert re.findall(r"^\s*server (replica-[ab]):8000\b", config, re.M) == [
        "replica-a",
        "replica-b",
    ]
    assert "proxy_set_header Upgrade $http_upgrade;" in config
    assert "proxy_set_header Connection $connection_upgrade;" in config
    assert "proxy_http_version 1.1;" in config
    listen = re.search(r"^\s*listen (\d+);", config, re.M)
    assert listen is not None
    assert SERVICES["proxy"]["ports"] == [f"${{TRUNKLINE_PROXY_PORT:-8080}}:{listen[1]}"]


# --- the commands compose runs, run here ---------------------------------------------------


class Loopback:
    """Compose's container world mapped onto this machine: paths, hosts, ports, the backend."""

    def __init__(self, tmp_path: Path, backend: Backend) -> None:
        self.port = free_port()
        self.paths = {"/app/var": tmp_path / "var", "/app/secrets": tmp_path / "secrets"}
        self.database_url = backend.database_url or f"sqlite://{tmp_path / 'var' / 'db.sqlite3'}"
        self.redis_url = backend.redis_url  # empty on the embedded backend: in-process bus
        self.cwd = tmp_path

    def argv(self, command: list[str]) -> list[str]:
        programs = {"trunkline": TRUNKLINE, "python": sys.executable}
        out = [programs.get(command[0], command[0])]
        for part in command[1:]:
            part = self.paths.get(part, part)
            part = {"0.0.0.0": "127.0.0.1", IN_CONTAINER_PORT: str(self.port)}.get(part, part)  # noqa: S104 - compose's bind address, mapped to loopback
            out.append(str(part).replace("127.0.0.1:8000", f"127.0.0.1:{self.port}"))
        return out

    def environment(self, service: dict[str, Any], shell: dict[str, str]) -> dict[str, str]:
        env = _resolve(service.get("environment") or {}, shell)
        for key, value in list(env.items()):
            for inside, outside in self.paths.items():
                value = value.replace(inside, str(outside))
            env[key] = value
        if "TRUNKLINE_DATABASE_URL" in env:
            assert env["TRUNKLINE_DATABASE_URL"] == "postgres://trunkline@postgres:5432/trunkline"
            env["TRUNKLINE_DATABASE_URL"] = self.database_url
        if "TRUNKLINE_REDIS_URL" in env:
            assert env["TRUNKLINE_REDIS_URL"] == "redis://redis:6379/0"
            env["TRUNKLINE_REDIS_URL"] = self.redis_url
        return environment_without_trunkline(**env)


def _empty_shell() -> dict[str, str]:
    """A shell where every setting is exported empty: what `${X:-}` used to hand the gateway."""
    return dict.fromkeys(_setting_variables(), "")


async def test_the_stack_s_commands_migrate_serve_pass_their_healthcheck_and_stop_on_sigterm(
    tmp_path: Path, backend: Backend
) -> None:
    loop = Loopback(tmp_path, backend)
    shell = _empty_shell()

    password = await run_command(
        loop.argv(SERVICES["secrets"]["command"]),
        env=loop.environment(SERVICES["secrets"], {}),
        cwd=tmp_path,
    )
    assert password.returncode == 0, password.stderr
    pgpass = tmp_path / "secrets" / "pgpass"
    assert pgpass.stat().st_mode & 0o077 == 0
    secret = (tmp_path / "secrets" / "postgres-password").read_text().strip()
    assert len(secret) >= 32
    assert pgpass.read_text() == f"*:*:*:trunkline:{secret}\n"
    assert secret not in password.stdout + password.stderr

    migrate = await run_command(
        loop.argv(SERVICES["migrate"]["command"]),
        env=loop.environment(SERVICES["migrate"], shell),
        cwd=tmp_path,
    )
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr

    gateway = SERVICES["gateway"]
    env = loop.environment(gateway, shell)
    assert env["TRUNKLINE_ENCRYPTION_KEYS"] == ""  # the empty variable the issue reproduced
    async with running_server(
        loop.argv(gateway["command"]), env=env, port=loop.port, cwd=tmp_path, ready_path="/readyz"
    ) as server:
        healthcheck = await asyncio.create_subprocess_exec(
            *loop.argv(gateway["healthcheck"]["test"][1:])
        )
        assert await asyncio.wait_for(healthcheck.wait(), timeout=30) == 0
        minted = await run_command(
            [TRUNKLINE, "token", "--org", "org_compose", "--sub", "u1", "--role", "admin"],
            env=env,
            cwd=tmp_path,
        )
        token = minted.stdout.strip()
        async with httpx.AsyncClient(base_url=server.url) as client:
            me = await client.post(
                "/graphql",
                json={"query": "{ me { orgId } }"},
                headers={"Authorization": f"Bearer {token}"},
            )
        assert me.json() == {"data": {"me": {"orgId": "org_compose"}}}
        assert (tmp_path / "var" / "encryption-key").exists()  # generated, kept on the volume

        # A subscriber is connected when `docker stop` comes: it must not hold the exit up.
        async with websockets.connect(
            server.url.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"]
        ) as socket:
            await socket.send(
                json.dumps(
                    {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
                )
            )
            assert json.loads(await socket.recv())["type"] == "connection_ack"
            started = time.monotonic()
            server.process.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(server.process.wait(), timeout=10)
            stopped_after = time.monotonic() - started

    output = await server.output()
    # uvicorn shuts down (lifespan included), then re-raises the signal it caught, so the exit
    # status says SIGTERM as Docker expects (143); what matters is the drain before it.
    assert code in {0, -signal.SIGTERM}, output
    assert "Application shutdown complete." in output
    assert stopped_after < 5, stopped_after


def test_compose_passes_no_shell_to_the_gateway() -> None:
    # `sh -c "migrate && serve"` left dash as PID 1, which ignores SIGTERM.
    for name in (*ONE_SHOTS, *GATEWAYS):
        command = SERVICES[name]["command"]
        assert "sh" not in {Path(part).name for part in command}, name
        assert not any(shlex.split(part) != [part] for part in command[:2]), name
