"""The GraphQL schema, composed from each domain's Query and Mutation classes."""

from __future__ import annotations

import strawberry
from strawberry.extensions import DisableIntrospection
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from service.accounts.schema import AccountsMutation, AccountsQuery
from service.auth.schema import AuthMutation, AuthQuery
from service.core.graphql import DomainErrors, QuietSchema, limit_extensions
from service.core.settings import Settings
from service.oauth.schema import OAuthMutation, OAuthQuery
from service.organisations.schema import OrganisationsMutation, OrganisationsQuery
from service.systems.schema import SystemsMutation, SystemsQuery

QUERIES: tuple[type, ...] = (
    AuthQuery,
    AccountsQuery,
    OrganisationsQuery,
    SystemsQuery,
    OAuthQuery,
)
MUTATIONS: tuple[type, ...] = (
    AuthMutation,
    AccountsMutation,
    OrganisationsMutation,
    SystemsMutation,
    OAuthMutation,
)


def build_schema(settings: Settings) -> strawberry.Schema:
    query = merge_types("Query", QUERIES)
    mutation = merge_types("Mutation", MUTATIONS)
    extensions: list[object] = [*limit_extensions(settings), DomainErrors]
    if not settings.introspection_enabled:
        extensions.append(DisableIntrospection)
    return QuietSchema(
        query=query,
        mutation=mutation,
        extensions=extensions,  # type: ignore[arg-type]
        config=StrawberryConfig(batching_config={"max_operations": settings.graphql_max_batch}),
    )
