"""The sweep removes expired sign-in state and nothing live."""

from __future__ import annotations

from typing import Any

from service.auth.documents import RefreshSession
from service.auth.sweep import sweep_once
from service.core.clock import now_ms
from service.core.settings import Settings
from tests.conftest import unique


async def test_sweep_deletes_expired_refresh_sessions_only(app: Any, settings: Settings) -> None:
    now = now_ms()
    expired, live = unique("expired"), unique("live")
    for session_id, expires_at in ((expired, now - 1000), (live, now + 60_000)):
        await RefreshSession(
            id=session_id,
            account_id="x",
            token_digest="d",
            token_version=0,
            created=now,
            rotated=now,
            expires_at=expires_at,
        ).insert()
    await sweep_once(settings)
    assert await RefreshSession.get(expired) is None
    assert await RefreshSession.get(live) is not None
