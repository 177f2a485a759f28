"""The MongoDB connection (PyMongo's async client) and Beanie's document registry."""

from __future__ import annotations

from typing import Any

from beanie import init_beanie
from pymongo import AsyncMongoClient

from service.core.settings import Settings


def document_models() -> list[type[Any]]:
    from service.accounts.documents import Account
    from service.auth.documents import LoginCounter, RefreshSession
    from service.oauth.documents import OAuthProvider
    from service.organisations.documents import Organisation, TreeVersion
    from service.systems.documents import System

    return [Account, Organisation, TreeVersion, System, OAuthProvider, RefreshSession, LoginCounter]


def connect(settings: Settings) -> AsyncMongoClient[Any]:
    return AsyncMongoClient(
        settings.mongodb_uri,
        tz_aware=True,
        serverSelectionTimeoutMS=5000,
        connectTimeoutMS=5000,
        appname="accounts-service",
    )


async def init_database(client: AsyncMongoClient[Any], settings: Settings) -> None:
    """Register the documents and create their indexes (idempotent)."""
    await init_beanie(database=client[settings.mongodb_database], document_models=document_models())


async def database_is_up(client: AsyncMongoClient[Any]) -> bool:
    try:
        await client.admin.command("ping")
    except Exception:
        return False
    return True
