"""Test harness: the app runs in-process against the real local FerretDB and Kafka.

``make test`` starts both (scripts/local-servers.sh, profile ``test``); each session uses
its own database and topics, so runs never see each other's data.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from service.app import create_app
from service.core.settings import Settings, load_settings

RUN_ID = uuid.uuid4().hex[:10]
BOOTSTRAP_USERNAME = "admin"
BOOTSTRAP_PASSWORD = "Bootstrap-Password-1"
MONGODB_URI = os.environ.get("ACCOUNTS_MONGODB_URI", "mongodb://127.0.0.1:27117/")
KAFKA_SERVERS = os.environ.get("ACCOUNTS_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092")


def make_settings(tmp: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "env": "test",
        "mongodb_uri": MONGODB_URI,
        "mongodb_database": f"accounts_test_{RUN_ID}",
        "kafka_bootstrap_servers": KAFKA_SERVERS,
        "events_topic": f"accounts.events.{RUN_ID}",
        "notifications_topic": f"accounts.notifications.{RUN_ID}",
        "jwt_secret": "test-signing-secret-" + "s" * 32,
        "data_key": "test-data-key-" + "k" * 32,
        "bcrypt_rounds": 4,
        "bootstrap_username": BOOTSTRAP_USERNAME,
        "bootstrap_password": BOOTSTRAP_PASSWORD,
        "data_dir": tmp,
        "outbox_poll_seconds": 0.2,
    }
    values.update(overrides)
    return load_settings(**values)


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_settings(tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application
        await application.state.mongo.drop_database(settings.mongodb_database)


@pytest.fixture(scope="session")
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture(scope="session")
def deps(app: FastAPI) -> Any:
    return app.state.deps


async def login(client: httpx.AsyncClient, username: str, password: str) -> dict[str, Any]:
    response = await client.post(
        "/accounts/auth", json={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
async def admin_auth(client: httpx.AsyncClient) -> dict[str, Any]:
    return await login(client, BOOTSTRAP_USERNAME, BOOTSTRAP_PASSWORD)


@pytest.fixture(scope="session")
def su_token(admin_auth: dict[str, Any]) -> str:
    """The bootstrap SuperUser's access token."""
    return str(admin_auth["token"])


@dataclass
class Admin:
    """An account made for a test, with its access token."""

    account: dict[str, Any]
    token: str

    @property
    def id(self) -> str:
        return str(self.account["id"])


@pytest.fixture(scope="session")
def admin_headers(admin_auth: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {admin_auth['token']}"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def graphql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    token: str | None = None,
) -> dict[str, Any]:
    headers = bearer(token) if token else {}
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"
