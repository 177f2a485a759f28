"""Print the GraphQL SDL exported from the code (``make schema`` writes it to schema.graphql)."""

from __future__ import annotations

from service.core.settings import Settings
from service.schema import build_schema


def exported_sdl() -> str:
    settings = Settings(jwt_secret="x" * 32, data_key="x" * 32)
    return build_schema(settings).as_str().rstrip() + "\n"


if __name__ == "__main__":
    print(exported_sdl(), end="")
