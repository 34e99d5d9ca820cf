"""``trunkline database-password``: the compose stack's PostgreSQL password, never in a URL."""

from __future__ import annotations

from pathlib import Path

from tests.support.processes import TRUNKLINE, environment_without_trunkline, run_command


async def _run(directory: Path, **env: str) -> str:
    finished = await run_command(
        [TRUNKLINE, "database-password", "--dir", str(directory), "--user", "trunkline"],
        env=environment_without_trunkline(**env),
        cwd=directory.parent,
    )
    assert finished.returncode == 0, finished.stderr
    return finished.stdout + finished.stderr


async def test_a_password_is_generated_once_and_kept(tmp_path: Path) -> None:
    directory = tmp_path / "secrets"

    await _run(directory, POSTGRES_PASSWORD="")  # empty: unset, as compose passes it
    first = (directory / "postgres-password").read_text()
    output = await _run(directory)

    assert (directory / "postgres-password").read_text() == first
    assert len(first.strip()) >= 32
    assert first.strip() not in output
    for name in ("postgres-password", "pgpass"):
        assert (directory / name).stat().st_mode & 0o777 == 0o600


async def test_a_chosen_password_is_written_escaped_for_the_passfile(tmp_path: Path) -> None:
    directory = tmp_path / "secrets"
    chosen = r"pa:ss\word"

    output = await _run(directory, POSTGRES_PASSWORD=chosen)

    assert (directory / "postgres-password").read_text() == chosen + "\n"
    # PostgreSQL's passfile format escapes ':' and '\' inside a field.
    assert (directory / "pgpass").read_text() == "*:*:*:trunkline:pa\\:ss\\\\word\n"
    assert chosen not in output
