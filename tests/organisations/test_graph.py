"""GraphQL graph edges: each applies the permission and scope of the type it returns."""

from __future__ import annotations

from typing import Any

import httpx

from tests.accounts.helpers import account_body, created, grants, signed_in
from tests.conftest import Admin, bearer, graphql, unique
from tests.organisations.conftest import Tree, make_org


def ids(nodes: list[dict[str, Any]]) -> list[str]:
    return [node["id"] for node in nodes]


async def org_query(client: httpx.AsyncClient, token: str, org_id: str, fields: str) -> Any:
    result = await graphql(client, f'{{ organisation(id: "{org_id}") {{ {fields} }} }}',
                           token=token)
    assert "errors" not in result, result
    return result["data"]["organisation"]


async def test_parent_and_sub_organisations(
    client: httpx.AsyncClient, su_token: str, tree: Tree
) -> None:
    org = await org_query(client, su_token, tree.a, "parent { id } subOrganisations { id }")
    assert org["parent"] == {"id": tree.top}
    assert ids(org["subOrganisations"]) == sorted([tree.a1, tree.a2])


async def test_ancestors_are_root_first_without_the_org_itself(
    client: httpx.AsyncClient, su_token: str, tree: Tree
) -> None:
    org = await org_query(client, su_token, tree.a11, "ancestors { id }")
    assert ids(org["ancestors"]) == ["root", tree.top, tree.a, tree.a1]


async def test_ancestors_stop_at_the_callers_scope(
    client: httpx.AsyncClient, org_admin: Admin, tree: Tree
) -> None:
    org = await org_query(client, org_admin.token, tree.a11, "ancestors { id } ")
    assert ids(org["ancestors"]) == [tree.a, tree.a1]


async def test_parent_outside_scope_is_null(
    client: httpx.AsyncClient, org_admin: Admin, tree: Tree
) -> None:
    org = await org_query(client, org_admin.token, tree.a, "parent { id }")
    assert org["parent"] is None


async def test_descendants_all_levels_or_up_to_max_depth(
    client: httpx.AsyncClient, su_token: str, tree: Tree
) -> None:
    org = await org_query(client, su_token, tree.a,
                          "all: descendants { id } one: descendants(maxDepth: 1) { id }")
    assert ids(org["all"]) == [*sorted([tree.a1, tree.a2]), tree.a11]
    assert ids(org["one"]) == sorted([tree.a1, tree.a2])


async def test_negative_max_depth_is_bad_input(
    client: httpx.AsyncClient, su_token: str, tree: Tree
) -> None:
    result = await graphql(
        client, f'{{ organisation(id: "{tree.a}") {{ descendants(maxDepth: -1) {{ id }} }} }}',
        token=su_token,
    )
    assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_descendants_omit_orgs_outside_scope(
    client: httpx.AsyncClient, bound_admin: Admin, tree: Tree
) -> None:
    org = await org_query(client, bound_admin.token, tree.a,
                          "descendants { id } subOrganisations { id }")
    assert org == {"descendants": [], "subOrganisations": []}


async def test_accounts_edge_pages_the_accounts_homed_there_by_username(
    client: httpx.AsyncClient, deps: Any, su_token: str, tree: Tree
) -> None:
    org_id = await make_org(deps, su_token, tree.a)
    names = sorted([unique("c-user"), unique("a-user"), unique("b-user")])
    for name in names:
        await created(client, su_token, account_body(org_id, username=name))
    org = await org_query(
        client, su_token, org_id,
        "first: accounts(limit: 2) { total page limit items { username } } "
        "second: accounts(page: 2, limit: 2) { total items { username } }",
    )
    assert org["first"] == {"total": 3, "page": 1, "limit": 2,
                            "items": [{"username": name} for name in names[:2]]}
    assert org["second"] == {"total": 3, "items": [{"username": names[2]}]}


async def test_accounts_edge_needs_accounts_read(
    client: httpx.AsyncClient, top_admin: Admin, tree: Tree
) -> None:
    result = await graphql(
        client, f'{{ organisation(id: "{tree.a}") {{ id accounts {{ total }} }} }}',
        token=top_admin.token,
    )
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert result["errors"][0]["path"] == ["organisation", "accounts"]


async def test_accounts_edge_bad_limit_is_bad_input(
    client: httpx.AsyncClient, su_token: str, tree: Tree
) -> None:
    result = await graphql(
        client, f'{{ organisation(id: "{tree.a}") {{ accounts(limit: 501) {{ total }} }} }}',
        token=su_token,
    )
    assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def _system(client: httpx.AsyncClient, su_token: str) -> str:
    system_id = unique("sys")
    response = await client.post("/systems", json={
        "id": system_id, "name": "Graph system", "resources": ["r1"],
    }, headers=bearer(su_token))
    assert response.status_code == 200, response.text
    return system_id


async def test_account_edges_reach_its_organisation_and_systems(
    client: httpx.AsyncClient, su_token: str, tree: Tree
) -> None:
    system_id = await _system(client, su_token)
    permissions = [
        *grants(organisations="Read", systems="Read"),
        {"system_id": system_id, "permissions": [{"resource_id": "r1", "permission": "Read"}]},
    ]
    _, token = await signed_in(client, su_token, tree.a1, account_type="System",
                               system_id=system_id, permissions=permissions)
    result = await graphql(client, "{ me { organisation { id baseCurrency } system { id name } "
                           "permissions { systemId system { id resources } } } }", token=token)
    me = result["data"]["me"]
    assert me["organisation"] == {"id": tree.a1, "baseCurrency": "EUR"}
    assert me["system"] == {"id": system_id, "name": "Graph system"}
    assert [grant["system"]["id"] for grant in me["permissions"]] == ["accounts", system_id]
    assert me["permissions"][1]["system"]["resources"] == ["r1"]


async def test_account_organisation_needs_organisations_read(
    client: httpx.AsyncClient, su_token: str, tree: Tree
) -> None:
    _, token = await signed_in(client, su_token, tree.a1)
    result = await graphql(client, "{ me { id organisation { id } } }", token=token)
    assert result["data"]["me"]["organisation"] is None
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_account_system_needs_systems_read(
    client: httpx.AsyncClient, su_token: str, tree: Tree
) -> None:
    system_id = await _system(client, su_token)
    _, token = await signed_in(client, su_token, tree.a1, account_type="System",
                               system_id=system_id)
    result = await graphql(client, "{ me { id system { id } } }", token=token)
    assert result["data"]["me"]["system"] is None
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_mutation_answer_shows_the_new_place_in_the_tree(
    client: httpx.AsyncClient, su_token: str, tree: Tree
) -> None:
    new_id = unique("org")
    result = await graphql(
        client,
        "mutation($i: CreateOrganisationInput!) { createOrganisation(input: $i) {"
        " id parent { id subOrganisations { id } } ancestors { id } } }",
        {"i": {"id": new_id, "parentId": tree.a11}}, token=su_token,
    )
    org = result["data"]["createOrganisation"]
    assert org["parent"]["id"] == tree.a11
    assert new_id in ids(org["parent"]["subOrganisations"])
    assert ids(org["ancestors"]) == ["root", tree.top, tree.a, tree.a1, tree.a11]
