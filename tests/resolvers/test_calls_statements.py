"""A page of calls costs the same few SQL statements whatever its size: what its rows point at
(their numbers, their recordings) is loaded once per page, not once per row."""

from __future__ import annotations

from tests.resolvers.calling import reported_calls
from tests.resolvers.test_messages_statements import statements_sent
from tests.support.numbers import next_area_code
from tests.support.tenancy import Tenant

PAGE = """
query Page($first: Int) {
  calls(first: $first) {
    edges {
      node {
        id price { amount } startTime endTime number { phoneNumber ownerId }
        recordings { id status price { amount } url }
      }
    }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}
"""


async def test_a_page_of_one_and_a_page_of_fifty_calls_send_the_same_few_statements(
    tenant: Tenant, carrier: str, gateway: str
) -> None:
    # Given: 51 calls over two numbers, each with a recording.
    await tenant.connect_twilio(carrier)
    numbers = [
        await tenant.buy_any_number(area_code=next_area_code(), ownerId=f"auth0|agent-{n}")
        for n in range(2)
    ]
    for n, count in enumerate((26, 25)):
        await reported_calls(gateway, tenant, from_=numbers[n]["phoneNumber"], count=count)
    await tenant.execute(PAGE, {"first": 1}, as_="admin")  # the caller's tenant, now known

    # When: a page of 1, then of 50, each with its rows' numbers and recordings.
    with statements_sent() as one:
        small = await tenant.execute(PAGE, {"first": 1}, as_="admin")
    with statements_sent() as fifty:
        large = await tenant.execute(PAGE, {"first": 50}, as_="admin")

    # Then: the same statements, a handful: the page, its numbers, its recordings, the count.
    assert len(small["data"]["calls"]["edges"]) == 1
    edges = large["data"]["calls"]["edges"]
    assert len(edges) == 50
    assert large["data"]["calls"]["totalCount"] == 51
    assert {edge["node"]["number"]["ownerId"] for edge in edges} == {
        "auth0|agent-0",
        "auth0|agent-1",
    }
    assert all(len(edge["node"]["recordings"]) == 1 for edge in edges)
    assert {edge["node"]["price"]["amount"] for edge in edges} == {"0.02800"}
    assert len(one) == len(fifty) == 4, (one, fifty)
    assert [statement.split()[0:2] for statement in fifty].count(["SELECT", "COUNT(*)"]) == 1
