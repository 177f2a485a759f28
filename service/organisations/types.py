"""GraphQL types of the organisation tree, with its graph edges (all through DataLoaders)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from service.accounts.inputs import AccountPage
from service.core.clock import ms_to_datetime
from service.core.graphql import context_of
from service.organisations import graph
from service.organisations.loaders import accounts_loader, organisation_loader
from service.organisations.service import (
    OrganisationCreate,
    OrganisationUpdate,
    OrganisationView,
    UnitsResult,
)
from service.organisations.tree import OrgTree


@strawberry.type(name="OrganisationChild")
class OrganisationChildType:
    child_type: str
    id: strawberry.ID
    currency: str | None = strawberry.field(description="The child's effective currency.")


@strawberry.type(name="Organisation")
class OrganisationNode:
    id: strawberry.ID
    name: str | None
    parent_id: strawberry.ID | None
    enabled: bool
    base_currency: str | None = strawberry.field(
        description="The effective currency: the organisation's own, else inherited."
    )
    units: list[str]
    children: list[OrganisationChildType]
    created: datetime
    updated: datetime
    tree: strawberry.Private[OrgTree]

    @classmethod
    def of(cls, view: OrganisationView, tree: OrgTree) -> OrganisationNode:
        return cls(
            id=strawberry.ID(view.id),
            name=view.name,
            parent_id=strawberry.ID(view.parent_id) if view.parent_id else None,
            enabled=view.enabled,
            base_currency=view.base_currency,
            units=list(view.units),
            children=[
                OrganisationChildType(
                    child_type=child.child_type, id=strawberry.ID(child.id), currency=child.currency
                )
                for child in view.children
            ],
            created=ms_to_datetime(view.created),  # type: ignore[arg-type]
            updated=ms_to_datetime(view.updated),  # type: ignore[arg-type]
            tree=tree,
        )

    async def _load_many(self, info: Info[Any, Any], ids: list[str]) -> list[OrganisationNode]:
        views = await organisation_loader(context_of(info), self.tree).load_many(ids)
        return [OrganisationNode.of(view, self.tree) for view in views if view is not None]

    @strawberry.field(description="The parent; null for a root or outside your scope.")
    async def parent(self, info: Info[Any, Any]) -> OrganisationNode | None:
        if self.parent_id is None:
            return None
        view = await organisation_loader(context_of(info), self.tree).load(str(self.parent_id))
        return None if view is None else OrganisationNode.of(view, self.tree)

    @strawberry.field(description="The direct sub-organisations in your scope.")
    async def sub_organisations(self, info: Info[Any, Any]) -> list[OrganisationNode]:
        return await self._load_many(info, self.tree.children.get(str(self.id), []))

    @strawberry.field(
        description="Ancestors root first, without this one; they stop at your scope."
    )
    async def ancestors(self, info: Info[Any, Any]) -> list[OrganisationNode]:
        caller = await context_of(info).caller()
        ids = graph.visible_ancestors(caller=caller, tree=self.tree, org_id=str(self.id))
        return await self._load_many(info, ids)

    @strawberry.field(
        description="Descendants breadth first, without this one; all levels without maxDepth."
    )
    async def descendants(
        self, info: Info[Any, Any], max_depth: int | None = None
    ) -> list[OrganisationNode]:
        ids = graph.descendant_ids(tree=self.tree, org_id=str(self.id), max_depth=max_depth)
        return await self._load_many(info, ids)

    @strawberry.field(description="Accounts homed here, by username (needs accounts Read).")
    async def accounts(
        self, info: Info[Any, Any], page: int | None = 1, limit: int | None = 20
    ) -> AccountPage:
        page = 1 if page is None else page
        limit = 20 if limit is None else limit
        accounts, total = await accounts_loader(context_of(info), page, limit).load(str(self.id))
        return AccountPage.of(accounts, total, page, limit)


async def organisation_of(info: Info[Any, Any], org_id: str) -> OrganisationNode | None:
    """The organisation for an edge from another type (null when outside the scope)."""
    caller = await context_of(info).caller()
    view = await organisation_loader(context_of(info), caller.tree).load(org_id)
    return None if view is None else OrganisationNode.of(view, caller.tree)


@strawberry.type(name="UnitsResult")
class UnitsResultType:
    succeeded: list[str] = strawberry.field(description="Units added (or removed).")
    failed: list[str] = strawberry.field(
        description="Adding: already present or invalid. Removing: absent or still in use."
    )

    @classmethod
    def of(cls, result: UnitsResult) -> UnitsResultType:
        return cls(succeeded=list(result.succeeded), failed=list(result.failed))


@strawberry.input(name="CreateOrganisationInput")
class CreateOrganisationInput:
    id: strawberry.ID
    name: str | None = None
    parent_id: strawberry.ID | None = strawberry.field(
        default=None, description="Absent for a root organisation (SuperUser only)."
    )
    base_currency: str | None = strawberry.field(
        default=None, description="ISO 4217; absent inherits the parent's."
    )
    units: list[str] = strawberry.field(default_factory=list)

    def to_model(self) -> OrganisationCreate:
        return OrganisationCreate(
            id=str(self.id),
            name=self.name,
            parent_id=str(self.parent_id) if self.parent_id is not None else None,
            base_currency=self.base_currency,
            units=list(self.units),
        )


@strawberry.input(
    name="UpdateOrganisationInput", description="Absent or null leaves a field as is."
)
class UpdateOrganisationInput:
    name: str | None = None
    parent_id: strawberry.ID | None = strawberry.field(
        default=None, description='`""` makes it a root (SuperUser only).'
    )
    base_currency: str | None = strawberry.field(
        default=None, description='`""` returns to inheriting the parent\'s.'
    )
    units: list[str] | None = strawberry.field(
        default=None, description="The full new list; units in use cannot go."
    )
    enabled: bool | None = None

    def to_model(self) -> OrganisationUpdate:
        return OrganisationUpdate(
            name=self.name,
            parent_id=str(self.parent_id) if self.parent_id is not None else None,
            base_currency=self.base_currency,
            units=list(self.units) if self.units is not None else None,
            enabled=self.enabled,
        )
