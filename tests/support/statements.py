"""Counting the SQL statements the gateway sends: it runs in the tests' process and event loop."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient


class StatementCounter:
    """Counts the SQL statements the gateway sends (it runs in this process and event loop)."""

    METHODS = ("execute_query", "execute_query_dict", "execute_insert", "execute_many")

    def __init__(self) -> None:
        self.statements: list[str] = []

    @contextmanager
    def counting(self, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
        self.statements = []
        client_type: type[BaseDBAsyncClient] = type(connections.get("default"))
        for name in self.METHODS:
            original = getattr(client_type, name)

            async def counted(
                client: Any, query: str, *args: Any, _original: Any = original, **kwargs: Any
            ) -> Any:
                self.statements.append(query)
                return await _original(client, query, *args, **kwargs)

            monkeypatch.setattr(client_type, name, counted)
        try:
            yield self.statements
        finally:
            monkeypatch.undo()
