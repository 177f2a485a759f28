"""``services`` in the auth response: the service_config of the systems an account holds a
permission on, merged in system-id order (a later system's key wins)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.accounts.helpers import PASSWORD, account_body, created
from tests.conftest import bearer, login, unique


async def system(client: httpx.AsyncClient, token: str, prefix: str,
                 config: dict[str, dict[str, str]]) -> str:
    system_id = unique(prefix)
    response = await client.post("/systems", json={
        "id": system_id, "name": prefix, "resources": ["r"], "service_config": config,
    }, headers=bearer(token))
    assert response.status_code == 200
    return system_id


def grant(system_id: str, *resources: str) -> dict[str, Any]:
    return {"system_id": system_id,
            "permissions": [{"resource_id": r, "permission": "Read"} for r in resources]}


async def test_services_merge_held_systems_in_id_order(
    client: httpx.AsyncClient, su_token: str
) -> None:
    first = await system(client, su_token, "svcA", {"shared": {"from": "A"}, "a": {"x": "1"}})
    second = await system(client, su_token, "svcB", {"shared": {"from": "B"}})
    await system(client, su_token, "svcC", {"c": {"x": "3"}})  # held by nobody
    empty = await system(client, su_token, "svcD", {"d": {"x": "4"}})  # held, no permission
    body = account_body("root", permissions=[grant(second, "r"), grant(first, "r"),
                                             grant(empty)])
    await created(client, su_token, body)
    auth = await login(client, body["username"], PASSWORD)
    assert auth["services"] == {"shared": {"from": "B"}, "a": {"x": "1"}}


async def test_superuser_gets_every_systems_config(
    client: httpx.AsyncClient, su_token: str
) -> None:
    system_id = await system(client, su_token, "svcAll", {unique("key"): {"x": "y"}})
    config = (await client.get(f"/systems/{system_id}", headers=bearer(su_token))).json()
    auth = await login(client, "admin", "Bootstrap-Password-1")
    assert config["service_config"].items() <= auth["services"].items()


async def test_deleted_system_leaves_the_services(client: httpx.AsyncClient, su_token: str) -> None:
    key = unique("gone")
    system_id = await system(client, su_token, "svcGone", {key: {"x": "y"}})
    await client.delete(f"/systems/{system_id}", headers=bearer(su_token))
    auth = await login(client, "admin", "Bootstrap-Password-1")
    assert key not in auth["services"]
