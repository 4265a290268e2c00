"""Root mutation fields."""

from __future__ import annotations

import strawberry


@strawberry.type(description="Ingest data, record what agents did, and manage shop policy.")
class Mutation:
    @strawberry.mutation(description="Does nothing; proves the write path is reachable.")
    def ping(self) -> bool:
        return True
