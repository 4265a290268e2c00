"""Which force-majeure exemption covers a case (004 §4, 免考核).

An exemption names a carrier, a region and a period. A case is covered when its latest
parcel went with that carrier, the order's destination lies in the region, and the
parcel's last movement falls in the period.

The region is matched against the destination, not the place of the last scan: the
platform announces exemptions for the areas whose deliveries are restricted (the
buyers' provinces and cities), and the destination is reported as a province and a
city, where a scan place is the carrier's free text ("义乌分拨中心").

The time is the parcel's last movement (its latest tracking event, else its pickup or
upload): when it stopped, which is what the disrupted period explains. It depends on
the facts alone, so coverage never changes with the clock and a stored decision stays
exact until the facts or the exemptions change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from service.decision.facts import ExemptionFacts, OrderFacts, ShipmentFacts


def same_name(a: str | None, b: str | None) -> bool:
    """Carrier and place names compare without surrounding blanks and case."""
    return a is not None and b is not None and a.strip().casefold() == b.strip().casefold()


def last_movement(shipment: ShipmentFacts) -> datetime | None:
    """When the parcel last moved: its latest event, else pickup, upload or hand-over."""
    if shipment.events:
        return max(e.at for e in shipment.events)
    return shipment.picked_up_at or shipment.tracking_uploaded_at or shipment.shipped_offline_at


def covers(ex: ExemptionFacts, order: OrderFacts, shipment: ShipmentFacts | None) -> bool:
    """Whether ``ex`` covers the order's latest parcel (see the module docstring)."""
    if shipment is None or not same_name(ex.carrier, shipment.carrier):
        return False
    if not same_name(ex.province, order.destination_province):
        return False
    if ex.city is not None and not same_name(ex.city, order.destination_city):
        return False
    at = last_movement(shipment)
    return at is not None and ex.starts_at <= at < ex.ends_at


def covering(
    exemptions: Iterable[ExemptionFacts], order: OrderFacts, shipment: ShipmentFacts | None
) -> ExemptionFacts | None:
    """The exemption to cite for this case: of those covering it, the earliest declared
    (lowest number), so the citation is stable; None when none covers it."""
    found = [ex for ex in exemptions if covers(ex, order, shipment)]
    return min(found, key=lambda ex: ex.number) if found else None
