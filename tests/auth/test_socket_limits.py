"""One socket may hold only so many subscriptions at once."""

from __future__ import annotations

import json

from tests.support.graphql import ws_connect, ws_init
from tests.support.identity import IdentityProvider
from trunkline.settings import Settings

ACTIVITY = "subscription { activity { cursor kind } }"


async def test_subscription_beyond_the_per_socket_cap_is_refused(
    gateway: str, identity: IdentityProvider, settings: Settings, unique_org: str
) -> None:
    token = identity.token(org=unique_org, roles=["admin"])
    cap = settings.max_subscriptions_per_socket
    async with ws_connect(gateway) as socket:
        await ws_init(socket, {"Authorization": f"Bearer {token}"})
        for n in range(cap + 1):
            await socket.send(
                json.dumps({"id": str(n), "type": "subscribe", "payload": {"query": ACTIVITY}})
            )

        refusal = json.loads(await socket.recv())

    # The first `cap` subscriptions are live and silent (nothing happened); the next is refused.
    assert refusal == {
        "id": str(cap),
        "type": "error",
        "payload": [{"message": "Subscription limit reached"}],
    }
