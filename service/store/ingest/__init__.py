"""Writes for the ingest mutations: look rows up within one shop, check that the
result is consistent, then write.

Nothing here knows about GraphQL: problems are reported as :class:`Issue` (a field
path in the caller's input vocabulary, a code and a message) inside :class:`Rejected`.
Callers run these functions inside a savepoint, so raising ``Rejected`` after a flush
still leaves nothing written. Services only ``flush()``; the request commits.
"""

from service.store.ingest.common import (
    BUYER_DECLARED,
    MAX_ORDERS,
    MAX_REFERENCE,
    MAX_SHIPMENTS,
    MAX_TRACKING_EVENTS,
    Issue,
    IssueCode,
    Path,
    Rejected,
    camel,
    fact_field,
    get_owned,
    latest_shipment,
    order_by_number,
)
from service.store.ingest.evidence import attach_evidence
from service.store.ingest.orders import upsert_orders
from service.store.ingest.parcels import ParcelIn, upsert_shipments
from service.store.ingest.refunds import create_refund_request, update_refund_status
from service.store.ingest.shipments import EventIn, append_tracking_events, record_shipment

__all__ = [
    "BUYER_DECLARED",
    "MAX_ORDERS",
    "MAX_REFERENCE",
    "MAX_SHIPMENTS",
    "MAX_TRACKING_EVENTS",
    "EventIn",
    "Issue",
    "IssueCode",
    "ParcelIn",
    "Path",
    "Rejected",
    "append_tracking_events",
    "attach_evidence",
    "camel",
    "create_refund_request",
    "fact_field",
    "get_owned",
    "latest_shipment",
    "order_by_number",
    "record_shipment",
    "update_refund_status",
    "upsert_orders",
    "upsert_shipments",
]
