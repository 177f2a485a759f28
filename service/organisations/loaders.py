"""Per-request DataLoaders of the organisation graph (created via RequestContext.loader)."""

from __future__ import annotations

from typing import Any

from strawberry.dataloader import DataLoader

from service.accounts.documents import Account
from service.core.graphql import RequestContext
from service.organisations import graph
from service.organisations.service import OrganisationView
from service.organisations.tree import OrgTree


def organisation_loader(
    context: RequestContext, tree: OrgTree
) -> DataLoader[str, OrganisationView | None]:
    """Organisations by id as seen in ``tree`` (one loader per tree version)."""

    async def load(ids: list[str]) -> list[OrganisationView | None]:
        caller = await context.caller()
        return await graph.organisations_by_ids(caller=caller, tree=tree, ids=ids)

    return context.loader(f"organisations@{tree.version}", lambda: DataLoader(load_fn=load))


def accounts_loader(
    context: RequestContext, page: int, limit: int
) -> DataLoader[str, tuple[list[Account], int]]:
    """One page of each organisation's accounts (one loader per page and limit asked)."""

    async def load(org_ids: list[str]) -> list[tuple[list[Account], int]]:
        caller = await context.caller()
        return await graph.accounts_by_organisation(
            caller=caller, org_ids=org_ids, page=page, limit=limit
        )

    return context.loader(f"organisation-accounts:{page}:{limit}",
                          lambda: DataLoader(load_fn=load))


def prime_organisations(
    context: RequestContext, tree: OrgTree, views: list[OrganisationView]
) -> None:
    """Organisations a root query already read: edges to them cost nothing more."""
    loader: Any = organisation_loader(context, tree)
    loader.prime_many({view.id: view for view in views})
