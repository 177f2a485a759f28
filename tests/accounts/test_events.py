"""Every account change is published on the events topic, with public fields only."""

from __future__ import annotations

from typing import Any

import httpx

from service.core.settings import Settings
from tests.accounts.conftest import Orgs
from tests.accounts.helpers import (
    NEW_PASSWORD,
    PASSWORD,
    account_body,
    account_events,
    created,
    reset_otps,
    topic_events,
)
from tests.conftest import bearer, login

PUBLIC_FIELDS = {
    "id", "account_type", "system_id", "username", "org_unit", "org_bound", "permissions",
    "enabled", "trusted", "created_on", "last_logged_in", "contacts", "oauth_sub",
    "oauth_provider_id", "actor_id",
}


async def test_created_event_holds_the_public_fields_and_the_actor(
    client: httpx.AsyncClient, su_token: str, admin_auth: dict[str, Any], orgs: Orgs,
    settings: Settings,
) -> None:
    account = await created(client, su_token, account_body(orgs.a))
    event = await account_events(settings, account["id"], "accounts.account.created")
    assert set(event["data"]) == PUBLIC_FIELDS
    assert event["data"]["username"] == account["username"]
    assert event["data"]["actor_id"] == admin_auth["properties"]["account_id"]
    assert event["specversion"] == "1.0"


async def test_updated_event_holds_the_fields_after_the_change(
    client: httpx.AsyncClient, su_token: str, orgs: Orgs, settings: Settings
) -> None:
    account = await created(client, su_token, account_body(orgs.a))
    await client.put("/accounts", json={"id": account["id"], "contacts": {"k": "v"}},
                     headers=bearer(su_token))
    event = await account_events(settings, account["id"], "accounts.account.updated")
    assert event["data"]["contacts"] == {"k": "v"}


async def test_disable_and_enable_publish_their_events(
    client: httpx.AsyncClient, su_token: str, orgs: Orgs, settings: Settings
) -> None:
    account = await created(client, su_token, account_body(orgs.a))
    await client.post(f"/accounts/{account['id']}/disable", headers=bearer(su_token))
    await client.post(f"/accounts/{account['id']}/enable", headers=bearer(su_token))
    disabled = await account_events(settings, account["id"], "accounts.account.disabled")
    enabled = await account_events(settings, account["id"], "accounts.account.enabled")
    assert disabled["data"]["enabled"] is False
    assert enabled["data"]["enabled"] is True


async def test_password_changed_event_carries_no_password(
    client: httpx.AsyncClient, su_token: str, orgs: Orgs, settings: Settings
) -> None:
    body = account_body(orgs.a)
    account = await created(client, su_token, body)
    auth = await login(client, body["username"], PASSWORD)
    await client.post("/accounts/password", json={"current": PASSWORD, "password": NEW_PASSWORD},
                      headers=bearer(auth["token"]))
    event = await account_events(settings, account["id"], "accounts.account.password_changed")
    assert set(event["data"]) == PUBLIC_FIELDS
    assert event["data"]["actor_id"] == account["id"]
    assert NEW_PASSWORD not in str(event)


async def test_reset_publishes_password_reset_and_keeps_the_otp_off_the_events_topic(
    client: httpx.AsyncClient, su_token: str, orgs: Orgs, settings: Settings
) -> None:
    body = account_body(orgs.a)
    account = await created(client, su_token, body)
    await client.post("/accounts/password/reset", json={"username": body["username"]})
    [otp] = await reset_otps(settings, account["id"])
    await client.post("/accounts/password/reset/confirm",
                      json={"username": body["username"], "otp": otp, "password": NEW_PASSWORD})
    await account_events(settings, account["id"], "accounts.account.password_reset")
    about_account = await topic_events(
        settings, settings.events_topic, lambda e: e["subject"] == account["id"], count=2
    )
    types = [event["type"] for event in about_account]
    assert types == ["accounts.account.created", "accounts.account.password_reset"]
    assert otp not in str(about_account)


async def test_password_set_by_an_admin_publishes_password_changed_only(
    client: httpx.AsyncClient, su_token: str, orgs: Orgs, settings: Settings
) -> None:
    account = await created(client, su_token, account_body(orgs.a))
    await client.put("/accounts", json={"id": account["id"], "password": NEW_PASSWORD},
                     headers=bearer(su_token))
    await client.post(f"/accounts/{account['id']}/disable", headers=bearer(su_token))
    about_account = await topic_events(
        settings, settings.events_topic, lambda e: e["subject"] == account["id"], count=3
    )
    assert [event["type"] for event in about_account] == [
        "accounts.account.created", "accounts.account.password_changed",
        "accounts.account.disabled",
    ]


async def test_disabling_through_update_publishes_disabled(
    client: httpx.AsyncClient, su_token: str, orgs: Orgs, settings: Settings
) -> None:
    account = await created(client, su_token, account_body(orgs.a))
    await client.put("/accounts", json={"id": account["id"], "enabled": False,
                                        "contacts": {"why": "left"}},
                     headers=bearer(su_token))
    about_account = await topic_events(
        settings, settings.events_topic, lambda e: e["subject"] == account["id"], count=3
    )
    assert [event["type"] for event in about_account] == [
        "accounts.account.created", "accounts.account.updated", "accounts.account.disabled",
    ]
    assert about_account[2]["data"]["contacts"] == {"why": "left"}
