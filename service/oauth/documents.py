"""OAuth/OIDC provider configurations; the client secret is kept encrypted."""

from __future__ import annotations

import pymongo
from beanie import Document
from pymongo import IndexModel

from service.core.outbox import OutboxFields


class OAuthProvider(Document, OutboxFields):
    id: str  # type: ignore[assignment]
    owner: str
    client_id: str
    client_secret_sealed: str
    client_secret_hint: str
    issuer_url: str
    token_url: str
    jwk_url: str
    redirect_url: str
    frontend_url: str
    created: int
    updated: int

    class Settings:
        name = "oauth_providers"
        indexes = [IndexModel([("pending_events.0.id", pymongo.ASCENDING)], name="outbox_pending")]
