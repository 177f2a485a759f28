"""Sign-in state: refresh-token families and login-failure counters."""

from __future__ import annotations

import pymongo
from beanie import Document
from pymongo import IndexModel


class RefreshSession(Document):
    """One login's family of refresh tokens; only the current token's digest is kept.

    Rotation matches the presented digest atomically, so of two refreshes with the same
    token only one wins; a known family presented with a retired token is reuse, and the
    whole family is revoked.
    """

    id: str  # type: ignore[assignment]
    account_id: str
    token_digest: str
    token_version: int
    created: int
    rotated: int
    expires_at: int
    revoked: bool = False

    class Settings:
        name = "refresh_sessions"
        indexes = [
            IndexModel([("account_id", pymongo.ASCENDING)], name="account"),
            IndexModel([("expires_at", pymongo.ASCENDING)], name="expiry"),
        ]


class LoginCounter(Document):
    """Failures in a window for one key (``pair:<user>|<addr>``, ``user:<u>``, ``addr:<a>``)."""

    id: str  # type: ignore[assignment]
    failures: int = 0
    window_start: int = 0
    locked_until: int = 0

    class Settings:
        name = "login_counters"
