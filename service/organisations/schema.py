"""GraphQL operations of the organisation tree."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from service.core.errors import NotFound
from service.core.graphql import context_of
from service.organisations import service
from service.organisations.loaders import prime_organisations
from service.organisations.types import (
    CreateOrganisationInput,
    OrganisationNode,
    UnitsResultType,
    UpdateOrganisationInput,
)


@strawberry.type
class OrganisationsQuery:
    @strawberry.field(description="An organisation; null when absent or outside your scope.")
    async def organisation(
        self, info: Info[Any, Any], id: strawberry.ID
    ) -> OrganisationNode | None:
        context = context_of(info)
        caller = await context.caller()
        try:
            view = await service.get_organisation(caller=caller, org_id=id)
        except NotFound:
            return None
        prime_organisations(context, caller.tree, [view])
        return OrganisationNode.of(view, caller.tree)

    @strawberry.field(description="Every organisation in your scope (under parentId if given), "
                      "sorted by id.")
    async def organisations(
        self, info: Info[Any, Any], parent_id: strawberry.ID | None = None
    ) -> list[OrganisationNode]:
        context = context_of(info)
        caller = await context.caller()
        views = await service.list_organisations(
            caller=caller, parent_id=str(parent_id) if parent_id is not None else None
        )
        prime_organisations(context, caller.tree, views)
        return [OrganisationNode.of(view, caller.tree) for view in views]


@strawberry.type
class OrganisationsMutation:
    @strawberry.mutation(description="Create an organisation.")
    async def create_organisation(
        self, info: Info[Any, Any], input: CreateOrganisationInput
    ) -> OrganisationNode:
        context = context_of(info)
        caller = await context.caller()
        view = await service.create_organisation(
            deps=context.deps, caller=caller, data=input.to_model()
        )
        return OrganisationNode.of(view, await context.deps.org_tree.current())

    @strawberry.mutation(description="Change an organisation; null fields stay as they are.")
    async def update_organisation(
        self, info: Info[Any, Any], id: strawberry.ID, input: UpdateOrganisationInput
    ) -> OrganisationNode:
        context = context_of(info)
        caller = await context.caller()
        view = await service.update_organisation(
            deps=context.deps, caller=caller, org_id=id, data=input.to_model()
        )
        return OrganisationNode.of(view, await context.deps.org_tree.current())

    @strawberry.mutation(description="Add units; `failed` lists those present or invalid.")
    async def add_organisation_units(
        self, info: Info[Any, Any], id: strawberry.ID, units: list[str]
    ) -> UnitsResultType:
        context = context_of(info)
        caller = await context.caller()
        result = await service.add_units(deps=context.deps, caller=caller, org_id=id, units=units)
        return UnitsResultType.of(result)

    @strawberry.mutation(description="Remove units; `failed` lists those absent or in use.")
    async def remove_organisation_units(
        self, info: Info[Any, Any], id: strawberry.ID, units: list[str]
    ) -> UnitsResultType:
        context = context_of(info)
        caller = await context.caller()
        result = await service.remove_units(
            deps=context.deps, caller=caller, org_id=id, units=units
        )
        return UnitsResultType.of(result)
