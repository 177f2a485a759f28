"""schema.graphql is the SDL exported from the code."""

from __future__ import annotations

from pathlib import Path

from scripts.export_schema import exported_sdl

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_schema_graphql_matches_the_code() -> None:
    assert SCHEMA_FILE.read_text() == exported_sdl(), "run `make schema` and commit schema.graphql"
