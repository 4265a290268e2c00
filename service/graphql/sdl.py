"""The exported SDLs, committed as schema/schema.graphql (what /graphql serves) and
schema/schema.federation.graphql (what /subgraph gives a federation gateway), each
checked by a test."""

from __future__ import annotations

from pathlib import Path

from service.graphql.schema import build_schema

SDL_PATH = Path(__file__).resolve().parents[2] / "schema" / "schema.graphql"


def render_sdl() -> str:
    return build_schema().as_str().rstrip() + "\n"


def main() -> None:
    from service.graphql.federation import FEDERATION_SDL_PATH, render_federation_sdl

    SDL_PATH.write_text(render_sdl(), encoding="utf-8")
    FEDERATION_SDL_PATH.write_text(render_federation_sdl(), encoding="utf-8")


if __name__ == "__main__":
    main()
