"""Legacy system routes: thin adapters over service.systems."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, StrictStr

from rest_compat.bodies import LegacyBody
from rest_compat.dependencies import DepsDep
from rest_compat.permissions import SuperUserDep, permitted
from service.accounts.documents import PermissionLevel
from service.auth.caller import Caller
from service.systems import service
from service.systems.documents import System

router = APIRouter(prefix="/systems", tags=["systems"])
ReaderDep = Annotated[Caller, Depends(permitted(service.RESOURCE, PermissionLevel.READ))]


class SystemBody(BaseModel):
    id: str
    name: str
    service_id: str | None
    user_types: list[str]
    resources: list[str]
    service_config: dict[str, dict[str, str]]

    @classmethod
    def of(cls, system: System) -> SystemBody:
        return cls.model_validate(system.public_fields())


class SystemCreateBody(LegacyBody):
    id: StrictStr
    name: StrictStr
    service_id: StrictStr | None = None
    user_types: list[StrictStr] = []
    resources: list[StrictStr] = []
    service_config: dict[StrictStr, dict[StrictStr, StrictStr]] = {}


class SystemUpdateBody(LegacyBody):
    name: StrictStr | None = None
    service_id: StrictStr | None = None
    user_types: list[StrictStr] | None = None
    resources: list[StrictStr] | None = None
    service_config: dict[StrictStr, dict[StrictStr, StrictStr]] | None = None


@router.get("", response_model=list[SystemBody])
async def list_systems(
    response: Response,
    caller: ReaderDep,
    system_id: Annotated[str | None, Query(alias="id")] = None,
    name: str | None = None,
    sort_field: str = "id",
    sort_direction: int = 1,
    page: int = 1,
    limit: int = 20,
) -> list[SystemBody]:
    query = service.SystemQuery(
        id=system_id, name=name, sort_field=sort_field, sort_direction=sort_direction,
        page=page, limit=limit,
    )
    result = await service.list_systems(caller=caller, query=query)
    response.headers["X-Total-Count"] = str(result.total)
    return [SystemBody.of(system) for system in result.items]


@router.post("", response_model=SystemBody)
async def create_system(body: SystemCreateBody, caller: SuperUserDep, deps: DepsDep) -> SystemBody:
    data = service.SystemCreate.model_validate(body.model_dump())
    return SystemBody.of(await service.create_system(deps=deps, caller=caller, data=data))


@router.get("/{system_id}", response_model=SystemBody)
async def get_system(system_id: str, caller: ReaderDep) -> SystemBody:
    return SystemBody.of(await service.get_system(caller=caller, system_id=system_id))


@router.put("/{system_id}", response_model=SystemBody)
async def update_system(
    system_id: str, body: SystemUpdateBody, caller: SuperUserDep, deps: DepsDep
) -> SystemBody:
    data = service.SystemUpdate.model_validate(body.model_dump())
    system = await service.update_system(deps=deps, caller=caller, system_id=system_id, data=data)
    return SystemBody.of(system)


@router.delete("/{system_id}", response_model=None)
async def delete_system(system_id: str, caller: SuperUserDep, deps: DepsDep) -> None:
    await service.delete_system(deps=deps, caller=caller, system_id=system_id)
