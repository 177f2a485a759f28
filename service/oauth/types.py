"""GraphQL types of the OAuth provider configurations (the secret only ever masked)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from service.core.clock import ms_to_datetime
from service.oauth.service import ProviderCreate, ProviderUpdate, ProviderView


@strawberry.type(name="OAuthProvider")
class OAuthProviderNode:
    id: strawberry.ID
    owner: str = strawberry.field(description="An organisation, or `org:unit`.")
    client_id: str
    client_secret: str = strawberry.field(description="Masked: `****` and the last 4 characters.")
    issuer_url: str
    token_url: str
    jwk_url: str
    redirect_url: str
    frontend_url: str
    created: datetime
    updated: datetime

    @classmethod
    def of(cls, view: ProviderView) -> OAuthProviderNode:
        return cls(
            id=strawberry.ID(view.id),
            owner=view.owner,
            client_id=view.client_id,
            client_secret=view.client_secret,
            issuer_url=view.issuer_url,
            token_url=view.token_url,
            jwk_url=view.jwk_url,
            redirect_url=view.redirect_url,
            frontend_url=view.frontend_url,
            created=ms_to_datetime(view.created),  # type: ignore[arg-type]
            updated=ms_to_datetime(view.updated),  # type: ignore[arg-type]
        )


@strawberry.input(name="CreateOAuthProviderInput")
class CreateOAuthProviderInput:
    id: strawberry.ID
    owner: str
    client_id: str
    client_secret: str
    issuer_url: str
    token_url: str
    jwk_url: str
    redirect_url: str
    frontend_url: str

    def to_model(self) -> ProviderCreate:
        return ProviderCreate.model_validate({**self.__dict__, "id": str(self.id)})


@strawberry.input(
    name="UpdateOAuthProviderInput",
    description="Absent or null leaves a field as is; the masked secret sent back too.",
)
class UpdateOAuthProviderInput:
    id: strawberry.ID | None = None
    owner: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    issuer_url: str | None = None
    token_url: str | None = None
    jwk_url: str | None = None
    redirect_url: str | None = None
    frontend_url: str | None = None

    def to_model(self) -> ProviderUpdate:
        values = dict(self.__dict__)
        values["id"] = str(self.id) if self.id is not None else None
        return ProviderUpdate.model_validate(values)
