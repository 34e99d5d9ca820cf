"""Authentication over graphql-transport-ws: the token travels in connection_init."""

from __future__ import annotations

import json
import time

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus, NegotiationError

from tests.support.graphql import ws_connect, ws_execute, ws_init
from tests.support.identity import IdentityProvider, hs256_with_public_key

FORBIDDEN_CLOSE = 4403  # graphql-transport-ws: connection_init rejected


async def test_valid_token_is_acknowledged_and_can_query(
    gateway: str, identity: IdentityProvider, unique_org: str
) -> None:
    token = identity.token(org=unique_org, roles=["admin"])
    async with ws_connect(gateway) as socket:
        ack = await ws_init(socket, {"Authorization": f"Bearer {token}"})
        reply = await ws_execute(socket, "1", "{ me { orgId roles } }")

    assert ack == {"type": "connection_ack"}
    assert reply["type"] == "next"
    assert reply["payload"]["data"]["me"] == {"orgId": unique_org, "roles": ["admin"]}


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(None, id="no payload"),
        pytest.param({}, id="no Authorization"),
        pytest.param({"Authorization": "Bearer not-a-jwt"}, id="malformed"),
        pytest.param({"Authorization": 12345}, id="not a string"),
        pytest.param("expired", id="expired"),
        pytest.param("forged", id="key confusion"),
    ],
)
async def test_bad_connection_init_closes_the_socket_with_4403(
    gateway: str, identity: IdentityProvider, payload: object
) -> None:
    now = int(time.time())
    if payload == "expired":
        payload = {"Authorization": f"Bearer {identity.token(iat=now - 7200, exp=now - 3600)}"}
    elif payload == "forged":
        forged = hs256_with_public_key(identity.claims(roles=["admin"]), identity.keys[0])
        payload = {"Authorization": f"Bearer {forged}"}
    message: dict[str, object] = {"type": "connection_init"}
    if payload is not None:
        message["payload"] = payload
    async with ws_connect(gateway) as socket:
        await socket.send(json.dumps(message))
        with pytest.raises(ConnectionClosed) as closed:
            await socket.recv()

    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == FORBIDDEN_CLOSE


async def test_subscribe_before_connection_init_closes_with_4401(gateway: str) -> None:
    async with ws_connect(gateway) as socket:
        await socket.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": "{ me { orgId } }"}})
        )
        with pytest.raises(ConnectionClosed) as closed:
            await socket.recv()

    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4401


async def test_legacy_graphql_ws_protocol_is_refused(gateway: str) -> None:
    with pytest.raises((InvalidStatus, NegotiationError, ConnectionClosed)):
        async with ws_connect(gateway, subprotocol="graphql-ws") as socket:
            await ws_init(socket, {})
