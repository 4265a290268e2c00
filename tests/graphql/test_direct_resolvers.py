"""Fields called directly (service.graphql.direct_resolvers) get the arguments
Strawberry's wrapper would give their resolvers, for every replaced field."""

from __future__ import annotations

from typing import Any

import pytest
import strawberry
from graphql import GraphQLArgument, GraphQLField, GraphQLObjectType, Undefined
from graphql.utilities.coerce_input_value import coerce_default_value, coerce_input_value
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strawberry.schema.schema_converter import get_arguments
from strawberry.types.field import StrawberryField

from service.graphql.direct_resolvers import Direct, direct, install
from service.graphql.schema import build_schema
from tests.graphql.helpers import as_data
from tests.graphql.input_values import input_values

schema = build_schema()
INSTALLED = install(schema)  # what build_schema installed: the same fields again
WITH_ARGUMENTS = sorted(key for key, call in INSTALLED.items() if call.arguments)


def _field(type_name: str, name: str) -> GraphQLField:
    type_ = schema._schema.get_type(type_name)
    assert isinstance(type_, GraphQLObjectType)
    field: GraphQLField = type_.fields[name]
    return field


def test_the_fields_a_page_calls_are_direct() -> None:
    for key in [
        ("RefundRequest", "order"),
        ("RefundRequest", "shipment"),
        ("RefundRequest", "decision"),
        ("Shipment", "events"),
        ("Decision", "script"),
        ("Query", "refundRequests"),
        ("Query", "recommend"),
    ]:
        assert isinstance(_field(*key).resolve, Direct), key


def test_mutations_and_subscriptions_keep_strawberrys_wrapper() -> None:
    assert not any(type_name in ("Mutation", "Subscription") for type_name, _ in INSTALLED)


def _arguments(data: st.DataObject, arguments: dict[str, GraphQLArgument]) -> dict[str, Any]:
    """Arguments as graphql-core hands them to a resolver: coerced, defaults filled."""
    out: dict[str, Any] = {}
    for name, argument in arguments.items():
        if data.draw(st.booleans(), label=f"{name} given"):
            raw = data.draw(input_values(argument.type), label=name)
            value = coerce_input_value(raw, argument.type)
            if value is not Undefined:
                out[argument.out_name or name] = value
                continue
        default = coerce_default_value(argument)
        if default is not Undefined:
            out[argument.out_name or name] = default
    return out


@pytest.mark.parametrize("key", WITH_ARGUMENTS, ids=".".join)
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_arguments_are_strawberrys(key: tuple[str, str], data: st.DataObject) -> None:
    # given the arguments graphql-core would pass for the field
    call = INSTALLED[key]
    field = _field(*key)
    arguments = _arguments(data, field.args)
    source, info = object(), object()
    # when the direct call and Strawberry's wrapper work out the resolver's parameters
    args, kwargs = call.parameters(source, info, arguments)  # type: ignore[arg-type]
    strawberry_info = schema.config.info_class(_raw_info=info, _field=call.field)  # type: ignore[arg-type]
    expected_args, expected_kwargs = get_arguments(
        field=call.field,
        source=source,
        info=strawberry_info,
        kwargs=arguments,
        config=schema.config,
        scalar_registry=schema.schema_converter.scalar_registry,
    )
    # then they are the same values of the same types
    assert list(args) == expected_args
    assert kwargs.keys() == expected_kwargs.keys()
    for name, value in kwargs.items():
        if name == call.info_name:
            assert value == expected_kwargs[name]
        else:
            assert as_data(value) == as_data(expected_kwargs[name]), name


def test_a_field_class_with_its_own_result_keeps_strawberrys_wrapper() -> None:
    class Doubled(StrawberryField):
        def get_result(self, source: Any, info: Any, args: list[Any], kwargs: Any) -> Any:
            result: Any = super().get_result(source, info, args, kwargs)
            return 2 * result

    def one() -> int:
        return 1

    @strawberry.type
    class Numbers:
        doubled: int = Doubled()(one)  # type: ignore[assignment]
        plain: int = strawberry.field(resolver=one)

    numbers = strawberry.Schema(query=Numbers)
    fields = numbers._schema.query_type.fields  # type: ignore[union-attr]
    assert direct(numbers, fields["doubled"]) is None
    assert direct(numbers, fields["plain"]) is not None
    assert numbers.execute_sync("{ doubled plain }").data == {"doubled": 2, "plain": 1}
