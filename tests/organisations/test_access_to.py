"""``access_to`` in every auth response is computed from the real tree."""

from __future__ import annotations

from typing import Any

import httpx

from tests.accounts.helpers import PASSWORD, account_body, created
from tests.conftest import bearer, login
from tests.organisations.conftest import Tree


async def _signed_in(client: httpx.AsyncClient, su_token: str, org_id: str,
                     **org_unit: Any) -> dict[str, Any]:
    bound = org_unit.pop("org_bound", False)
    body = account_body(org_id, org_bound=bound,
                        org_unit={"org_id": org_id, "unit_id": None, "org_list": [], **org_unit})
    await created(client, su_token, body)
    return await login(client, body["username"], PASSWORD)


async def test_account_high_in_the_tree_lists_every_unit_below(
    client: httpx.AsyncClient, su_token: str, tree: Tree
) -> None:
    auth = await _signed_in(client, su_token, tree.top)
    access = auth["access_to"]
    assert access["org_id"] == tree.top
    assert access["unit_ids"] == ["t1"]
    assert sorted(access["brandpath_list"]) == sorted([
        f"{tree.top}:t1", f"{tree.a}:u1", f"{tree.a}:u2", f"{tree.a1}:a1u", f"{tree.a11}:x",
        f"{tree.b}:b1",
    ])


async def test_org_bound_account_lists_only_its_home_units(
    client: httpx.AsyncClient, su_token: str, tree: Tree
) -> None:
    auth = await _signed_in(client, su_token, tree.a, org_bound=True)
    assert auth["access_to"]["brandpath_list"] == [f"{tree.a}:u1", f"{tree.a}:u2"]


async def test_account_bound_to_a_unit_acts_on_that_unit_only(
    client: httpx.AsyncClient, su_token: str, tree: Tree
) -> None:
    auth = await _signed_in(client, su_token, tree.a, unit_id="u2", org_bound=True)
    assert auth["access_to"]["unit_ids"] == ["u2"]
    assert auth["access_to"]["brandpath_list"] == [f"{tree.a}:u2"]


async def test_org_list_adds_the_units_of_listed_orgs(
    client: httpx.AsyncClient, su_token: str, tree: Tree
) -> None:
    auth = await _signed_in(client, su_token, tree.a11, org_list=[tree.b])
    assert sorted(auth["access_to"]["brandpath_list"]) == sorted([f"{tree.a11}:x",
                                                                 f"{tree.b}:b1"])


async def test_refresh_and_me_show_the_same_access(
    client: httpx.AsyncClient, su_token: str, tree: Tree
) -> None:
    auth = await _signed_in(client, su_token, tree.a1)
    refreshed = (await client.post("/accounts/refresh",
                                   json={"token": auth["refresh_token"]})).json()
    me = (await client.get("/accounts/me", headers=bearer(auth["token"]))).json()
    assert auth["access_to"] == refreshed["access_to"] == me["access_to"]
    assert sorted(me["access_to"]["brandpath_list"]) == sorted(
        [f"{tree.a1}:a1u", f"{tree.a11}:x"])


async def test_properties_carry_the_home_effective_currency(
    client: httpx.AsyncClient, su_token: str, tree: Tree
) -> None:
    auth = await _signed_in(client, su_token, tree.a11)
    assert auth["properties"]["base_currency"] == "EUR"
