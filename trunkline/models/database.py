"""Opening the database, and applying migrations (aerich) on SQLite and PostgreSQL alike."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from aerich import Command
from tortoise import Tortoise
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
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)


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
