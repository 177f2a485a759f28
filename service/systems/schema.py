"""GraphQL operations of the systems registry."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from service.core.errors import NotFound
from service.core.graphql import context_of
from service.systems import service
from service.systems.types import (
    CreateSystemInput,
    SystemFilter,
    SystemNode,
    SystemPageType,
    SystemSort,
    UpdateSystemInput,
)


@strawberry.type
class SystemsQuery:
    @strawberry.field(description="A system; null when absent.")
    async def system(self, info: Info[Any, Any], id: strawberry.ID) -> SystemNode | None:
        caller = await context_of(info).caller()
        try:
            return SystemNode.from_document(await service.get_system(caller=caller, system_id=id))
        except NotFound:
            return None

    @strawberry.field(description="Systems, one page at a time.")
    async def systems(
        self,
        info: Info[Any, Any],
        filter: SystemFilter | None = None,
        sort: SystemSort | None = None,
        page: int | None = 1,
        limit: int | None = 20,
    ) -> SystemPageType:
        caller = await context_of(info).caller()
        chosen = filter or SystemFilter()
        order = sort or SystemSort()
        query = service.SystemQuery(
            id=str(chosen.id) if chosen.id is not None else None,
            name=chosen.name,
            sort_field=order.field.value,
            sort_direction=order.direction.value,
            page=1 if page is None else page,
            limit=20 if limit is None else limit,
        )
        return SystemPageType.of(await service.list_systems(caller=caller, query=query))


@strawberry.type
class SystemsMutation:
    @strawberry.mutation(description="Register a system (SuperUser only).")
    async def create_system(self, info: Info[Any, Any], input: CreateSystemInput) -> SystemNode:
        context = context_of(info)
        caller = await context.caller()
        system = await service.create_system(
            deps=context.deps, caller=caller, data=input.to_model()
        )
        return SystemNode.from_document(system)

    @strawberry.mutation(description="Change a system (SuperUser only); null fields stay.")
    async def update_system(
        self, info: Info[Any, Any], id: strawberry.ID, input: UpdateSystemInput
    ) -> SystemNode:
        context = context_of(info)
        caller = await context.caller()
        system = await service.update_system(
            deps=context.deps, caller=caller, system_id=id, data=input.to_model()
        )
        return SystemNode.from_document(system)

    @strawberry.mutation(description="Delete a system no account holds a permission on.")
    async def delete_system(self, info: Info[Any, Any], id: strawberry.ID) -> bool:
        context = context_of(info)
        caller = await context.caller()
        await service.delete_system(deps=context.deps, caller=caller, system_id=id)
        return True
