"""A page of messages costs the same few SQL statements whatever its size: what its rows point at
(their numbers) is loaded once per page, not once per row.

Statements are counted at the database client: tortoise writes every statement it sends to the
``tortoise.db_client`` logger (at DEBUG), whichever backend runs it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from tests.resolvers.messaging import texts_stored
from tests.support.tenancy import Tenant

PAGE = """
query Page($first: Int) {
  messages(first: $first) {
    edges { node { id from number { phoneNumber ownerId } } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}
"""
STATEMENT_VERBS = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")


class StatementLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().lstrip()
        if message.upper().startswith(STATEMENT_VERBS):
            self.statements.append(message)


@contextmanager
def statements_sent() -> Iterator[list[str]]:
    """The statements sent to the database while inside."""
    logger = logging.getLogger("tortoise.db_client")
    handler = StatementLog()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler.statements
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


async def test_a_page_of_one_and_a_page_of_a_hundred_send_the_same_few_statements(
    tenant: Tenant, carrier: str, gateway: str
) -> None:
    # Given: 101 messages over three numbers of three owners.
    await tenant.connect_twilio(carrier)
    numbers = [
        await tenant.buy_any_number(area_code=area_code, ownerId=f"auth0|agent-{n}")
        for n, area_code in enumerate(("206", "312", "512"))
    ]
    await texts_stored(
        gateway,
        carrier,
        tenant,
        [{"to": numbers[n % 3]["phoneNumber"], "sender": f"+1415555{n:04d}"} for n in range(101)],
    )
    await tenant.execute(PAGE, {"first": 1}, as_="admin")  # the caller's tenant, now known

    # When: a page of 1, then of 100, each with its rows' numbers.
    with statements_sent() as one:
        small = await tenant.execute(PAGE, {"first": 1}, as_="admin")
    with statements_sent() as hundred:
        large = await tenant.execute(PAGE, {"first": 100}, as_="admin")

    # Then: the same statements, a handful: the page, its numbers, the count.
    assert len(small["data"]["messages"]["edges"]) == 1
    edges = large["data"]["messages"]["edges"]
    assert len(edges) == 100
    assert large["data"]["messages"]["totalCount"] == 101
    owners = {edge["node"]["number"]["ownerId"] for edge in edges}
    assert owners == {f"auth0|agent-{n}" for n in range(3)}
    assert all(
        edge["node"]["number"]["phoneNumber"] in {n["phoneNumber"] for n in numbers}
        for edge in edges
    )
    assert len(one) == len(hundred) == 3, (one, hundred)
    assert [statement.split()[0:2] for statement in hundred].count(["SELECT", "COUNT(*)"]) == 1
