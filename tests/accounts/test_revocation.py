"""Old tokens stop working after a password change or reset, a disable, a revoke, a permission
change; an unrelated change leaves them alone."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from service.core.settings import Settings
from tests.accounts.conftest import Orgs
from tests.accounts.helpers import (
    NEW_PASSWORD,
    PASSWORD,
    Api,
    account_body,
    created,
    grants,
    reset_otps,
)
from tests.conftest import bearer, login


@pytest.fixture
async def session(client: httpx.AsyncClient, su_token: str, orgs: Orgs) -> dict[str, Any]:
    """An account with permissions, signed in: its id, username, token and refresh token."""
    body = account_body(orgs.a, permissions=grants(accounts="Read"))
    account = await created(client, su_token, body)
    auth = await login(client, body["username"], PASSWORD)
    return {"id": account["id"], "username": body["username"], "token": auth["token"],
            "refresh_token": auth["refresh_token"]}


async def _token_works(client: httpx.AsyncClient, token: str) -> bool:
    response = await client.get("/accounts/me", headers=bearer(token))
    assert response.status_code in (200, 401)
    return response.status_code == 200


async def _refresh_works(client: httpx.AsyncClient, refresh_token: str) -> bool:
    response = await client.post("/accounts/refresh", json={"token": refresh_token})
    assert response.status_code in (200, 401)
    return response.status_code == 200


async def test_password_change_ends_the_old_tokens(
    api: Api, client: httpx.AsyncClient, session: dict[str, Any]
) -> None:
    assert (await api.change_password(session["token"], PASSWORD, NEW_PASSWORD)).status == 200
    assert not await _token_works(client, session["token"])
    assert not await _refresh_works(client, session["refresh_token"])
    fresh = await login(client, session["username"], NEW_PASSWORD)
    assert await _token_works(client, fresh["token"])


async def test_password_reset_ends_the_old_tokens(
    api: Api, client: httpx.AsyncClient, session: dict[str, Any], settings: Settings
) -> None:
    await api.request_reset(session["username"])
    [otp] = await reset_otps(settings, session["id"])
    assert (await api.confirm_reset(session["username"], otp, NEW_PASSWORD)).status == 200
    assert not await _token_works(client, session["token"])
    assert not await _refresh_works(client, session["refresh_token"])


async def test_disable_ends_the_old_tokens(
    api: Api, client: httpx.AsyncClient, su_token: str, session: dict[str, Any]
) -> None:
    assert (await api.action(su_token, "disable", session["id"])).status == 200
    assert not await _token_works(client, session["token"])
    assert not await _refresh_works(client, session["refresh_token"])


async def test_tokens_issued_before_a_disable_stay_dead_after_enable(
    api: Api, client: httpx.AsyncClient, su_token: str, session: dict[str, Any]
) -> None:
    await api.action(su_token, "disable", session["id"])
    await api.action(su_token, "enable", session["id"])
    assert not await _token_works(client, session["token"])
    assert not await _refresh_works(client, session["refresh_token"])


async def test_revoke_ends_the_old_tokens_but_not_new_logins(
    api: Api, client: httpx.AsyncClient, su_token: str, session: dict[str, Any]
) -> None:
    assert (await api.action(su_token, "revoke", session["id"])).status == 200
    assert not await _token_works(client, session["token"])
    assert not await _refresh_works(client, session["refresh_token"])
    fresh = await login(client, session["username"], PASSWORD)
    assert await _token_works(client, fresh["token"])


async def test_permission_change_ends_the_old_tokens(
    api: Api, client: httpx.AsyncClient, su_token: str, session: dict[str, Any]
) -> None:
    outcome = await api.update(su_token, {"id": session["id"],
                                          "permissions": grants(accounts="Write")})
    assert outcome.status == 200
    assert not await _token_works(client, session["token"])
    assert not await _refresh_works(client, session["refresh_token"])


async def test_org_unit_change_ends_the_old_tokens(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs, session: dict[str, Any]
) -> None:
    outcome = await api.update(su_token, {
        "id": session["id"], "org_unit": {"org_id": orgs.a1, "unit_id": None, "org_list": []},
    })
    assert outcome.status == 200
    assert not await _token_works(client, session["token"])


async def test_admin_setting_the_password_ends_the_old_tokens(
    api: Api, client: httpx.AsyncClient, su_token: str, session: dict[str, Any]
) -> None:
    assert (await api.update(su_token, {"id": session["id"],
                                        "password": NEW_PASSWORD})).status == 200
    assert not await _token_works(client, session["token"])


async def test_contacts_change_keeps_the_tokens(
    api: Api, client: httpx.AsyncClient, su_token: str, session: dict[str, Any]
) -> None:
    outcome = await api.update(su_token, {"id": session["id"], "contacts": {"x": "y"}})
    assert outcome.status == 200
    assert await _token_works(client, session["token"])
    assert await _refresh_works(client, session["refresh_token"])


async def test_echoed_unchanged_permissions_keep_the_tokens(
    api: Api, client: httpx.AsyncClient, su_token: str, session: dict[str, Any]
) -> None:
    outcome = await api.update(su_token, {"id": session["id"],
                                          "permissions": grants(accounts="Read")})
    assert outcome.status == 200
    assert await _token_works(client, session["token"])
