"""The Apollo Federation subgraph: the same types and resolvers as /graphql, plus
``_service`` and ``_entities``, served at /subgraph for a gateway.

``Order``, ``Shipment`` and ``RefundRequest`` are entities keyed on their global id;
``Order`` also on ``platform orderNumber``, so an order service can join on its own key.
An entity lookup is scoped to the caller's shop exactly as ``node`` is: a key naming
another shop's object (or nothing) resolves to null.

The ``@key`` directives are attached to the shared types only while this schema is
built and printed (see :func:`_entity_keys`): strawberry would otherwise register the
``key`` directive and its ``_FieldSet`` scalar in the plain schema too, which ordinary
clients introspect and which ``schema/schema.graphql`` must not gain.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from sqlalchemy import select
from strawberry.federation import Schema as FederationSchema
from strawberry.federation.schema import FederationAny
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet
from strawberry.printer import print_schema

from service.db import models
from service.decision.facts import Platform
from service.graphql.context import Info
from service.graphql.errors import ClientError
from service.graphql.execution import PlainFieldExecutionContext
from service.graphql.mutations import Mutation
from service.graphql.queries import Query
from service.graphql.relay import MAX_PAGE, decode_id
from service.graphql.schema import (
    MAX_QUERY_DEPTH,
    ExtensionFactory,
    schema_config,
    schema_extensions,
)
from service.graphql.types.order import OrderType
from service.graphql.types.refund import RefundRequestType
from service.graphql.types.shipment import ShipmentType

FEDERATION_SDL_PATH = Path(__file__).resolve().parents[2] / "schema" / "schema.federation.graphql"

# Entity type -> its @key field sets, in the order the SDL lists them.
ENTITY_KEYS: Mapping[type, tuple[str, ...]] = {
    OrderType: ("id", "platform orderNumber"),
    ShipmentType: ("id",),
    RefundRequestType: ("id",),
}

Entity = Annotated[
    OrderType | RefundRequestType | ShipmentType,
    strawberry.union(
        "_Entity",
        description="Every type other subgraphs can extend or reference: Order, RefundRequest"
        " and Shipment.",
    ),
]


@contextmanager
def _entity_keys() -> Iterator[None]:
    definitions = [(cls.__strawberry_definition__, keys) for cls, keys in ENTITY_KEYS.items()]  # type: ignore[attr-defined]
    saved = [definition.directives for definition, _ in definitions]
    for definition, keys in definitions:
        added = [Key(fields=FieldSet(k)) for k in keys]
        definition.directives = [*(definition.directives or ()), *added]
    try:
        yield
    finally:
        for (definition, _), directives in zip(definitions, saved, strict=True):
            definition.directives = directives


class EntityKeyError(ClientError):
    """A representation the gateway sent is not a key of one of our entities."""


def _representation_error(index: int, message: str) -> EntityKeyError:
    return EntityKeyError(f"representations[{index}]: {message}")


async def resolve_entities(
    info: Info, representations: Sequence[Any]
) -> list[OrderType | RefundRequestType | ShipmentType | EntityKeyError | None]:
    """One answer per representation, in order; the lookups of one call are batched:
    by id through the request's DataLoaders, by order number in one statement."""
    if len(representations) > MAX_PAGE:
        raise ClientError(
            f"representations: at most {MAX_PAGE} per call, got {len(representations)}"
        )
    loaders = info.context.loaders
    by_type = {
        "Order": loaders.order,
        "Shipment": loaders.shipment,
        "RefundRequest": loaders.refund,
    }
    wanted: list[tuple[str, int] | tuple[Platform, str] | EntityKeyError | None] = []
    for index, rep in enumerate(representations):
        wanted.append(_parse_representation(index, rep, by_type.keys()))

    numbers = {
        str(key[1]) for key in wanted if isinstance(key, tuple) and isinstance(key[0], Platform)
    }
    orders_by_number = await _orders_by_number(info, sorted(numbers)) if numbers else {}

    async def one(key: tuple[Any, Any] | EntityKeyError | None) -> Any:
        if key is None or isinstance(key, EntityKeyError):
            return key
        if isinstance(key[0], Platform):
            order = orders_by_number.get(key[1])
            return OrderType.from_model(order) if order and order.platform == key[0] else None
        type_name, pk = key
        row = await by_type[type_name].load(pk)
        if row is None:
            return None
        if type_name == "Order":
            return OrderType.from_model(row)
        if type_name == "Shipment":
            return ShipmentType.from_model(row)
        return RefundRequestType.from_model(row)

    # Gathered, so the loaders see every id before they dispatch: one query per type.
    return list(await asyncio.gather(*(one(key) for key in wanted)))


def _parse_representation(
    index: int, rep: Any, type_names: Any
) -> tuple[str, int] | tuple[Platform, str] | EntityKeyError | None:
    """(type, pk) or (platform, order number); None when the key names nothing here."""
    if not isinstance(rep, dict) or not isinstance(rep.get("__typename"), str):
        return _representation_error(index, "must be an object with a __typename")
    type_name = rep["__typename"]
    if type_name not in type_names:
        return _representation_error(
            index, f"__typename: {type_name!r} is not an entity of this subgraph"
        )
    if "id" in rep:
        if not isinstance(rep["id"], str):
            return _representation_error(index, "id: must be a string")
        pk = decode_id(rep["id"], type_name)
        return (type_name, pk) if pk is not None else None
    if type_name == "Order" and "platform" in rep and "orderNumber" in rep:
        platform, number = rep["platform"], rep["orderNumber"]
        if not isinstance(platform, str) or not isinstance(number, str):
            return _representation_error(index, "platform and orderNumber: must be strings")
        # A platform this service does not serve names no order here, like an unknown id.
        if platform not in Platform.__members__:
            return None
        return (Platform[platform], number)
    keys = "`id` or `platform` and `orderNumber`" if type_name == "Order" else "`id`"
    return _representation_error(index, f"{type_name} needs {keys}")


async def _orders_by_number(info: Info, numbers: list[str]) -> dict[str, models.Order]:
    context = info.context
    async with context.db_lock:
        rows = (
            await context.session.execute(
                select(models.Order).where(
                    models.Order.shop_id == context.shop_id,
                    models.Order.order_number.in_(numbers),
                )
            )
        ).scalars()
        found = {row.order_number: row for row in rows}
    # Later id lookups of the same orders in this request reuse these rows.
    context.loaders.prime(context.loaders.order, list(found.values()))
    return found


@strawberry.type(
    name="_Service", description="What a federation gateway reads to compose the supergraph."
)
class ServiceInfo:
    sdl: str = strawberry.field(
        description="This subgraph's schema with its federation directives (@key, @link)."
    )


@strawberry.type(
    name="Query",
    description="Read the calling shop's orders, refund requests, shipments and decisions;"
    " and, for a federation gateway, this subgraph's schema and its entities.",
)
class FederationQuery(Query):
    @strawberry.field(
        name="_entities",
        description="The entities named by the gateway's representations, one per"
        " representation and in order; null for a key that names nothing in the caller's shop.",
    )
    async def entities(
        self,
        info: Info,
        representations: Annotated[
            list[FederationAny],
            strawberry.argument(
                description=f"Entity keys, at most {MAX_PAGE}: `__typename` with `id`, or for"
                " an Order `platform` and `orderNumber`."
            ),
        ],
    ) -> list[Entity | None]:
        return await resolve_entities(info, representations)  # type: ignore[return-value]

    @strawberry.field(
        name="_service", description="This subgraph's federation SDL, for the gateway."
    )
    def service(self, info: Info) -> ServiceInfo:
        schema = info.schema
        assert isinstance(schema, SubgraphSchema)
        return ServiceInfo(sdl=schema.federation_sdl)


class SubgraphSchema(FederationSchema):
    """The federation schema; its SDL is printed once, while the keys are attached."""

    federation_sdl: str

    def __init__(self, **kwargs: Any) -> None:
        with _entity_keys():
            super().__init__(**kwargs)
            self.federation_sdl = print_schema(self).rstrip() + "\n"

    def as_str(self) -> str:
        return self.federation_sdl

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        # As for /graphql (service.graphql.schema.Schema): ErrorCodes logs what matters.
        return None


def build_federation_schema(
    *,
    extra_extensions: tuple[ExtensionFactory, ...] = (),
    max_query_depth: int = MAX_QUERY_DEPTH,
) -> SubgraphSchema:
    return SubgraphSchema(
        query=FederationQuery,
        mutation=Mutation,
        config=schema_config(),
        extensions=schema_extensions(
            extra_extensions=extra_extensions, max_query_depth=max_query_depth
        ),
        execution_context_class=PlainFieldExecutionContext,
    )


def render_federation_sdl() -> str:
    return build_federation_schema().as_str()
