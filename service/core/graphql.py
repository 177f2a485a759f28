"""GraphQL plumbing shared by the domains: request context, error mapping, abuse limits."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.fastapi import BaseContext
from strawberry.types import ExecutionContext, Info

from service.core.errors import DomainError, RateLimited, Unauthenticated, as_domain_error
from service.core.graphql_cost import cost_limit_rule
from service.core.settings import Settings

logger = logging.getLogger("service.graphql")
T = TypeVar("T")


class RequestContext(BaseContext):
    """Per-request state: dependencies, the client address, the caller, DataLoaders."""

    def __init__(
        self,
        deps: Any,
        client_address: str,
        authorization: str | None,
        authenticate: Callable[[str], Awaitable[Any]],
    ) -> None:
        super().__init__()
        self.deps = deps
        self._authenticate = authenticate
        self.client_address = client_address
        self.authorization = authorization
        self._caller: Any = None
        self._tree: Any = None
        self._loaders: dict[str, Any] = {}

    async def caller(self) -> Any:
        """The authenticated caller, verified once per request."""
        if self._caller is None:
            token = bearer_token(self.authorization)
            if token is None:
                raise Unauthenticated("unauthenticated", "A bearer token is required")
            self._caller = await self._authenticate(token)
            self._tree = self._caller.tree
        return self._caller

    async def tree(self) -> Any:
        """The organisation tree snapshot, read once per request."""
        if self._tree is None:
            self._tree = await self.deps.org_tree.current()
        return self._tree

    def loader(self, name: str, factory: Callable[[], T]) -> T:
        """The request's DataLoader called ``name``, created on first use."""
        if name not in self._loaders:
            self._loaders[name] = factory()
        return self._loaders[name]  # type: ignore[no-any-return]


def context_of(info: Info[Any, Any]) -> RequestContext:
    return info.context  # type: ignore[no-any-return]


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _mapped(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if original is None:
        return error
    original = as_domain_error(original) or original
    if isinstance(original, DomainError):
        extensions: dict[str, Any] = {"code": original.graphql_code, "reason": original.code}
        if original.details:
            extensions["details"] = original.details
        if isinstance(original, RateLimited):
            extensions["retryAfter"] = original.retry_after
        return GraphQLError(
            original.message, nodes=error.nodes, path=error.path, extensions=extensions
        )
    if isinstance(original, GraphQLError):
        return error
    return GraphQLError(
        "Internal server error",
        nodes=error.nodes,
        path=error.path,
        extensions={"code": "INTERNAL_SERVER_ERROR"},
    )


class DomainErrors(SchemaExtension):
    """Domain errors become ``extensions.code``/``reason``; anything else is masked."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [_mapped(error) for error in result.errors]


def limit_extensions(settings: Settings) -> list[Any]:
    """Documents over a limit are refused whole, before any resolver runs."""
    return [
        lambda: AddValidationRules([cost_limit_rule(settings.graphql_max_cost)]),
        lambda: MaxTokensLimiter(max_token_count=settings.graphql_max_tokens),
        lambda: QueryDepthLimiter(max_depth=settings.graphql_max_depth),
        lambda: MaxAliasesLimiter(max_alias_count=settings.graphql_max_aliases),
    ]


class QuietSchema(strawberry.Schema):
    """Logs only unexpected errors, and never the document (it may hold a password)."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            original = error.original_error
            if original is None or isinstance(original, DomainError | GraphQLError):
                continue
            if as_domain_error(original) is not None:
                continue
            logger.error(
                "unexpected error in resolver %s",
                ".".join(map(str, error.path or [])),
                exc_info=(type(original), original, original.__traceback__),
            )
