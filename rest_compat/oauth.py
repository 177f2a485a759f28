"""Legacy OAuth provider routes: thin adapters over service.oauth (secrets only masked)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, StrictStr

from rest_compat.bodies import LegacyBody
from rest_compat.dependencies import DepsDep
from rest_compat.permissions import permitted
from service.accounts.documents import PermissionLevel
from service.auth.caller import Caller
from service.oauth import service
from service.oauth.service import ProviderView

router = APIRouter(prefix="/oauth", tags=["oauth"])
ReaderDep = Annotated[Caller, Depends(permitted(service.RESOURCE, PermissionLevel.READ))]
WriterDep = Annotated[Caller, Depends(permitted(service.RESOURCE, PermissionLevel.WRITE))]


class OAuthProviderBody(BaseModel):
    id: str
    owner: str
    client_id: str
    client_secret: str
    issuer_url: str
    token_url: str
    jwk_url: str
    redirect_url: str
    frontend_url: str
    created: int
    updated: int

    @classmethod
    def of(cls, view: ProviderView) -> OAuthProviderBody:
        return cls.model_validate(view.public_fields())


class OAuthProviderCreateBody(LegacyBody):
    id: StrictStr
    owner: StrictStr
    client_id: StrictStr
    client_secret: StrictStr
    issuer_url: StrictStr
    token_url: StrictStr
    jwk_url: StrictStr
    redirect_url: StrictStr
    frontend_url: StrictStr


class OAuthProviderUpdateBody(LegacyBody):
    id: StrictStr | None = None
    owner: StrictStr | None = None
    client_id: StrictStr | None = None
    client_secret: StrictStr | None = None
    issuer_url: StrictStr | None = None
    token_url: StrictStr | None = None
    jwk_url: StrictStr | None = None
    redirect_url: StrictStr | None = None
    frontend_url: StrictStr | None = None


class PublicProviderBody(BaseModel):
    id: str
    owner: str


@router.get("/providers", response_model=list[OAuthProviderBody])
async def list_providers(caller: ReaderDep, search: str | None = None) -> list[OAuthProviderBody]:
    views = await service.list_providers(caller=caller, search=search)
    return [OAuthProviderBody.of(view) for view in views]


@router.get("/providers/public", response_model=list[PublicProviderBody])
async def public_providers(deps: DepsDep, owner: str | None = None) -> list[PublicProviderBody]:
    """Public: the providers a login page for ``owner`` (an org, or ``org:unit``) offers."""
    providers = await service.public_providers(deps=deps, owner=owner)
    return [PublicProviderBody(id=p.id, owner=p.owner) for p in providers]


@router.post("/providers", response_model=OAuthProviderBody)
async def create_provider(
    body: OAuthProviderCreateBody, caller: WriterDep, deps: DepsDep
) -> OAuthProviderBody:
    data = service.ProviderCreate.model_validate(body.model_dump())
    return OAuthProviderBody.of(await service.create_provider(deps=deps, caller=caller, data=data))


@router.put("/providers/{provider_id}", response_model=OAuthProviderBody)
async def update_provider(
    provider_id: str, body: OAuthProviderUpdateBody, caller: WriterDep, deps: DepsDep
) -> OAuthProviderBody:
    data = service.ProviderUpdate.model_validate(body.model_dump())
    view = await service.update_provider(
        deps=deps, caller=caller, provider_id=provider_id, data=data
    )
    return OAuthProviderBody.of(view)


@router.delete("/providers/{provider_id}", response_model=None)
async def delete_provider(provider_id: str, caller: WriterDep, deps: DepsDep) -> None:
    await service.delete_provider(deps=deps, caller=caller, provider_id=provider_id)
