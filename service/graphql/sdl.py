"""The exported SDL, committed as schema/schema.graphql and checked by a test."""

from __future__ import annotations

from pathlib import Path

from service.graphql.schema import build_schema

SDL_PATH = Path(__file__).resolve().parents[2] / "schema" / "schema.graphql"


def render_sdl() -> str:
    return build_schema().as_str().rstrip() + "\n"


def main() -> None:
    SDL_PATH.write_text(render_sdl(), encoding="utf-8")


if __name__ == "__main__":
    main()
