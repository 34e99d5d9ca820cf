"""``schema.graphql`` is the exported SDL; the suite fails when it drifts from the code."""

from __future__ import annotations

from pathlib import Path

from trunkline.resolvers.root import export_sdl

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_checked_in_schema_matches_the_code() -> None:
    assert SCHEMA_FILE.read_text() == export_sdl(), (
        "schema.graphql is stale: run `make schema` (trunkline export-schema) and commit it"
    )
