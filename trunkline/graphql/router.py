"""The GraphQL endpoint: HTTP for queries and mutations, graphql-transport-ws for subscriptions."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

import cross_web
import strawberry
from fastapi import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.exceptions import ConnectionRejectionError
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLRequestData
from strawberry.http.async_base_view import AsyncHTTPRequestAdapter
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET, UnsetType
from tortoise.exceptions import BaseORMException

from trunkline.auth.errors import AuthenticationError
from trunkline.auth.principal import Principal
from trunkline.gateway import Gateway
from trunkline.graphql.bearer import authenticate
from trunkline.graphql.context import Context
from trunkline.graphql.delivery import GatewayTransportWSHandler
from trunkline.graphql.ide import offline_graphiql_html
from trunkline.graphql.requests import decode_json, error_response
from trunkline.graphql.sharing import encode_message
from trunkline.logs import bind_caller

logger = logging.getLogger(__name__)


def _bind(principal: Principal | None) -> None:
    """Who is calling, on every line logged for the request (or the socket) from here on."""
    if principal is not None:
        bind_caller(org=principal.org_id, tenant=principal.tenant_id, user=principal.user_id)


class GatewayGraphQLRouter(GraphQLRouter[Context, None]):
    """strawberry's router, with the gateway's authentication and its reading of requests.

    - WebSocket clients authenticate in ``connection_init`` (payload ``Authorization``).
    - Request documents are decoded by :func:`trunkline.graphql.requests.decode_json` (UTF-8,
      bounded depth); an HTTP body must be a JSON object (a list is a batch, which strawberry
      refuses); every refusal is a GraphQL-shaped error (the body's size is bounded before it
      gets here: :class:`trunkline.graphql.requests.GraphQLBodyLimit`).
    """

    graphql_transport_ws_handler_class = GatewayTransportWSHandler

    def __init__(self, gateway: Gateway, *, schema: strawberry.Schema) -> None:
        settings = gateway.settings
        self.gateway = gateway

        async def context_getter(connection: HTTPConnection) -> Context:
            return await self.context_for(connection)

        super().__init__(
            schema,
            context_getter=context_getter,
            graphql_ide="graphiql" if settings.is_development else None,
            allow_queries_via_get=False,
            # Only graphql-transport-ws: the legacy protocol let clients skip connection_init.
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=10),
            max_subscriptions_per_connection=settings.max_subscriptions_per_socket,
        )

    @property
    def graphql_ide_html(self) -> str:
        # strawberry's page loads GraphiQL from a CDN; without internet it stayed at "Loading...".
        return offline_graphiql_html()

    def encode_json(self, data: object) -> str | bytes:
        # A subscription result shared by identical subscriptions was encoded once: each
        # subscription's message only wraps it in its own id.
        encoded = encode_message(data)
        return encoded if encoded is not None else super().encode_json(data)

    async def run(  # type: ignore[override]  # one signature for strawberry's two overloads
        self,
        request: Request | WebSocket,
        context: Context | UnsetType = UNSET,
        root_value: UnsetType | None = UNSET,
    ) -> Response | WebSocket:
        try:
            return await super().run(request, context=context, root_value=root_value)
        except cross_web.HTTPException as exc:
            # strawberry answers these in plain text; a GraphQL client reads `errors`.
            return error_response(exc.status_code, exc.reason)

    def decode_json(self, data: str | bytes) -> object:
        return decode_json(data)

    def parse_json(self, data: str | bytes) -> Any:
        # GET queries and multipart uploads are off: only request bodies are parsed here.
        try:
            value = decode_json(data)
        except json.JSONDecodeError as exc:
            reason = f"Request body is not valid JSON: {exc.msg}"
            raise cross_web.HTTPException(400, reason) from None
        if not isinstance(value, dict | list):
            raise cross_web.HTTPException(400, "Request body must be a JSON object")
        return value

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        data = await super().parse_http_body(request)
        # strawberry checks the types of `query`, `variables` and `extensions`, not this one.
        if isinstance(data, GraphQLRequestData) and not isinstance(data.operation_name, str | None):
            reason = (
                "The GraphQL operation's `operationName` must be a string or null, if provided."
            )
            raise cross_web.HTTPException(400, reason)
        return data

    async def context_for(self, connection: HTTPConnection) -> Context:
        context = Context(gateway=self.gateway)
        if connection.scope["type"] == "websocket":
            # Browsers cannot set headers on a WebSocket: the token comes in connection_init.
            return context
        authorization = connection.headers.get("authorization")
        try:
            context.principal = await authenticate(
                self.gateway.verifier, authorization, tenants=self.gateway.tenants
            )
        except AuthenticationError as exc:
            # The client learns only UNAUTHENTICATED; why is for the operator.
            logger.info("rejected access token: %s", exc.reason)
        except BaseORMException as exc:
            logger.error("tenant lookup failed: %s", exc)
            raise HTTPException(status_code=503, detail="database unavailable") from exc
        _bind(context.principal)
        return context

    async def serve_websocket(self, websocket: WebSocket) -> None:
        """Serve a GraphQL WebSocket handed over without FastAPI's routing (see app.GatewayApp)."""
        context = await self.context_for(websocket)
        context.request = websocket  # what FastAPI's dependency would have set
        await self.run(request=websocket, context=context, root_value=None)

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, Any] | None:
        params = context.connection_params
        authorization = None
        if isinstance(params, dict):
            value = params.get("Authorization", params.get("authorization"))
            authorization = value if isinstance(value, str) else None
        try:
            principal = await authenticate(
                self.gateway.verifier, authorization, tenants=self.gateway.tenants
            )
        except AuthenticationError as exc:
            logger.info("rejected WebSocket token: %s", exc.reason)
            raise ConnectionRejectionError() from exc
        if principal is None:
            raise ConnectionRejectionError()
        context.principal = principal
        _bind(principal)
        # The principal is all that is needed from here on; the raw token (a kilobyte per socket)
        # need not live as long as the socket.
        context.connection_params = None
        return UNSET
