"""The ASGI application: GraphQL (HTTP + graphql-transport-ws), health, webhooks, the sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from trunkline.auth import TokenVerifier
from trunkline.events import create_bus
from trunkline.health import health_router
from trunkline.models.database import apply_migrations, close_database, open_database
from trunkline.schema.context import Gateway
from trunkline.schema.router import GatewayGraphQLRouter
from trunkline.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the gateway for ``settings`` (the embedded default when None)."""
    settings = settings or Settings()
    gateway = Gateway(
        settings=settings, verifier=TokenVerifier(settings), bus=create_bus(settings.redis_url)
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            database_url = settings.effective_database_url
            if settings.migrate_on_start:
                await apply_migrations(database_url)
            await open_database(database_url)
            stack.push_async_callback(close_database)
            await gateway.bus.start()
            stack.push_async_callback(gateway.bus.close)
            yield

    app = FastAPI(
        title="Trunkline",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json" if settings.is_development else None,
    )
    app.state.gateway = gateway
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origin_list,
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type"],
    )
    app.include_router(GatewayGraphQLRouter(gateway), prefix="/graphql")
    app.include_router(health_router(gateway))
    return app
