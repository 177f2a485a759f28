"""The graph's database cost is bounded by the query's depth, not by the number of nodes.

A tree of 217 organisations, 4 levels deep (top, 6, 30, 180), with accounts and systems, is
queried for every organisation's parent, children, accounts and their systems; the same
queries run again once the tree has twice the nodes. The database commands are counted on
the app's own client (tests.command_counter), after a warm-up run, so the per-process tree
cache is loaded (it reloads only when the tree changes, not per request).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import httpx
import pytest

from service.accounts.documents import OrgUnit, PermissionLevel, ResourcePermission
from service.accounts.documents import SystemPermissions as Grant
from service.accounts.service import AccountCreate, create_account
from service.auth.service import caller_from_token
from service.organisations.service import OrganisationCreate, create_organisation
from service.systems.service import SystemCreate, create_system
from tests.accounts.helpers import PASSWORD, grants, signed_in
from tests.command_counter import counting
from tests.conftest import graphql, unique

ROOT_LIST_QUERY = """{ organisations { id parent { id } subOrganisations { id }
  children { id currency }
  accounts(limit: 50) { total items { id username system { id name }
    permissions { systemId system { id resources } } } } } }"""

DESCENDANTS_QUERY = """query($top: ID!) { organisation(id: $top) { id
  descendants { id parent { id } subOrganisations { id }
    accounts(limit: 50) { total items { id organisation { id } system { id }
      accessTo { orgId brandpathList } } } } } }"""

MAX_COMMANDS = 10
CONCURRENCY = 8


class TreeBuilder:
    """Grows a subtree through the service functions, one level at a time."""

    def __init__(self, deps: Any, su_token: str, systems: list[str]) -> None:
        self.deps = deps
        self.su_token = su_token
        self.systems = systems

    async def _caller(self) -> Any:
        return await caller_from_token(deps=self.deps, token=self.su_token)  # fresh tree

    async def level(self, parents: list[str], per_parent: int) -> list[str]:
        caller = await self._caller()
        created = [(parent, unique("g")) for parent in parents for _ in range(per_parent)]

        async def create(parent: str, org_id: str) -> None:
            await create_organisation(
                deps=self.deps, caller=caller,
                data=OrganisationCreate(id=org_id, parent_id=parent, units=["u"]),
            )

        for start in range(0, len(created), CONCURRENCY):
            await asyncio.gather(*(create(*pair) for pair in created[start:start + CONCURRENCY]))
        return [org_id for _, org_id in created]

    async def accounts(self, org_ids: list[str], *, system_accounts: bool) -> None:
        caller = await self._caller()
        for index, org_id in enumerate(org_ids):
            system_id = self.systems[index % len(self.systems)]
            grant = Grant(system_id=system_id, permissions=[
                ResourcePermission(resource_id="r", permission=PermissionLevel.READ)])
            await create_account(deps=self.deps, caller=caller, data=AccountCreate(
                account_type="System" if system_accounts else "User",  # type: ignore[arg-type]
                system_id=system_id if system_accounts else None,
                username=unique("g-user"), password=PASSWORD,
                org_unit=OrgUnit(org_id=org_id), permissions=[grant],
            ))

    async def grow(self, top: str) -> None:
        """6 children of ``top``, 5 below each, 6 below those: 216 organisations."""
        first = await self.level([top], 6)
        second = await self.level(first, 5)
        await self.level(second, 6)
        await self.accounts(first, system_accounts=True)
        await self.accounts(second, system_accounts=False)


async def measure(client: httpx.AsyncClient, token: str, query: str,
                  variables: dict[str, Any] | None = None) -> tuple[Counter[str], dict[str, Any]]:
    await graphql(client, query, variables, token=token)  # warm-up: tree cache, connections
    with counting() as names:
        result = await graphql(client, query, variables, token=token)
    assert "errors" not in result, result["errors"][:3]
    return Counter(names), result["data"]


@pytest.fixture(scope="module")
async def scene(client: httpx.AsyncClient, deps: Any, su_token: str) -> dict[str, Any]:
    caller = await caller_from_token(deps=deps, token=su_token)
    systems = []
    for index in range(3):
        system_id = unique(f"sys{index}")
        await create_system(deps=deps, caller=caller, data=SystemCreate(
            id=system_id, name=f"System {index}", resources=["r"],
            service_config={f"s{index}": {"k": "v"}}))
        systems.append(system_id)
    top = unique("big")
    await create_organisation(deps=deps, caller=caller,
                              data=OrganisationCreate(id=top, parent_id="root"))
    _, token = await signed_in(client, su_token, top, permissions=grants(
        organisations="Read", accounts="Read", systems="Read"))
    return {"builder": TreeBuilder(deps, su_token, systems), "top": top, "token": token}


async def test_graph_commands_do_not_grow_with_the_tree(
    client: httpx.AsyncClient, scene: dict[str, Any]
) -> None:
    builder, top, token = scene["builder"], scene["top"], scene["token"]
    await builder.grow(top)
    n_list, data = await measure(client, token, ROOT_LIST_QUERY)
    n_desc, _ = await measure(client, token, DESCENDANTS_QUERY, {"top": top})
    orgs = data["organisations"]
    assert len(orgs) == 217
    assert sum(org["accounts"]["total"] for org in orgs) == 36 + 1  # and the reader
    assert sum(len(org["subOrganisations"]) for org in orgs) == 216

    await builder.grow(top)
    twice_list, data = await measure(client, token, ROOT_LIST_QUERY)
    twice_desc, _ = await measure(client, token, DESCENDANTS_QUERY, {"top": top})
    assert len(data["organisations"]) == 433
    assert sum(org["accounts"]["total"] for org in data["organisations"]) == 72 + 1

    print(f"\nroot list   N=217: {sum(n_list.values())} {dict(n_list)}"
          f"\nroot list  2N=433: {sum(twice_list.values())} {dict(twice_list)}"
          f"\ndescendants N=217: {sum(n_desc.values())} {dict(n_desc)}"
          f"\ndescendants 2N=433: {sum(twice_desc.values())} {dict(twice_desc)}")
    assert sum(n_list.values()) > 0, "the counter does not see the app's client"
    assert n_list == twice_list
    assert n_desc == twice_desc
    assert sum(n_list.values()) <= MAX_COMMANDS
    assert sum(n_desc.values()) <= MAX_COMMANDS
