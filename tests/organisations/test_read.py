"""Reading organisations: every match in scope, sorted by id; outside scope is absent."""

from __future__ import annotations

import httpx

from tests.accounts.helpers import signed_in
from tests.conftest import Admin, bearer, unique
from tests.organisations.conftest import Tree
from tests.organisations.helpers import OrgApi


async def test_list_holds_every_org_in_scope_sorted_by_id(
    api: OrgApi, org_admin: Admin, tree: Tree
) -> None:
    outcome = await api.listing(org_admin.token)
    assert outcome.status == 200
    ids = [org["id"] for org in outcome.body]
    assert ids == sorted(ids)
    assert {tree.a, tree.a1, tree.a11, tree.a2} <= set(ids)
    assert not {tree.top, tree.b, "root"} & set(ids)


async def test_bound_admin_lists_only_its_home(
    api: OrgApi, bound_admin: Admin, tree: Tree
) -> None:
    outcome = await api.listing(bound_admin.token)
    assert [org["id"] for org in outcome.body] == [tree.a]


async def test_list_filters_by_parent(api: OrgApi, su_token: str, tree: Tree) -> None:
    outcome = await api.listing(su_token, parent_id=tree.a)
    assert [org["id"] for org in outcome.body] == sorted([tree.a1, tree.a2])


async def test_parent_outside_scope_filters_to_nothing(
    api: OrgApi, org_admin: Admin, tree: Tree
) -> None:
    outcome = await api.listing(org_admin.token, parent_id=tree.top)
    assert (outcome.status, outcome.body) == (200, [])


async def test_empty_parent_id_lists_the_roots(
    client: httpx.AsyncClient, su_token: str, tree: Tree
) -> None:
    response = await client.get("/organisations", params={"parent_id": ""},
                                headers=bearer(su_token))
    roots = response.json()
    assert "root" in [org["id"] for org in roots]
    assert all(org["parent_id"] is None for org in roots)


async def test_get_shows_children_with_their_effective_currency(
    api: OrgApi, su_token: str, tree: Tree
) -> None:
    outcome = await api.get(su_token, tree.top)
    assert outcome.body["base_currency"] == "EUR"
    assert outcome.body["children"] == sorted(
        [
            {"child_type": "Organisation", "id": tree.a, "currency": "EUR"},
            {"child_type": "Organisation", "id": tree.b, "currency": "GBP"},
        ],
        key=lambda child: child["id"],
    )


async def test_org_outside_scope_answers_like_an_absent_one(
    api: OrgApi, org_admin: Admin, tree: Tree
) -> None:
    hidden = await api.get(org_admin.token, tree.b)
    absent = await api.get(org_admin.token, unique("nowhere"))
    assert hidden.status == absent.status == 404
    assert hidden.body == absent.body


async def test_reading_needs_organisations_read(
    api: OrgApi, client: httpx.AsyncClient, su_token: str, tree: Tree
) -> None:
    _, token = await signed_in(client, su_token, tree.a)
    assert (await api.listing(token)).status == 403
    assert (await api.get(token, tree.a)).status == 403


async def test_reading_needs_a_token(client: httpx.AsyncClient, tree: Tree) -> None:
    response = await client.get(f"/organisations/{tree.a}")
    assert response.status_code == 401
