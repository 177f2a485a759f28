"""The ASGI application: REST compatibility routes, GraphQL, health and metrics."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    GCCollector,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from strawberry.fastapi import GraphQLRouter

from rest_compat import routers
from rest_compat.dependencies import client_address
from rest_compat.errors import install_error_handlers
from service.auth.service import caller_from_token
from service.auth.sweep import sweep_forever
from service.bootstrap import BootstrapReport, bootstrap
from service.core.database import connect, database_is_up, init_database
from service.core.graphql import RequestContext
from service.core.http_limits import BodyLimits
from service.core.relay import OutboxRelay
from service.core.settings import Settings
from service.dependencies import Dependencies
from service.schema import build_schema

logger = logging.getLogger("service")


def _graphql_router(settings: Settings) -> GraphQLRouter[Any, Any]:
    async def context_getter(request: Request) -> RequestContext:
        deps: Dependencies = request.app.state.deps

        async def authenticate(token: str) -> Any:
            return await caller_from_token(deps=deps, token=token)

        return RequestContext(
            deps=deps,
            client_address=client_address(request),
            authorization=request.headers.get("authorization"),
            authenticate=authenticate,
        )

    return GraphQLRouter(
        build_schema(settings),
        context_getter=context_getter,
        graphql_ide="graphiql" if settings.graphiql_enabled else None,
        allow_queries_via_get=False,
    )


def _metrics_registry() -> CollectorRegistry:
    """The app's own registry (no module-level metrics): process metrics plus the relay's."""
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)
    return registry


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client = connect(settings)
        await init_database(client, settings)
        deps = Dependencies.build(settings)
        registry = _metrics_registry()
        relay = OutboxRelay(
            settings, deps.cipher, registry, database=client[settings.mongodb_database]
        )
        app.state.metrics_registry = registry
        deps.wake_outbox = relay.wake
        app.state.deps = deps
        app.state.mongo = client
        app.state.relay = relay
        app.state.bootstrap = await bootstrap(deps)
        await relay.start()
        sweeper = asyncio.create_task(sweep_forever(settings))
        try:
            yield
        finally:
            sweeper.cancel()
            await relay.stop()
            await client.close()

    app = FastAPI(
        title="Accounts service",
        version="0.1.0",
        description="Legacy REST API; GraphQL at /graphql is the primary API.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.add_middleware(BodyLimits, max_batch=settings.graphql_max_batch)
    for router in routers.ALL:
        app.include_router(router)
    app.include_router(_graphql_router(settings), prefix="/graphql", include_in_schema=False)

    @app.get("/health/live", include_in_schema=False)
    async def live() -> dict[str, str]:
        return {"status": "live"}

    @app.get("/health/ready", include_in_schema=False)
    async def ready(request: Request) -> JSONResponse:
        database = await database_is_up(request.app.state.mongo)
        broker = request.app.state.relay.broker_up
        body = {
            "status": "ready" if database else "unready",
            "checks": {
                "database": "up" if database else "down",
                "broker": "up" if broker else "down",
            },
        }
        return JSONResponse(body, status_code=200 if database else 503)

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> PlainTextResponse:
        registry = request.app.state.metrics_registry
        return PlainTextResponse(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return app


def bootstrap_report(app: FastAPI) -> BootstrapReport:
    return app.state.bootstrap  # type: ignore[no-any-return]
