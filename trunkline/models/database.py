"""Opening the database, and applying migrations (aerich) on SQLite and PostgreSQL alike."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import asyncpg
from aerich import Command
from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.context import TortoiseContext

logger = logging.getLogger(__name__)

APP = "models"
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
MODEL_MODULES = ["trunkline.models", "aerich.models"]


def tortoise_config(database_url: str) -> dict[str, Any]:
    """Tortoise configuration for one database URL (``sqlite://...`` or ``postgres://...``)."""
    return {
        "connections": {"default": _normalise_url(database_url)},
        "apps": {APP: {"models": MODEL_MODULES, "default_connection": "default"}},
        "use_tz": True,
        "timezone": "UTC",
    }


def _normalise_url(url: str) -> str:
    # SQLAlchemy and libpq spellings are common in .env files; Tortoise knows only its own.
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres+asyncpg://"):
        if url.startswith(prefix):
            return "postgres://" + url[len(prefix) :]
    return url


def ensure_sqlite_directory(database_url: str) -> None:
    """Create the folder a SQLite file lives in (the embedded default's ``./var``)."""
    if database_url.startswith("sqlite://") and ":memory:" not in database_url:
        Path(database_url.removeprefix("sqlite://")).parent.mkdir(parents=True, exist_ok=True)


async def open_database(database_url: str) -> None:
    """Initialise Tortoise for this process; queries from any task see it."""
    ensure_sqlite_directory(database_url)
    config = tortoise_config(database_url)
    connection = expand_db_url(config["connections"]["default"])
    if connection["engine"] == "tortoise.backends.asyncpg":
        connection["credentials"]["reset"] = _keep_session
        # asyncpg prepares each statement once per pooled connection (for up to five minutes);
        # after five executions PostgreSQL may switch it to a generic plan, chosen for the
        # tables as they were then. On a new deployment that is empty tables: the status
        # callbacks' look-up by sid became a seq scan and stayed one while ``message`` grew
        # (batches from 5 to 15 ms within twenty seconds). Planning each execution costs
        # PostgreSQL a little CPU per statement instead, and no plan outlives its tables.
        connection["credentials"]["server_settings"] = {"plan_cache_mode": "force_custom_plan"}
    config["connections"]["default"] = connection
    await Tortoise.init(config=config, _enable_global_fallback=True)


async def _keep_session(connection: asyncpg.Connection) -> None:
    """Return a connection to the pool as it is: asyncpg's own reset costs a round trip.

    That reset (advisory locks, cursors, LISTEN, settings) undoes session state Trunkline never
    leaves behind (the retention run unlocks its advisory lock itself), and every release paid
    for it: the ingestion writer, one statement per batch, waited for two round trips instead
    of one. asyncpg still rolls back an open transaction.
    """


async def close_database() -> None:
    await Tortoise.close_connections()


async def apply_migrations(database_url: str) -> list[str]:
    """Apply pending migrations; returns the versions applied. Tortoise must not be open yet."""
    ensure_sqlite_directory(database_url)
    command = Command(
        tortoise_config=tortoise_config(database_url), app=APP, location=str(MIGRATIONS_DIR)
    )
    # A context of its own: aerich's connections close with it and never leak into the app's.
    async with TortoiseContext(), command:
        applied = await command.upgrade(run_in_transaction=True)
    for version in applied:
        logger.info("applied migration %s", version)
    return applied


def _aerich_config() -> dict[str, Any]:
    # For the `aerich` CLI when writing a new migration (see README, "Migrations").
    from trunkline.settings import Settings

    return tortoise_config(Settings().effective_database_url)


def __getattr__(name: str) -> Any:
    if name == "AERICH_CONFIG":
        return _aerich_config()
    raise AttributeError(name)
