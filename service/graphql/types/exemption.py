"""A declared force-majeure exemption as the API shows it."""

from __future__ import annotations

from datetime import datetime

import strawberry

from service.db.models import Exemption
from service.graphql.relay import to_global_id


@strawberry.type(
    name="Exemption",
    description="A force-majeure exemption (免考核, 004 §4): logistics penalties waived for one"
    " carrier's parcels bound for a region whose last movement falls in a period. Covered"
    " decisions keep their action, drop the penalty and cite the exemption's number.",
)
class ExemptionType:
    id: strawberry.ID = strawberry.field(description="Global id (revokeExemption takes it).")
    number: int = strawberry.field(
        description='The number decisions cite ("force-majeure exemption #12").'
    )
    carrier: str = strawberry.field(description="The carrier, as parcels name it.")
    province: str = strawberry.field(description="The destination province it covers.")
    city: str | None = strawberry.field(
        description="The destination city it covers; null: the whole province."
    )
    starts_at: datetime = strawberry.field(description="Start of the period (UTC), inclusive.")
    ends_at: datetime = strawberry.field(description="End of the period (UTC), exclusive.")
    reference: str = strawberry.field(
        description="The platform's notice or ticket the admin quoted; may be empty."
    )
    revoked_at: datetime | None = strawberry.field(
        description="When an admin revoked it (UTC); null while it stands."
    )

    @classmethod
    def from_model(cls, row: Exemption) -> ExemptionType:
        return cls(
            id=strawberry.ID(to_global_id("Exemption", row.id)),
            number=row.id,
            carrier=row.carrier,
            province=row.province,
            city=row.city,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            reference=row.reference,
            revoked_at=row.revoked_at,
        )
