"""Legacy organisation routes: thin adapters over service.organisations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends
from pydantic import BaseModel, StrictBool, StrictStr

from rest_compat.bodies import LegacyBody
from rest_compat.dependencies import DepsDep
from rest_compat.permissions import permitted
from service.accounts.documents import PermissionLevel
from service.auth.caller import Caller
from service.organisations import service
from service.organisations.service import OrganisationView, UnitsResult

router = APIRouter(prefix="/organisations", tags=["organisations"])
ReaderDep = Annotated[Caller, Depends(permitted(service.RESOURCE, PermissionLevel.READ))]
WriterDep = Annotated[Caller, Depends(permitted(service.RESOURCE, PermissionLevel.WRITE))]


class OrganisationChildBody(BaseModel):
    child_type: str
    id: str
    currency: str | None


class OrganisationBody(BaseModel):
    id: str
    name: str | None
    parent_id: str | None
    enabled: bool
    base_currency: str | None
    children: list[OrganisationChildBody]
    created: int
    updated: int
    units: list[str]

    @classmethod
    def of(cls, view: OrganisationView) -> OrganisationBody:
        return cls.model_validate(view.public_fields())


class OrganisationCreateBody(LegacyBody):
    id: StrictStr
    units: list[StrictStr] = []
    name: StrictStr | None = None
    parent_id: StrictStr | None = None
    base_currency: StrictStr | None = None


class OrganisationUpdateBody(LegacyBody):
    units: list[StrictStr] | None = None
    enabled: StrictBool | None = None
    name: StrictStr | None = None
    parent_id: StrictStr | None = None
    base_currency: StrictStr | None = None


class UnitsResultBody(BaseModel):
    succeeded: list[str]
    failed: list[str]

    @classmethod
    def of(cls, result: UnitsResult) -> UnitsResultBody:
        return cls(succeeded=result.succeeded, failed=result.failed)


UnitsBody = Annotated[list[StrictStr], Body()]


@router.get("", response_model=list[OrganisationBody])
async def list_organisations(
    caller: ReaderDep, parent_id: str | None = None
) -> list[OrganisationBody]:
    views = await service.list_organisations(caller=caller, parent_id=parent_id)
    return [OrganisationBody.of(view) for view in views]


@router.post("", response_model=OrganisationBody)
async def create_organisation(
    body: OrganisationCreateBody, caller: WriterDep, deps: DepsDep
) -> OrganisationBody:
    data = service.OrganisationCreate.model_validate(body.model_dump())
    return OrganisationBody.of(
        await service.create_organisation(deps=deps, caller=caller, data=data)
    )


@router.get("/{org_id}", response_model=OrganisationBody)
async def get_organisation(org_id: str, caller: ReaderDep) -> OrganisationBody:
    return OrganisationBody.of(await service.get_organisation(caller=caller, org_id=org_id))


@router.put("/{org_id}", response_model=OrganisationBody)
async def update_organisation(
    org_id: str, body: OrganisationUpdateBody, caller: WriterDep, deps: DepsDep
) -> OrganisationBody:
    data = service.OrganisationUpdate.model_validate(body.model_dump())
    view = await service.update_organisation(deps=deps, caller=caller, org_id=org_id, data=data)
    return OrganisationBody.of(view)


@router.post("/{org_id}/units", response_model=UnitsResultBody)
async def add_units(
    org_id: str, units: UnitsBody, caller: WriterDep, deps: DepsDep
) -> UnitsResultBody:
    result = await service.add_units(deps=deps, caller=caller, org_id=org_id, units=units)
    return UnitsResultBody.of(result)


@router.delete("/{org_id}/units", response_model=UnitsResultBody)
@router.post("/{org_id}/units/remove", response_model=UnitsResultBody)
async def remove_units(
    org_id: str, units: UnitsBody, caller: WriterDep, deps: DepsDep
) -> UnitsResultBody:
    """Remove units. Served at ``DELETE .../units`` and, for clients that cannot send a body
    with DELETE, at ``POST .../units/remove``."""
    result = await service.remove_units(deps=deps, caller=caller, org_id=org_id, units=units)
    return UnitsResultBody.of(result)
