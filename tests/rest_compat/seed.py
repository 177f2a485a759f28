"""The legacy API page (tests/rest_compat/seed/), parsed into its example bodies."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

SEED = Path(__file__).parent / "seed" / "accounts-api-seed.txt"


def _balanced_blocks(text: str) -> list[str]:
    blocks: list[str] = []
    depth = 0
    start = -1
    in_string = False
    for index, char in enumerate(text):
        if char == '"':
            in_string = not in_string
        if in_string:
            continue
        if char in "{[":
            if depth == 0:
                if text[index + 1 : index + 2] != "-":
                    continue
                start = index
            depth += 1
        elif char in "}]" and depth > 0:
            depth -= 1
            if depth == 0:
                blocks.append(text[start : index + 1])
    return blocks


def _to_json(block: str) -> Any:
    cleaned = re.sub(r"([\[{,])\s*-\s", r"\1 ", block)
    cleaned = re.sub(r"\n-\s", "\n", cleaned)
    return json.loads(cleaned)


def seed_examples() -> list[Any]:
    """Every example body of the seed, in page order."""
    return [_to_json(block) for block in _balanced_blocks(SEED.read_text())]


def field_paths(example: Any, prefix: str = "") -> set[str]:
    """Dotted field names of a body; list items are ``[]``; free-form maps stop at the map."""
    paths: set[str] = set()
    if isinstance(example, list):
        return field_paths(example[0], prefix + "[]") if example else paths
    if isinstance(example, dict):
        if set(example) <= {"property1", "property2"}:
            return paths
        for key, value in example.items():
            path = f"{prefix}.{key}" if prefix else key
            paths.add(path)
            paths |= field_paths(value, path)
    return paths
