"""Fixtures of the accounts tests: an organisation subtree, administrators, both APIs.

The tree, under the bootstrap organisation ``root``::

    top ─┬─ a (units u1, u2) ── a1
         └─ b
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from service.auth.service import caller_from_token
from service.organisations.service import OrganisationCreate, create_organisation
from tests.accounts.helpers import Api, GraphqlApi, RestApi, grants, signed_in
from tests.conftest import Admin, unique


@dataclass
class Orgs:
    top: str
    a: str
    a1: str
    b: str


@pytest.fixture(params=[RestApi, GraphqlApi], ids=["rest", "graphql"])
def api(request: pytest.FixtureRequest, client: httpx.AsyncClient) -> Api:
    return request.param(client)  # type: ignore[no-any-return]



async def make_org(deps: Any, su_token: str, parent_id: str, units: list[str] | None = None) -> str:
    """An organisation created through the organisations service, as the SuperUser."""
    caller = await caller_from_token(deps=deps, token=su_token)  # a fresh tree each time
    org_id = unique("org")
    await create_organisation(
        deps=deps, caller=caller,
        data=OrganisationCreate(id=org_id, parent_id=parent_id, units=units or []),
    )
    return org_id


@pytest.fixture(scope="module")
async def orgs(deps: Any, su_token: str) -> Orgs:
    top = await make_org(deps, su_token, "root")
    a = await make_org(deps, su_token, top, ["u1", "u2"])
    a1 = await make_org(deps, su_token, a)
    b = await make_org(deps, su_token, top)
    return Orgs(top=top, a=a, a1=a1, b=b)


@pytest.fixture(scope="module")
async def org_admin(client: httpx.AsyncClient, su_token: str, orgs: Orgs) -> Admin:
    """``accounts`` Write, homed in ``a``: reaches ``a`` and ``a1``."""
    account, token = await signed_in(client, su_token, orgs.a, permissions=grants(accounts="Write"))
    return Admin(account, token)


@pytest.fixture(scope="module")
async def bound_admin(client: httpx.AsyncClient, su_token: str, orgs: Orgs) -> Admin:
    """``accounts`` Write, homed in ``a`` with ``org_bound``: reaches ``a`` only."""
    account, token = await signed_in(
        client, su_token, orgs.a, permissions=grants(accounts="Write"), org_bound=True
    )
    return Admin(account, token)


@pytest.fixture
async def stranger(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client from an address of its own, for failing attempts that count per address."""
    address = f"10.{random.randrange(100, 250)}.{random.randrange(256)}.{random.randrange(1, 255)}"
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
