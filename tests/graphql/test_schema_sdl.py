"""The committed SDL is the schema the code serves, and the README's documents are
valid against it."""

from __future__ import annotations

import re
from pathlib import Path

from graphql import build_schema, parse, validate

from service.graphql.sdl import SDL_PATH, render_sdl

README = Path(__file__).resolve().parents[2] / "README.md"


def test_committed_sdl_matches_the_code() -> None:
    assert SDL_PATH.read_text(encoding="utf-8") == render_sdl(), (
        "schema/schema.graphql is stale: run `python -m service.graphql.sdl` and commit it"
    )


def readme_documents() -> list[str]:
    return re.findall(r"```graphql\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_readme_documents_validate_against_the_sdl() -> None:
    schema = build_schema(SDL_PATH.read_text(encoding="utf-8"))
    documents = readme_documents()
    assert len(documents) >= 3
    for document in documents:
        errors = validate(schema, parse(document))
        assert errors == [], (document, errors)
