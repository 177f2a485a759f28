"""OAuth/OIDC provider configurations (both APIs); the client secret is sealed at rest and
only ever shown masked."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel

from service.accounts.documents import PermissionLevel
from service.auth.caller import Caller
from service.core.clock import now_ms
from service.core.errors import Conflict, NotFound, invalid_field
from service.core.ids import is_client_id
from service.core.outbox import new_event, retry_lost_races, write_change
from service.dependencies import Dependencies
from service.oauth.documents import OAuthProvider
from service.organisations.tree import BULK_BATCH_SIZE, OrgTree
from service.tombstones import bury, insert_or_revive

RESOURCE = "oauth_providers"
MASK = "****"
MIN_SECRET_FOR_HINT = 12
URL_FIELDS = ("issuer_url", "token_url", "jwk_url", "redirect_url", "frontend_url")
TEXT_FIELDS = ("client_id", *URL_FIELDS)
MAX_ATTEMPTS = 20
NOT_DELETED: dict[str, Any] = {"deleted": {"$ne": True}}


class ProviderCreate(BaseModel):
    id: str
    owner: str
    client_id: str
    client_secret: str
    issuer_url: str
    token_url: str
    jwk_url: str
    redirect_url: str
    frontend_url: str


class ProviderUpdate(BaseModel):
    """``None`` leaves a field unchanged; the masked secret sent back leaves it unchanged."""

    id: str | None = None
    owner: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    issuer_url: str | None = None
    token_url: str | None = None
    jwk_url: str | None = None
    redirect_url: str | None = None
    frontend_url: str | None = None


@dataclass(frozen=True)
class ProviderView:
    id: str
    owner: str
    client_id: str
    client_secret: str  # masked
    issuer_url: str
    token_url: str
    jwk_url: str
    redirect_url: str
    frontend_url: str
    created: int
    updated: int

    def public_fields(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def event_fields(self) -> dict[str, Any]:
        """What events carry: no secret at all, not even masked."""
        return {key: value for key, value in self.__dict__.items() if key != "client_secret"}


@dataclass(frozen=True)
class PublicProvider:
    id: str
    owner: str


def mask(hint: str) -> str:
    return MASK + hint


def secret_hint(secret: str) -> str:
    """The last 4 characters, kept only when the secret is long enough to spare them."""
    return secret[-4:] if len(secret) >= MIN_SECRET_FOR_HINT else ""


def view_of(provider: OAuthProvider) -> ProviderView:
    return ProviderView(
        id=provider.id,
        owner=provider.owner,
        client_id=provider.client_id,
        client_secret=mask(provider.client_secret_hint),
        issuer_url=provider.issuer_url,
        token_url=provider.token_url,
        jwk_url=provider.jwk_url,
        redirect_url=provider.redirect_url,
        frontend_url=provider.frontend_url,
        created=provider.created,
        updated=provider.updated,
    )


# --- validation --------------------------------------------------------------------------


def owner_org(owner: str) -> str:
    return owner.split(":", 1)[0]


def _owner_in_scope(caller: Caller, tree: OrgTree, owner: str) -> bool:
    org_id, _, unit = owner.partition(":")
    if not caller.reaches(org_id):
        return False
    return not unit or unit in tree.nodes[org_id].units


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _validate_url(name: str, value: str) -> None:
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
    except ValueError:
        raise invalid_field(name, "not a URL") from None
    if parts.scheme == "https" and host:
        return
    if parts.scheme == "http" and _is_loopback(host):
        return
    raise invalid_field(name, "must be an https:// URL (http:// only to loopback)")


def _validate_fields(values: dict[str, Any]) -> None:
    for name in TEXT_FIELDS:
        if name in values and not values[name]:
            raise invalid_field(name, "cannot be empty")
    for name in URL_FIELDS:
        if name in values:
            _validate_url(name, values[name])
    if "client_secret" in values and not values["client_secret"]:
        raise invalid_field("client_secret", "cannot be empty")


# --- reads -------------------------------------------------------------------------------


async def _documents(query: dict[str, Any]) -> list[OAuthProvider]:
    cursor = (
        OAuthProvider.get_pymongo_collection()
        .find({**query, **NOT_DELETED}, batch_size=BULK_BATCH_SIZE)
        .sort("_id", 1)
    )
    return [OAuthProvider.model_validate(raw) async for raw in cursor]


async def list_providers(*, caller: Caller, search: str | None = None) -> list[ProviderView]:
    """Providers whose owner organisation is in scope, sorted by id."""
    caller.require(RESOURCE, PermissionLevel.READ)
    query: dict[str, Any] = {}
    if search:
        query["_id"] = {"$regex": re.escape(search), "$options": "i"}
    return [
        view_of(provider)
        for provider in await _documents(query)
        if caller.reaches(owner_org(provider.owner))
    ]


async def public_providers(*, deps: Dependencies, owner: str | None) -> list[PublicProvider]:
    """What a login page for ``owner`` (an org or ``org:unit``) offers; the org's own
    providers show on each of its units' pages. Nothing for a disabled organisation."""
    if not owner:
        return []
    org_id = owner_org(owner)
    tree = await deps.org_tree.current()
    if not tree.is_active(org_id):
        return []
    owners = sorted({owner, org_id})
    providers = await _documents({"owner": {"$in": owners}})
    return [PublicProvider(id=p.id, owner=p.owner) for p in providers]


async def _in_scope(caller: Caller, provider_id: str) -> OAuthProvider:
    raw = await OAuthProvider.get_pymongo_collection().find_one({"_id": provider_id, **NOT_DELETED})
    provider = None if raw is None else OAuthProvider.model_validate(raw)
    if provider is None or not caller.reaches(owner_org(provider.owner)):
        raise NotFound("not_found", "No such OAuth provider")
    return provider


# --- changes -----------------------------------------------------------------------------


async def create_provider(
    *, deps: Dependencies, caller: Caller, data: ProviderCreate
) -> ProviderView:
    caller.require(RESOURCE, PermissionLevel.WRITE)
    if not _owner_in_scope(caller, caller.tree, data.owner):
        raise invalid_field("owner", "no such organisation or unit")
    if not is_client_id(data.id):
        raise invalid_field("id", "1-64 characters of A-Z a-z 0-9 _ - .")
    _validate_fields(data.model_dump())
    now = now_ms()
    values = data.model_dump(exclude={"client_secret"})
    provider = OAuthProvider(
        **values,
        client_secret_sealed=deps.cipher.encrypt(data.client_secret),
        client_secret_hint=secret_hint(data.client_secret),
        created=now,
        updated=now,
    )
    view = view_of(provider)
    event = new_event(
        "accounts.oauth_provider.created", provider.id, view.event_fields(), actor_id=caller.id
    )
    collection = OAuthProvider.get_pymongo_collection()
    if not await insert_or_revive(collection, provider.model_dump(by_alias=True), event):
        raise Conflict("conflict", "An OAuth provider with this id exists")
    deps.wake_outbox()
    return view


def _changes(
    deps: Dependencies, caller: Caller, provider: OAuthProvider, data: ProviderUpdate
) -> dict[str, Any]:
    """The stored fields to set: only those that differ, in the contract's check order."""
    sent = data.model_dump(exclude_none=True, exclude={"id", "client_secret"})
    changes = {key: value for key, value in sent.items() if getattr(provider, key) != value}
    if "owner" in changes and not _owner_in_scope(caller, caller.tree, changes["owner"]):
        raise invalid_field("owner", "no such organisation or unit")
    if data.id is not None and data.id != provider.id:
        raise invalid_field("id", "must equal the provider id of the path")
    _validate_fields(changes)
    secret = data.client_secret
    if secret is not None and secret != mask(provider.client_secret_hint):
        if not secret:
            raise invalid_field("client_secret", "cannot be empty")
        if secret != deps.cipher.decrypt(provider.client_secret_sealed):
            changes["client_secret_sealed"] = deps.cipher.encrypt(secret)
            changes["client_secret_hint"] = secret_hint(secret)
    return changes


async def update_provider(
    *, deps: Dependencies, caller: Caller, provider_id: str, data: ProviderUpdate
) -> ProviderView:
    caller.require(RESOURCE, PermissionLevel.WRITE)

    async def attempt() -> ProviderView | None:
        provider = await _in_scope(caller, provider_id)
        changes = _changes(deps, caller, provider, data)
        if not changes:
            return view_of(provider)
        changes["updated"] = now_ms()
        after = provider.model_copy(update=changes)
        event = new_event(
            "accounts.oauth_provider.updated",
            provider.id,
            view_of(after).event_fields(),
            actor_id=caller.id,
        )
        written = await write_change(
            OAuthProvider.get_pymongo_collection(),
            match={"_id": provider.id, "version": provider.version},
            update={"$set": changes},
            events=[event],
        )
        return None if written is None else view_of(OAuthProvider.model_validate(written))

    view = await retry_lost_races(attempt, what="The OAuth provider")
    deps.wake_outbox()
    return view


async def delete_provider(*, deps: Dependencies, caller: Caller, provider_id: str) -> None:
    caller.require(RESOURCE, PermissionLevel.WRITE)

    async def attempt() -> bool | None:
        provider = await _in_scope(caller, provider_id)
        event = new_event(
            "accounts.oauth_provider.deleted",
            provider.id,
            view_of(provider).event_fields(),
            actor_id=caller.id,
        )
        return await bury(
            OAuthProvider.get_pymongo_collection(),
            document_id=provider.id,
            version=provider.version,
            event=event,
        )

    await retry_lost_races(attempt, what="The OAuth provider")
    deps.wake_outbox()
