"""Each graphql-core and Strawberry internal the engine relies on still holds.

resolvers/engine/internals.py reaches every internal the engine uses, and `RELIED_ON` says what
each relies on; here is one test for each (`relies_on(name)`), on a small schema of its own. A
test that fails says which library, the range the engine was written for, and what changed,
so that an upgrade of either library fails here first, in one place.
"""

import dataclasses
import functools
import inspect
import tomllib
from collections.abc import Callable, Iterator
from enum import Enum
from operator import getitem
from typing import Any, TypeVar

import pytest
import strawberry
from graphql import (
    FieldNode,
    GraphQLError,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
    ValidationRule,
)
from graphql.execution.collect_fields import FieldDetails
from graphql.pyutils import Path
from strawberry.extensions import SchemaExtension, ValidationCache
from strawberry.schema.config import StrawberryConfig

from resolvers.engine import internals
from resolvers.engine.internals import (
    EXECUTOR_METHODS,
    RELIED_ON,
    WRITTEN_FOR,
    BaseExecutionContext,
    FieldDetailsList,
    GroupedFieldSet,
    Info,
    MaskErrors,
    Reliance,
    StrawberryField,
    add_validation_rules,
    argument_values,
    attribute_getter,
    convert_field_arguments,
    definition_of,
    enum_class_of,
    graphql_schema_of,
    is_default_resolver,
    isinstance_check_of,
    new_info,
    resolver_of,
    skip_execution,
    strawberry_schema_of,
    subfields,
    use_document,
    validation_cache,
)

from environment import ROOT

Test = TypeVar("Test", bound=Callable[..., Any])
TESTED: set[str] = set()


class Changed(Exception):
    """What the installed library does instead of what we rely on."""


def expect(condition: object, what_changed: str) -> None:
    if not condition:
        raise Changed(what_changed)


def _failure(name: str, error: BaseException) -> str:
    detail = str(error) if isinstance(error, Changed) else f"{type(error).__name__}: {error}"
    return RELIED_ON[name].changed(detail)


class relying_on:
    """Turns any failure inside into one that names the library, the range and the change."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, error: BaseException | None, _: Any) -> None:
        if isinstance(error, Exception):
            raise pytest.fail.Exception(_failure(self.name, error), pytrace=False) from None


def relies_on(name: str) -> Callable[[Test], Test]:
    """Marks the test of `RELIED_ON[name]`."""
    assert name in RELIED_ON, name
    TESTED.add(name)

    def decorate(test: Test) -> Test:
        if inspect.iscoroutinefunction(test):
            @functools.wraps(test)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                with relying_on(name):
                    return await test(*args, **kwargs)
            return run_async  # type: ignore[return-value]

        @functools.wraps(test)
        def run(*args: Any, **kwargs: Any) -> Any:
            with relying_on(name):
                return test(*args, **kwargs)
        return run  # type: ignore[return-value]

    return decorate


# --------------------------------------------------------------------------- the toy schema


@strawberry.enum
class Size(Enum):
    SMALL = "small"
    LARGE = "large"


@strawberry.input
class Span:
    low: int
    high: int = 10


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Toy(Named):
    size: Size
    maybe_colour: str | None = None

    @strawberry.field
    def plain(self) -> str:
        return self.name.upper()

    @strawberry.field
    def described(self, info: strawberry.Info) -> str:
        return f"{self.name} at {info.path.key}"

    @strawberry.field
    async def later(self) -> str:
        return self.name

    @strawberry.field
    def within(self, span: Span) -> bool:
        return span.low <= len(self.name) <= span.high

    @strawberry.field
    def from_root(root) -> str:  # Strawberry's `root` parameter: the object
        return str(root.name)

    @strawberry.field
    def with_parent(self, parent: strawberry.Parent["Toy"]) -> str:
        return parent.name


@strawberry.type
class Box:  # no interface: no `is_type_of`
    label: str


TOYS = [Toy(name="ball", size=Size.SMALL), Toy(name="kite", size=Size.LARGE, maybe_colour="red")]


@strawberry.type
class Query:
    @strawberry.field
    def toys(self) -> list[Toy]:
        return TOYS

    @strawberry.field
    def box(self) -> Box:
        return Box(label="b")

    @strawberry.field
    def fails(self) -> str | None:
        raise ValueError("a bug")


TOY = strawberry.Schema(query=Query, types=[Toy])


def toy_type(name: str = "Toy") -> GraphQLObjectType:
    graphql_type = TOY._schema.get_type(name)  # the internal under test is graphql_schema_of
    assert isinstance(graphql_type, GraphQLObjectType)
    return graphql_type


def toy_field(name: str) -> StrawberryField:
    definition = definition_of(toy_type().fields[name])
    assert definition is not None
    return definition


class Probe(BaseExecutionContext):
    """Records, for each selection set executed, the executor and what it was asked."""

    seen: list[tuple[BaseExecutionContext, GraphQLObjectType, GroupedFieldSet]] = []

    def execute_fields(self, parent_type: GraphQLObjectType, source_value: Any,
                       path: Path | None, grouped_field_set: GroupedFieldSet,
                       position_context: Any) -> Any:
        Probe.seen.append((self, parent_type, grouped_field_set))
        return super().execute_fields(parent_type, source_value, path, grouped_field_set,
                                      position_context)


PROBED = strawberry.Schema(query=Query, types=[Toy], execution_context_class=Probe)


def probe(query: str) -> list[tuple[BaseExecutionContext, GraphQLObjectType, GroupedFieldSet]]:
    Probe.seen = []
    result = PROBED.execute_sync(query)
    assert not result.errors, result.errors
    return Probe.seen


# --------------------------------------------------------------------------- the checks themselves


def test_every_internal_has_its_test() -> None:
    assert set(RELIED_ON) == TESTED


def test_the_ranges_are_pyprojects() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    pins = {dependency.split(">")[0].split("<")[0].strip(): dependency
            for dependency in pyproject["project"]["dependencies"]}
    for distribution, written_for in WRITTEN_FOR.items():
        assert pins[distribution] == distribution + written_for


def test_a_failure_names_the_library_the_range_and_the_change() -> None:
    with pytest.raises(pytest.fail.Exception) as failure, relying_on("new_info"):
        expect(False, "Info takes (_raw_info, _field, _extra)")
    message = str(failure.value)
    assert message.startswith(
        f"strawberry-graphql {internals.STRAWBERRY.installed()} no longer does what the engine "
        "relies on: `Info` is a dataclass")
    assert "What changed: Info takes (_raw_info, _field, _extra)." in message
    assert "written for strawberry-graphql>=0.341,<0.400" in message
    reliance = Reliance(internals.GRAPHQL_CORE, "something")
    assert f"graphql-core {internals.GRAPHQL_CORE.installed()} no longer" in reliance.changed("x")


# --------------------------------------------------------------------------- Strawberry


@relies_on("strawberry_schema_of")
def test_strawberry_schema_of() -> None:
    expect(strawberry_schema_of(TOY._schema) is TOY,
           "the graphql-core schema no longer holds its Strawberry schema as _strawberry_schema")
    expect(strawberry_schema_of(GraphQLSchema()) is None, "a plain schema has a Strawberry one")


@relies_on("graphql_schema_of")
def test_graphql_schema_of() -> None:
    schema = graphql_schema_of(TOY)
    expect(isinstance(schema, GraphQLSchema), f"Schema._schema is a {type(schema)}")
    expect(schema.get_type("Toy") is not None, "Schema._schema does not hold the types")


@relies_on("definition_of")
def test_definition_of() -> None:
    from strawberry.schema.schema_converter import GraphQLCoreConverter

    expect(getattr(GraphQLCoreConverter, "DEFINITION_BACKREF", None) == internals.DEFINITION,
           "GraphQLCoreConverter.DEFINITION_BACKREF is "
           f"{getattr(GraphQLCoreConverter, 'DEFINITION_BACKREF', None)!r}")
    for name, python_name in (("size", "size"), ("maybeColour", "maybe_colour"),
                              ("described", "described")):
        definition = definition_of(toy_type().fields[name])
        expect(isinstance(definition, StrawberryField),
               f"the `strawberry-definition` extension of Toy.{name} is {definition!r}")
        assert definition is not None
        expect(definition.python_name == python_name,
               f"the definition of Toy.{name} is named {definition.python_name!r}")


@relies_on("is_default_resolver")
def test_is_default_resolver() -> None:
    fields = toy_type().fields
    expect(is_default_resolver(fields["size"].resolve),
           "the resolver of a field without one is not marked `_is_default`")
    expect(is_default_resolver(fields["maybeColour"].resolve), "nor of a nullable one")
    expect(not is_default_resolver(fields["plain"].resolve),
           "the resolver of a method field is marked `_is_default`")
    expect(not is_default_resolver(None), "None is a default resolver")


@relies_on("attribute_getter")
def test_attribute_getter() -> None:
    definition = toy_field("maybeColour")
    expect(definition.default_resolver is getattr,
           f"the default resolver is {definition.default_resolver!r}, not getattr")
    expect(attribute_getter(definition)(TOYS[1]) == "red", "the attribute is not read")

    @strawberry.type
    class ByKey:
        maybe_colour: str

    @strawberry.type
    class KeyQuery:
        item: ByKey

    keyed = strawberry.Schema(query=KeyQuery, config=StrawberryConfig(default_resolver=getitem))
    item = keyed._schema.get_type("ByKey")
    assert isinstance(item, GraphQLObjectType)
    keyed_definition = definition_of(item.fields["maybeColour"])
    assert keyed_definition is not None
    expect(keyed_definition.default_resolver is getitem,
           "the config's default_resolver is not the field's `default_resolver`")
    expect(attribute_getter(keyed_definition)({"maybe_colour": "blue"}) == "blue",
           "a field answers other than default_resolver(source, python_name)")
    answer = keyed.execute_sync("{ item { maybeColour } }", root_value={"item": {
        "maybe_colour": "blue"}})
    expect(answer.data == {"item": {"maybeColour": "blue"}}, f"Strawberry answers {answer}")


@relies_on("resolver_of")
def test_resolver_of() -> None:
    expect(resolver_of(toy_field("size")) is None, "a plain field has a base_resolver")
    described = resolver_of(toy_field("described"))
    assert described is not None
    expect((described.is_async, described.takes_self, described.takes_root,
            described.takes_parent, described.info_name) == (False, True, False, False, "info"),
           f"a sync method with `info` is described as {described}")
    expect(inspect.signature(described.function).parameters.keys() == {"self", "info"},
           "wrapped_func is not the method as written, taking `self`")
    later = resolver_of(toy_field("later"))
    assert later is not None
    expect(later.is_async, "an async method is not `is_async`")
    from_root = resolver_of(toy_field("fromRoot"))
    assert from_root is not None
    expect(from_root.takes_root and not from_root.takes_self,
           "a `root` parameter is not `root_parameter`")
    with_parent = resolver_of(toy_field("withParent"))
    assert with_parent is not None
    expect(with_parent.takes_parent, "a `strawberry.Parent` parameter is not `parent_parameter`")
    plain = resolver_of(toy_field("plain"))
    assert plain is not None
    expect(plain.info_name is None and plain.function(TOYS[0]) == "BALL",
           "a method without `info` has an info_parameter, or is not called with the object")


@relies_on("new_info")
def test_new_info() -> None:
    fields = [field.name for field in dataclasses.fields(Info)]
    expect(fields == ["_raw_info", "_field"], f"Info's fields are {fields}")
    seen: list[Info] = []

    @strawberry.type
    class InfoQuery:
        @strawberry.field
        def here(self, info: strawberry.Info) -> str:
            seen.append(info)
            return info.field_name

    answer = strawberry.Schema(query=InfoQuery).execute_sync("{ here }")
    expect(answer.data == {"here": "here"}, f"the probe answered {answer}")
    stock = seen[0]
    expect(type(stock) is Info, f"Strawberry's resolvers get a {type(stock)}, not an Info")
    built = new_info(stock._raw_info, stock._field)
    expect(built._raw_info is stock._raw_info and built._field is stock._field,
           "Info(raw_info, field) is not what Strawberry gives a resolver")
    expect(isinstance(stock._field, StrawberryField), f"Info._field is {stock._field!r}")
    expect(built.field_name == "here" and built.path.key == "here",
           "an Info built so does not read its raw info")


@relies_on("convert_field_arguments")
def test_convert_field_arguments() -> None:
    parameters = list(inspect.signature(internals.convert_arguments).parameters)
    expect(parameters[:4] == ["value", "arguments", "scalar_registry", "config"],
           f"convert_arguments takes {parameters}")
    expect(hasattr(TOY.schema_converter, "scalar_registry")
           and isinstance(TOY.config, StrawberryConfig),
           "the schema has no schema_converter.scalar_registry or config")
    arguments = convert_field_arguments(TOY, toy_field("within"),
                                        {"span": {"low": 1, "high": 5}})
    expect(arguments == {"span": Span(low=1, high=5)} and type(arguments["span"]) is Span,
           f"coerced arguments convert to {arguments!r}")


@relies_on("enum_class_of")
def test_enum_class_of() -> None:
    size_type = toy_type().fields["size"].type
    assert isinstance(size_type, GraphQLNonNull)
    expect(enum_class_of(size_type.of_type) is Size,
           f"Strawberry's enum type is a {type(size_type.of_type)} without wrapped_cls Size")
    expect(enum_class_of(GraphQLString) is None, "a scalar is an enum")
    expect(size_type.of_type.coerce_output_value(Size.LARGE) == "LARGE",
           "the enum type does not coerce its members to their names")


@relies_on("isinstance_check_of")
def test_isinstance_check_of() -> None:
    is_type_of = toy_type().is_type_of
    expect(is_type_of is not None, "a type with an interface has no is_type_of")
    assert is_type_of is not None
    check = isinstance_check_of(is_type_of)
    expect(check is not None, f"its is_type_of is {is_type_of.__module__}."
           f"{is_type_of.__qualname__}, not Strawberry's isinstance check")
    assert check is not None
    expect(check(TOYS[0]) and not check(Box(label="b")) and not check(object()),
           "Strawberry's is_type_of does not check isinstance, or needs its info")
    expect(toy_type("Box").is_type_of is None, "a type without interfaces has an is_type_of")
    expect(isinstance_check_of(lambda value, info: True) is None,
           "another is_type_of is taken for Strawberry's")


@relies_on("BaseExecutionContext")
def test_base_execution_context() -> None:
    from graphql.execution import Executor

    expect(issubclass(BaseExecutionContext, Executor),
           "StrawberryGraphQLCoreExecutionContext is no graphql-core Executor")
    seen = probe("{ toys { name } }")
    expect([parent.name for _, parent, _ in seen] == ["Query", "Toy", "Toy"],
           f"a subclass given as execution_context_class executed {seen}")
    # Strawberry's resolve info, which resolvers of the operation's context need.
    executor, toy, grouped_field_set = seen[1]
    info = executor.build_resolve_info(
        toy.fields["name"], [d.node for d in grouped_field_set["name"]], toy,
        Path(None, "name", "Toy"))
    expect(info.field_name == "name" and info.parent_type is toy and info.path.key == "name",
           f"build_resolve_info answers {info!r}")


@relies_on("use_document")
async def test_use_document() -> None:
    from graphql import parse

    class Parsed(SchemaExtension):
        def on_parse(self) -> Iterator[None]:
            use_document(self.execution_context, parse("{ toys { name } }"))
            yield

    schema = strawberry.Schema(query=Query, extensions=[Parsed])
    answer = await schema.execute("{ this is not parsed")
    expect(answer.errors is None and answer.data == {"toys": [{"name": "ball"},
                                                              {"name": "kite"}]},
           f"Strawberry did not execute the document set in on_parse: {answer}")


@relies_on("add_validation_rules")
async def test_add_validation_rules() -> None:
    class Refuse(ValidationRule):
        def enter_field(self, node: FieldNode, *_: Any) -> None:
            self.report_error(GraphQLError(f"refused {node.name.value}"))

    class Rules(SchemaExtension):
        def on_operation(self) -> Iterator[None]:
            add_validation_rules(self.execution_context, (Refuse,))
            yield

    answer = await strawberry.Schema(query=Query, extensions=[Rules]).execute("{ box { label } }")
    expect(answer.data is None and [e.message for e in answer.errors or []] == [
        "refused box", "refused label"],
        f"a rule added in on_operation is not validated: {answer}")


@relies_on("skip_execution")
async def test_skip_execution() -> None:
    ran: list[str] = []

    @strawberry.type
    class Counted:
        @strawberry.field
        def ran(self) -> str:
            ran.append("ran")
            return "ran"

    class Refuse(SchemaExtension):
        def on_execute(self) -> Iterator[None]:
            skip_execution(self.execution_context, GraphQLError("too costly"))
            yield

    answer = await strawberry.Schema(query=Counted, extensions=[Refuse]).execute("{ ran }")
    expect(ran == [], "execution started after on_execute set a result")
    expect(answer.data is None and [e.message for e in answer.errors or []] == ["too costly"],
           f"the result set in on_execute is not the response: {answer}")


@relies_on("MaskErrors")
async def test_mask_errors() -> None:
    expect(inspect.isgeneratorfunction(MaskErrors.on_operation),
           "MaskErrors.on_operation is not a generator (errors.py extends it with yield from)")
    anonymised: list[GraphQLError] = []

    class Masking(MaskErrors):
        def on_operation(self) -> Iterator[None]:
            yield from super().on_operation()

        def anonymise_error(self, error: GraphQLError) -> GraphQLError:
            anonymised.append(error)
            return super().anonymise_error(error)

    schema = strawberry.Schema(query=Query, extensions=[
        lambda: Masking(should_mask_error=lambda error: True, error_message="masked")])
    answer = await schema.execute("{ fails box { label } }")
    expect([e.message for e in answer.errors or []] == ["masked"],
           f"MaskErrors answered {answer.errors}")
    expect([e.message for e in anonymised] == ["a bug"],
           f"anonymise_error was called for {anonymised}")


@relies_on("validation_cache")
async def test_validation_cache() -> None:
    expect(ValidationCache(maxsize=7).cached_validate_document is validation_cache(7),
           "ValidationCache does not share _get_validate_cache(maxsize)")
    schema = strawberry.Schema(query=Query, extensions=[lambda: ValidationCache(maxsize=7)])
    await schema.execute("{ internalsCacheProbe: box { label } }")
    hits = validation_cache(7).cache_info().hits
    await schema.execute("{ internalsCacheProbe: box { label } }")
    expect(validation_cache(7).cache_info().hits == hits + 1,
           "the same document with the same rules does not hit the validation cache")


# --------------------------------------------------------------------------- graphql-core


@relies_on("FieldDetailsList")
def test_field_details() -> None:
    expect(FieldDetailsList == list[FieldDetails], f"FieldDetailsList is {FieldDetailsList}")
    expect(GroupedFieldSet == dict[str, FieldDetailsList], f"GroupedFieldSet is {GroupedFieldSet}")
    expect({"node", "fragment_variable_values"} <= set(FieldDetails._fields),
           f"FieldDetails has {FieldDetails._fields}")
    _, _, grouped_field_set = probe("{ toys { name } }")[0]
    [details] = grouped_field_set["toys"]
    expect(isinstance(details, FieldDetails) and isinstance(details.node, FieldNode),
           f"the executor's field sets hold {details!r}")


@relies_on("argument_values")
def test_argument_values() -> None:
    from graphql.execution import values

    parameters = list(inspect.signature(values.get_argument_values).parameters)
    expect(parameters == ["type_def", "node", "variable_values", "fragment_variable_values",
                          "hide_suggestions"], f"get_argument_values takes {parameters}")
    seen = probe("query($high: Int = 3) { toys { within(span: {low: 1, high: $high}) } }")
    executor, toy, grouped_field_set = seen[1]
    arguments = argument_values(executor, toy.fields["within"], grouped_field_set["within"])
    expect(arguments == {"span": {"low": 1, "high": 3}}, f"the arguments coerce to {arguments}")


@relies_on("subfields")
def test_subfields() -> None:
    executor, _, grouped_field_set = probe("{ toys { name size } }")[0]
    toy = toy_type()
    collected = executor.collect_subfields(toy, grouped_field_set["toys"])
    expect(len(collected) == 3, f"collect_subfields answers {len(collected)} items")
    expect(isinstance(collected[1], list), f"its second item is a {type(collected[1])}")
    fields, defers = subfields(executor, toy, grouped_field_set["toys"])
    expect(list(fields) == ["name", "size"] and defers is False,
           f"the subfields are {list(fields)}, deferring: {defers}")
    expect(executor.collect_subfields(toy, grouped_field_set["toys"]) is collected,
           "collect_subfields is not memoized by the field's details")


@relies_on("executor_attributes")
def test_executor_attributes() -> None:
    executor, _, _ = probe("{ box { label } }")[0]
    expect(isinstance(executor.schema, GraphQLSchema), "the executor has no `schema`")
    expect(hasattr(executor, "variable_values"), "the executor has no `variable_values`")
    expect(executor.hide_suggestions in (True, False), "the executor has no `hide_suggestions`")
    middleware = executor.middleware_manager
    expect(middleware is None or isinstance(middleware.middlewares, tuple | list),
           f"the executor's middleware_manager is {middleware!r}")
    expect(callable(executor.is_awaitable), "the executor has no `is_awaitable`")


@relies_on("abort_signal")
def test_abort_signal() -> None:
    executor, _, _ = probe("{ box { label } }")[0]
    expect(executor.abort_signal is None,
           f"without an abort signal the executor's `abort_signal` is {executor.abort_signal!r}")


TESTED.update(f"executor.{name}" for name in EXECUTOR_METHODS)


@pytest.mark.parametrize("name", EXECUTOR_METHODS)
def test_executor_method(name: str) -> None:
    with relying_on(f"executor.{name}"):
        method = getattr(BaseExecutionContext, name, None)
        expect(callable(method), f"the executor has no `{name}`")
        assert method is not None
        parameters = list(inspect.signature(method).parameters)[1:]
        expect(parameters == list(EXECUTOR_METHODS[name]),
               f"`{name}` takes ({', '.join(parameters)})")


async def test_the_engine_answers_on_the_toy_schema_as_strawberry() -> None:
    """Everything above, together: the toy schema through our engine and the stock one."""
    from resolvers.engine.execution import ExecutionContext

    query = """{ toys { name size maybeColour plain described later
                        within(span: {low: 1, high: 4}) fromRoot withParent } box { label } }"""
    ours = strawberry.Schema(query=Query, types=[Toy], execution_context_class=ExecutionContext)
    stock, engine = await TOY.execute(query), await ours.execute(query)
    assert stock.errors is None
    assert engine.data == stock.data
    assert engine.errors == stock.errors
