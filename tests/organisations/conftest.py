"""Fixtures of the organisation tests: a subtree, administrators, both APIs.

The tree, under the bootstrap organisation ``root``::

    top (EUR; unit t1) ─┬─ a (units u1, u2) ─┬─ a1 (unit a1u) ── a11 (unit x)
                        │                    └─ a2
                        └─ b (GBP; unit b1)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

import tests.command_counter  # noqa: F401 - registers the listener before the app's client exists
from service.auth.service import caller_from_token
from service.organisations.service import OrganisationCreate, create_organisation
from tests.accounts.helpers import grants, signed_in
from tests.conftest import Admin, unique
from tests.organisations.helpers import GraphqlOrgApi, OrgApi, RestOrgApi


@dataclass
class Tree:
    top: str
    a: str
    a1: str
    a11: str
    a2: str
    b: str


@pytest.fixture(params=[RestOrgApi, GraphqlOrgApi], ids=["rest", "graphql"])
def api(request: pytest.FixtureRequest, client: httpx.AsyncClient) -> OrgApi:
    return request.param(client)  # type: ignore[no-any-return]



async def make_org(deps: Any, su_token: str, parent_id: str | None, **fields: Any) -> str:
    """An organisation created through the service, as the SuperUser."""
    caller = await caller_from_token(deps=deps, token=su_token)  # a fresh tree each time
    org_id = fields.pop("id", None) or unique("org")
    await create_organisation(
        deps=deps, caller=caller, data=OrganisationCreate(id=org_id, parent_id=parent_id, **fields)
    )
    return org_id


@pytest.fixture(scope="module")
async def tree(deps: Any, su_token: str) -> Tree:
    top = await make_org(deps, su_token, "root", base_currency="EUR", units=["t1"])
    a = await make_org(deps, su_token, top, units=["u1", "u2"])
    a1 = await make_org(deps, su_token, a, units=["a1u"])
    a11 = await make_org(deps, su_token, a1, units=["x"])
    a2 = await make_org(deps, su_token, a)
    b = await make_org(deps, su_token, top, base_currency="GBP", units=["b1"])
    return Tree(top=top, a=a, a1=a1, a11=a11, a2=a2, b=b)


@pytest.fixture(scope="module")
async def org_admin(client: httpx.AsyncClient, su_token: str, tree: Tree) -> Admin:
    """``organisations`` and ``accounts`` Write, homed in ``a``: reaches a, a1, a11, a2."""
    account, token = await signed_in(
        client, su_token, tree.a, permissions=grants(organisations="Write", accounts="Write")
    )
    return Admin(account, token)


@pytest.fixture(scope="module")
async def top_admin(client: httpx.AsyncClient, su_token: str, tree: Tree) -> Admin:
    """``organisations`` Write, homed in ``top``: reaches the whole subtree."""
    account, token = await signed_in(
        client, su_token, tree.top, permissions=grants(organisations="Write")
    )
    return Admin(account, token)


@pytest.fixture(scope="module")
async def bound_admin(client: httpx.AsyncClient, su_token: str, tree: Tree) -> Admin:
    """``organisations`` Write, homed in ``a`` with ``org_bound``: reaches ``a`` only."""
    account, token = await signed_in(
        client, su_token, tree.a, permissions=grants(organisations="Write"), org_bound=True
    )
    return Admin(account, token)
