"""The organisation tree, cached whole in each process and tagged with the tree version.

Organisations are few and read on every login and scope check, so scope, ancestors,
descendants, effective currency and brand paths are pure functions of an in-memory
snapshot. Each request reads the one tree-version document and reloads when it moved.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field

from service.core.atomic import atomic_update
from service.core.clock import now_ms
from service.organisations.documents import TREE_VERSION_ID, Organisation, TreeVersion

# Reads that fetch "all of them" ask for one big batch, so the number of round trips does
# not grow with the number of documents (MongoDB still cuts a batch at 16 MiB).
BULK_BATCH_SIZE = 100_000
MOVE_LEASE_MS = 10_000


@dataclass(frozen=True)
class OrgNode:
    id: str
    name: str | None
    parent_id: str | None
    enabled: bool
    base_currency: str | None
    units: tuple[str, ...]


@dataclass
class OrgTree:
    version: int
    nodes: dict[str, OrgNode]
    children: dict[str, list[str]] = field(init=False)

    def __post_init__(self) -> None:
        self.children = {org_id: [] for org_id in self.nodes}
        for node in sorted(self.nodes.values(), key=lambda n: n.id):
            if node.parent_id in self.children:
                self.children[node.parent_id].append(node.id)

    def __contains__(self, org_id: object) -> bool:
        return org_id in self.nodes

    def ancestors(self, org_id: str) -> list[str]:
        """Ancestors root first, without the organisation itself."""
        chain: list[str] = []
        seen = {org_id}
        parent = self.nodes[org_id].parent_id if org_id in self.nodes else None
        while parent is not None and parent in self.nodes and parent not in seen:
            chain.append(parent)
            seen.add(parent)
            parent = self.nodes[parent].parent_id
        chain.reverse()
        return chain

    def descendants(self, org_id: str, max_depth: int | None = None) -> list[str]:
        """Descendants breadth first, without the organisation itself."""
        found: list[str] = []
        level = [org_id]
        depth = 0
        seen = {org_id}
        while level and (max_depth is None or depth < max_depth):
            depth += 1
            next_level = []
            for current in level:
                for child in self.children.get(current, []):
                    if child not in seen:
                        seen.add(child)
                        next_level.append(child)
            found.extend(next_level)
            level = next_level
        return found

    def effective_currency(self, org_id: str) -> str | None:
        for candidate in [org_id, *reversed(self.ancestors(org_id))]:
            currency = self.nodes[candidate].base_currency if candidate in self.nodes else None
            if currency:
                return currency
        return None

    def is_active(self, org_id: str) -> bool:
        """True when the organisation and every ancestor of it exist and are enabled."""
        if org_id not in self.nodes:
            return False
        return all(self.nodes[o].enabled for o in [org_id, *self.ancestors(org_id)])

    def reach(self, roots: Iterable[str], *, bound: bool) -> set[str]:
        reached: set[str] = set()
        for root in roots:
            if root not in self.nodes:
                continue
            reached.add(root)
            if not bound:
                reached.update(self.descendants(root))
        return reached


class OrgTreeCache:
    """Per-process cache; the version read is one small point lookup."""

    def __init__(self) -> None:
        self._tree: OrgTree | None = None
        self._lock = asyncio.Lock()

    async def current(self) -> OrgTree:
        stored = await TreeVersion.get(TREE_VERSION_ID)
        version = stored.version if stored else 0
        if self._tree is not None and self._tree.version == version:
            return self._tree
        async with self._lock:
            if self._tree is None or self._tree.version != version:
                self._tree = await _load(version)
            return self._tree


async def _load(version: int) -> OrgTree:
    collection = Organisation.get_pymongo_collection()
    nodes: dict[str, OrgNode] = {}
    projection = {"name": 1, "parent_id": 1, "enabled": 1, "base_currency": 1, "units": 1}
    cursor = collection.find({"deleted": {"$ne": True}}, projection, batch_size=BULK_BATCH_SIZE)
    async for raw in cursor:
        nodes[raw["_id"]] = OrgNode(
            id=raw["_id"],
            name=raw.get("name"),
            parent_id=raw.get("parent_id"),
            enabled=raw.get("enabled", True),
            base_currency=raw.get("base_currency"),
            units=tuple(raw.get("units") or ()),
        )
    return OrgTree(version=version, nodes=nodes)


async def bump_tree_version() -> int:
    """Move the tree version after a change, so every process reloads its copy.

    Under the document's lease: FerretDB would lose one of two concurrent ``$inc``, and a
    lost bump leaves a stale tree cached under the newer version.
    """
    updated = await atomic_update(
        TreeVersion.get_pymongo_collection(),
        {"_id": TREE_VERSION_ID},
        {"$inc": {"version": 1}},
        upsert=True,
    )
    assert updated is not None
    return int(updated["version"])


async def claim_tree_for_move(version: int, owner: str) -> bool:
    """Compare-and-set on the tree version: claim it for one move, decided on ``version``.

    Succeeds only when nothing changed the tree since ``version`` was read and no other move
    holds the claim (or its lease expired). The claim moves the version, so a concurrent
    mover that read the same version fails its own claim and re-checks on the new tree; it
    stays held until release_tree_move(), so nobody decides a move on a tree whose pending
    move is not yet written.
    """
    now = now_ms()
    claimed = await atomic_update(
        TreeVersion.get_pymongo_collection(),
        {
            "_id": TREE_VERSION_ID,
            "version": version,
            "$or": [{"move_until": {"$exists": False}}, {"move_until": {"$lt": now}}],
        },
        {"$inc": {"version": 1}, "$set": {"move_owner": owner, "move_until": now + MOVE_LEASE_MS}},
    )
    return claimed is not None


async def release_tree_move(owner: str) -> None:
    """End a move's claim and move the version again, so caches drop the pre-move tree."""
    await atomic_update(
        TreeVersion.get_pymongo_collection(),
        {"_id": TREE_VERSION_ID, "move_owner": owner},
        {"$inc": {"version": 1}, "$set": {"move_owner": None, "move_until": 0}},
    )
