"""``trunkline serve | migrate | token | rotate-keys | export-schema``."""

from __future__ import annotations

import argparse
import asyncio
import logging.config
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trunkline.settings import Settings

SCHEMA_FILE = Path("schema.graphql")


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from trunkline.app import create_app
    from trunkline.settings import Settings

    overrides: dict[str, object] = {}
    if args.sandbox:
        overrides["sandbox"] = True
    public_url = f"http://{args.host}:{args.port}"
    settings = Settings(**overrides)  # type: ignore[arg-type]
    if "public_url" not in settings.model_fields_set:
        settings.public_url = public_url
    server = server_options(settings, host=args.host, port=args.port)
    # Now, for what start-up logs before uvicorn applies the same configuration.
    logging.config.dictConfig(server["log_config"])
    if args.workers > 1:
        problem = _why_not_several_workers(settings)
        if problem:
            print(f"--workers {args.workers}: {problem}", file=sys.stderr)
            return 2
        _prepare_workers(settings)
        metrics_dir, made = _prepare_metrics_dir()
        _print_banner(settings, public_url)
        try:
            # Each worker builds its own app from the environment prepared above.
            uvicorn.run("trunkline.app:create_app", factory=True, workers=args.workers, **server)  # type: ignore[arg-type]
        finally:
            if made:
                shutil.rmtree(metrics_dir, ignore_errors=True)
        return 0
    _print_banner(settings, public_url)
    uvicorn.run(create_app(settings), **server)  # type: ignore[arg-type]
    return 0


def server_options(settings: Settings, *, host: str, port: int) -> dict[str, Any]:
    """uvicorn's options for ``settings``."""
    from trunkline.logs import log_config

    return {
        "host": host,
        "port": port,
        # uvicorn applies it in the server process and again in every worker it starts.
        "log_config": log_config(
            log_format=settings.effective_log_format, level=settings.log_level
        ),
        "log_level": settings.log_level.lower(),
        # The implementation the suite and bench/ run: uvicorn's "auto" picks the legacy one.
        "ws": "websockets-sansio",
        "ws_per_message_deflate": settings.ws_compression,
        # The server refuses a larger frame before buffering it; the app holds the same bound.
        "ws_max_size": settings.max_body_bytes,
    }


def _why_not_several_workers(settings: object) -> str | None:
    """Worker processes share only what lives outside them: PostgreSQL and Redis."""
    from trunkline.settings import Settings

    assert isinstance(settings, Settings)
    if not settings.redis_url:
        return "set TRUNKLINE_REDIS_URL: the in-process bus does not reach other processes"
    if settings.effective_database_url.startswith("sqlite"):
        return "set TRUNKLINE_DATABASE_URL to PostgreSQL: SQLite takes one writer at a time"
    if settings.sandbox:
        return "the sandbox keeps its state in one process; run it with one worker"
    return None


def _prepare_workers(settings: object) -> None:
    """Migrate once and settle generated secrets before the workers start side by side."""
    import os

    from trunkline.models.database import apply_migrations
    from trunkline.settings import Settings

    assert isinstance(settings, Settings)
    if settings.migrate_on_start:
        asyncio.run(apply_migrations(settings.effective_database_url))
    os.environ["TRUNKLINE_AUTO_MIGRATE"] = "false"
    os.environ.setdefault("TRUNKLINE_PUBLIC_URL", settings.public_url)
    # Read (or generate) the development secret and encryption key here, not in N racing workers.
    _ = settings.dev_secret, settings.fernet_keys


def _prepare_metrics_dir() -> tuple[Path, bool]:
    """The directory the workers write their metrics to, emptied; whether it was made here.

    Set before any worker starts (``prometheus_client`` reads it on import): each worker then
    keeps its values in files there and ``/metrics`` adds them up. An operator's
    ``PROMETHEUS_MULTIPROC_DIR`` is used as given; otherwise a fresh temporary one, removed when
    ``serve`` ends. Files left by an earlier run would be added in, so they are removed first.
    """
    import os
    import tempfile

    from trunkline.metrics import MULTIPROC_DIR_VARIABLE

    configured = os.environ.get(MULTIPROC_DIR_VARIABLE)
    if configured:
        directory = Path(configured)
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):
            stale.unlink()
        return directory, False
    directory = Path(tempfile.mkdtemp(prefix="trunkline-metrics-"))
    os.environ[MULTIPROC_DIR_VARIABLE] = str(directory)
    return directory, True


def _print_banner(settings: object, base: str) -> None:
    from trunkline.settings import Settings

    assert isinstance(settings, Settings)
    lines = [
        "Trunkline gateway",
        f"  GraphQL:     {base}/graphql"
        + ("  (GraphiQL in a browser)" if settings.is_development else ""),
        f"  WebSocket:   {base.replace('http', 'ws', 1)}/graphql  (graphql-transport-ws)",
        f"  Health:      {base}/healthz  {base}/readyz",
        f"  Metrics:     {base}/metrics"
        + ("  (bearer token: TRUNKLINE_METRICS_TOKEN)" if settings.metrics_token else ""),
        f"  Database:    {_redact(settings.effective_database_url)}",
        f"  Bus:         {'redis' if settings.redis_url else 'in-process'}",
    ]
    if settings.sandbox:
        lines.append(
            f"  Sandbox:     {base}/sandbox/twilio/...  control: {base}/sandbox/control/..."
        )
    if settings.is_development:
        lines += [
            "  Auth:        development tokens; mint one with",
            "               .venv/bin/trunkline token --org org_demo --sub user_1 --role admin",
            "               and send it as 'Authorization: Bearer <token>'",
        ]
    print("\n".join(lines), flush=True)


def _redact(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        credentials, _, host = rest.rpartition("@")
        user = credentials.split(":", 1)[0]
        return f"{scheme}{sep}{user}:***@{host}"
    return url


def _migrate(_: argparse.Namespace) -> int:
    from trunkline.models.database import apply_migrations
    from trunkline.settings import Settings

    applied = asyncio.run(apply_migrations(Settings().effective_database_url))
    print("\n".join(f"applied {version}" for version in applied) or "nothing to apply")
    return 0


def _token(args: argparse.Namespace) -> int:
    from trunkline.auth.tokens import mint_dev_token
    from trunkline.settings import Settings

    settings = Settings()
    secret = settings.dev_secret
    if secret is None:
        print("development auth is off (an Auth0 issuer is set)", file=sys.stderr)
        return 2
    print(
        mint_dev_token(
            secret,
            org_id=args.org,
            user_id=args.sub,
            roles=args.role or [],
            ttl_seconds=args.ttl,
            roles_claim=settings.roles_claim,
        )
    )
    return 0


def _database_password(args: argparse.Namespace) -> int:
    """Write the compose stack's PostgreSQL password: once, or from ``POSTGRES_PASSWORD``.

    ``DIR/postgres-password`` is what the postgres image reads (``POSTGRES_PASSWORD_FILE``) when
    it initialises its volume; ``DIR/pgpass`` is the same password for the gateway's driver
    (``PGPASSFILE``), so no URL, variable or log line carries it. A password already written is
    kept: PostgreSQL keeps the one it was initialised with.
    """
    import os
    import secrets

    directory = Path(args.dir)
    directory.mkdir(parents=True, exist_ok=True)
    raw = directory / "postgres-password"
    chosen = os.environ.get("POSTGRES_PASSWORD", "")
    if chosen:
        password = chosen
    elif raw.exists():
        password = raw.read_text().strip()
    else:
        password = secrets.token_urlsafe(32)
    # PostgreSQL's passfile format: host:port:database:user:password, ':' and '\' escaped.
    escaped = password.replace("\\", "\\\\").replace(":", "\\:")
    for path, text in ((raw, password), (directory / "pgpass", f"*:*:*:{args.user}:{escaped}")):
        # Owner-only: libpq and asyncpg ignore a passfile that others may read.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(text + "\n")
        path.chmod(0o600)
    print(f"database password {'set from POSTGRES_PASSWORD' if chosen else 'ready'} in {directory}")
    return 0


def _export_schema(args: argparse.Namespace) -> int:
    from trunkline.resolvers.root import export_sdl

    Path(args.output).write_text(export_sdl())
    print(f"wrote {args.output}")
    return 0


def _rotate_keys(_: argparse.Namespace) -> int:
    from trunkline.services.secrets import rotate_all_secrets
    from trunkline.settings import Settings

    count = asyncio.run(rotate_all_secrets(Settings()))
    print(f"re-encrypted {count} secret(s) under the newest key")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="trunkline", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the gateway")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--sandbox", action="store_true", help="mount and use the sandbox carrier")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes on one port (needs PostgreSQL and Redis)",
    )
    serve.set_defaults(handler=_serve)

    commands.add_parser("migrate", help="apply pending migrations").set_defaults(handler=_migrate)

    token = commands.add_parser("token", help="print a development access token")
    token.add_argument("--org", required=True, help="Auth0 organization id (the tenant)")
    token.add_argument("--sub", required=True, help="user id")
    token.add_argument("--role", action="append", help="a role; repeat for several")
    token.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds")
    token.set_defaults(handler=_token)

    rotate = commands.add_parser("rotate-keys", help="re-encrypt secrets under the newest key")
    rotate.set_defaults(handler=_rotate_keys)

    password = commands.add_parser(
        "database-password",
        help="write a PostgreSQL password file and passfile (the compose stack's; generated once)",
    )
    password.add_argument("--dir", required=True, help="where to write postgres-password, pgpass")
    password.add_argument("--user", default="trunkline", help="the database user")
    password.set_defaults(handler=_database_password)

    export = commands.add_parser("export-schema", help="write the GraphQL SDL")
    export.add_argument("--output", default=str(SCHEMA_FILE))
    export.set_defaults(handler=_export_schema)
    return parser


def main(argv: list[str] | None = None) -> int:
    from pydantic import ValidationError

    from trunkline.settings import settings_problems

    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except ValidationError as exc:
        # pydantic's own message quotes each refused value (a secret, for a secret setting):
        # one line per setting, naming its variable only, and no traceback.
        for problem in settings_problems(exc):
            print(f"trunkline: invalid setting {problem}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
