"""A shorter path through graphql-core's executor for the fields of big lists.

A list page asks for thousands of fields, and most are plain: an attribute (`email`, `amount`),
a method of the object (`fullName`), or a relation read through a loader with nothing but
`info` (`mainStore`, `items`). graphql-core and Strawberry give each one the whole treatment:
argument conversion, the field-extension chain, awaitable checks, `complete_value`; that was
two thirds of the server's CPU on the admin list page (bench/README.md).

This execution context gives such fields a shortcut, decided once per selection set per
request (`Shortcut`): it calls the attribute or method directly, and completes the plain
outcomes itself — a scalar or enum through the type's own `coerce_output_value`, `null` where
allowed, an object or a list of non-null objects by executing their fields; a loader's future
the same way once it resolves, all of one object's in one coroutine (`_complete_loaded`). Every
other outcome (another awaitable, `null` for a non-null field, a value that does not coerce, an
error) goes to graphql-core's own `complete_value`/`handle_field_error` with the value already
resolved, so errors, their paths and null propagation are graphql-core's, and no resolver runs
twice. Fields with extensions (root fields) take the ordinary path; arguments are converted
once per request (`orders(first:)`). Plans are made once per selection set and request
(resolvers/engine/plans.py says how); this module runs them. What it uses of graphql-core's
executor and of Strawberry comes through resolvers/engine/internals.py.
tests/engine/test_execution.py compares both executors on the front end's operations and on
values that fail.
"""

from asyncio import Future, ensure_future
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLObjectType, Undefined
from graphql.pyutils import AwaitableOrValue, Path, gather_with_cancel

from resolvers.engine.internals import (
    BaseExecutionContext,
    FieldDetailsList,
    GroupedFieldSet,
    new_info,
    subfields,
)
from resolvers.engine.plans import Plan, build_plan
from resolvers.engine.shortcuts import OBJECT, Shortcut


@dataclass(slots=True)
class Loading:
    """A field whose resolver answered with a loader's future, to be completed by
    `_complete_loaded` once it resolves. A slotted class, as the plan's records are
    (resolvers/engine/plans.py)."""

    response_name: str
    future: "Future[Any]"
    shortcut: Shortcut
    details: FieldDetailsList
    path: Path


@dataclass(slots=True)
class _CachedPlan:
    """A plan in the request's cache, beside the field set it was built for: kept alive so that
    the set's id, the key, cannot be reused during the request."""

    grouped_field_set: GroupedFieldSet
    plan: Plan


@dataclass(slots=True)
class _CachedSubplan:
    """The plan of an object field's selection, beside the field's details (the key's
    owner); None when the selection defers fragments."""

    details: FieldDetailsList
    plan: Plan | None


class ExecutionContext(BaseExecutionContext):
    """Strawberry's execution context, running the plans of selection sets; with the plans of
    one request, which die with it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Keyed by the identity of graphql-core's memoized field set.
        self._plans: dict[int, _CachedPlan] = {}
        # The plan of each object field's selection, keyed by the identity of its details.
        self._subplans: dict[int, _CachedSubplan] = {}

    def build_response(self, data: dict[str, Any] | None) -> Any:
        # The executor is a reference cycle (graphql-core's helpers hold its bound methods):
        # emptied here, the plans die with the request instead of in a full collection.
        response = super().build_response(data)
        self._plans.clear()
        self._subplans.clear()
        return response

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        middleware = self.middleware_manager
        if position_context is not None or (middleware is not None and middleware.middlewares):
            # Deferred fragments, or a resolve hook that must see every field.
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context)
        return self._run_plan(parent_type, source_value, path,
                              self._plan_for(parent_type, grouped_field_set))

    def _plan_for(self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
                  ) -> Plan:
        cached = self._plans.get(id(grouped_field_set))
        if cached is not None:
            return cached.plan
        plan = build_plan(self, parent_type, grouped_field_set)
        self._plans[id(grouped_field_set)] = _CachedPlan(grouped_field_set, plan)
        return plan

    def _subplan(self, object_type: GraphQLObjectType, details: FieldDetailsList
                 ) -> Plan | None:
        """The plan of an object field's selection; what `collect_subfields` and then
        `execute_fields` would look up for every object, looked up once per field."""
        cached = self._subplans.get(id(details))
        if cached is not None:
            return cached.plan
        grouped_field_set, defers = subfields(self, object_type, details)
        plan = None if defers else self._plan_for(object_type, grouped_field_set)
        self._subplans[id(details)] = _CachedSubplan(details, plan)
        return plan

    def _run_plan(self, parent_type: GraphQLObjectType, source_value: Any, path: Path | None,
                  plan: Plan) -> AwaitableOrValue[dict[str, Any]]:
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        loading: list[Loading] = []
        try:
            for step in plan:
                # The records are read by attribute, not unpacked (resolvers/engine/plans.py).
                response_name = step.response_name
                leaf = step.leaf
                if leaf is not None:
                    # `_shortcut` for a plain leaf, inlined: same outcomes, same fallbacks.
                    try:
                        # Read into a local, then called: `leaf.get(...)` would look the slot up
                        # as a method (unspecialized on CPython 3.11), slower than the read.
                        get = leaf.get
                        value = get(source_value)
                        if value is None:
                            if leaf.nullable:
                                results[response_name] = None
                                continue
                        elif not (leaf.resolved and is_awaitable(value)):
                            coerce = leaf.coerce
                            coerced = coerce(value)
                            if coerced is not None and coerced is not Undefined:
                                results[response_name] = coerced
                                continue
                    except Exception as raw_error:
                        shortcut = step.shortcut
                        assert shortcut is not None
                        self.handle_field_error(raw_error, shortcut.field_def.type, step.details,
                                                Path(path, response_name, parent_type.name))
                        results[response_name] = None
                        continue
                    shortcut = step.shortcut
                    assert shortcut is not None
                    result = self._complete_ordinarily(
                        shortcut, parent_type, step.details,
                        Path(path, response_name, parent_type.name), value)
                elif (plain := step.plain) is not None:
                    # `_shortcut` and `_complete_objects` for a plain object, inlined.
                    details, shortcut, object_type = step.details, step.shortcut, plain.object_type
                    assert shortcut is not None
                    field_path = Path(path, response_name, parent_type.name)
                    result = Undefined
                    try:
                        get = plain.get
                        value = get(source_value)
                        if value is None:
                            if plain.nullable:
                                results[response_name] = None
                                continue
                        elif (subplan := self._subplan(object_type, details)) is not None:
                            result = self._run_plan(object_type, value, field_path, subplan)
                            if type(result) is not dict and is_awaitable(result):
                                result = self._await_field(result, shortcut, details,
                                                           field_path)
                    except Exception as raw_error:
                        self.handle_field_error(raw_error, shortcut.field_def.type, details,
                                                field_path)
                        results[response_name] = None
                        continue
                    if result is Undefined:  # null for a non-null field, deferred fragments
                        result = self._complete_ordinarily(
                            shortcut, parent_type, details, field_path, value)
                elif (shortcut := step.shortcut) is None:
                    result = self.execute_field(
                        parent_type, source_value, step.details,
                        Path(path, response_name, parent_type.name), None)
                else:
                    result = self._shortcut(shortcut, parent_type, source_value, step.details,
                                            path, response_name, loading)
                if result is not Undefined:
                    results[response_name] = result
                    if type(result) is not dict and is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            pending: list[Awaitable[Any]] = [results[name] for name in awaitable_fields]
            pending.extend(entry.future for entry in loading)
            if pending:
                self.settle_in_background(pending)
            raise
        if loading:
            # The other awaitables start now, as tasks: they run while the futures are waited
            # for, and even if the object's coroutine is cancelled before it starts.
            others = [ensure_future(results[name]) for name in awaitable_fields]
            for task in others:
                task.add_done_callback(_observe)
            return self._complete_loaded(results, awaitable_fields, others, loading)
        if not awaitable_fields:
            return results
        return _gather_fields(results, awaitable_fields)

    async def _complete_loaded(self, results: dict[str, Any], awaitable_fields: list[str],
                               others: list["Future[Any]"], loading: list[Loading]
                               ) -> dict[str, Any]:
        """The fields of one object that wait for loaders, completed in this one coroutine.

        A loader's future was queued for its batch when its resolver returned, so waiting for
        an object's futures one after another batches as waiting for them together does (the
        objects of a list still run concurrently, a task each); graphql-core would make a
        coroutine and a task for each field (~150 of each on the list page). Other awaitables
        (async resolvers, which start only when scheduled) still run concurrently, as tasks."""
        try:
            for index, entry in enumerate(loading):
                response_name, shortcut, details, path = (
                    entry.response_name, entry.shortcut, entry.details, entry.path)
                try:
                    value = await entry.future
                    completed: Any = Undefined
                    if value is None:
                        if shortcut.nullable:
                            results[response_name] = None
                            continue
                    elif shortcut.coerce is not None:
                        coerced = shortcut.coerce(value)
                        if coerced is not None and coerced is not Undefined:
                            completed = coerced
                    else:
                        completed = self._complete_objects(shortcut, value, details, path)
                    if completed is Undefined:
                        info = self.build_resolve_info(
                            shortcut.field_def, [d.node for d in details],
                            shortcut.parent_type, path)
                        completed = self.complete_value(
                            shortcut.field_def.type, details, info, path, value, None)
                    if self.is_awaitable(completed):
                        completed = await completed
                except Exception as raw_error:
                    try:
                        self.handle_field_error(raw_error, shortcut.field_def.type, details,
                                                path)
                    except Exception:
                        # A non-null field failed: the object is null; what else it waited
                        # for is settled, unobserved.
                        self.settle_in_background([later.future for later in loading[index + 1:]])
                        raise
                    completed = None
                results[response_name] = completed
        except BaseException:
            for task in others:  # as gather_with_cancel does when one of them fails
                task.cancel()
            raise
        if others:
            results.update(zip(awaitable_fields, await gather_with_cancel(*others), strict=True))
        return results

    def _shortcut(self, shortcut: Shortcut, parent_type: GraphQLObjectType, source: Any,
                  details: FieldDetailsList, parent_path: Path | None, response_name: str,
                  loading: list[Loading]) -> Any:
        """The field's value, completed; or Undefined when it is a loader's future, put on
        `loading` to be completed by `_complete_loaded`."""
        path: Path | None = None
        try:
            if shortcut.get is not None:
                value = shortcut.get(source)
            else:
                assert shortcut.with_info is not None
                path = Path(parent_path, response_name, parent_type.name)
                info = self.build_resolve_info(
                    shortcut.field_def, [d.node for d in details], parent_type, path)
                value = shortcut.with_info(source, new_info(info, shortcut.definition))
            if value is None:
                if shortcut.nullable:
                    return None
            elif shortcut.resolved and self.is_awaitable(value):
                if isinstance(value, Future) and self.abort_signal is None:
                    path = path or Path(parent_path, response_name, parent_type.name)
                    loading.append(Loading(response_name, value, shortcut, details, path))
                    return Undefined
                # Any other awaitable is completed below, by graphql-core.
            elif shortcut.coerce is not None:
                coerced = shortcut.coerce(value)
                if coerced is not None and coerced is not Undefined:
                    return coerced
            else:
                path = path or Path(parent_path, response_name, parent_type.name)
                completed = self._complete_objects(shortcut, value, details, path)
                if completed is not Undefined:
                    if self.is_awaitable(completed):
                        return self._await_field(completed, shortcut, details, path)
                    return completed
        except Exception as raw_error:
            path = path or Path(parent_path, response_name, parent_type.name)
            self.handle_field_error(raw_error, shortcut.field_def.type, details, path)
            return None
        # Anything else is graphql-core's to complete (and to report, when it is an error).
        path = path or Path(parent_path, response_name, parent_type.name)
        return self._complete_ordinarily(shortcut, parent_type, details, path, value)

    def _complete_objects(self, shortcut: Shortcut, value: Any, details: FieldDetailsList,
                          path: Path) -> Any:
        """Execute the fields of an object, or of each object of a list; Undefined when the
        value is not plainly that."""
        object_type = shortcut.object_type
        assert object_type is not None
        plan = self._subplan(object_type, details)
        if plan is None:
            return Undefined
        type_check = shortcut.type_check
        if shortcut.completion is OBJECT:
            if type_check is not None and not type_check(value):
                return Undefined
            return self._run_plan(object_type, value, path, plan)
        if not isinstance(value, list | tuple):
            return Undefined
        for item in value:
            if item is None or (type_check is not None and not type_check(item)):
                return Undefined
        run_plan = self._run_plan
        completed = [run_plan(object_type, item, Path(path, index, None), plan)
                     for index, item in enumerate(value)]
        for item in completed:
            if type(item) is not dict:  # an object with fields still to await
                return _gather_items(completed, self.is_awaitable)
        return completed

    def _complete_ordinarily(self, shortcut: Shortcut, parent_type: GraphQLObjectType,
                             details: FieldDetailsList, path: Path, value: Any) -> Any:
        """What `execute_field` does once its resolver has returned `value`."""
        return_type = shortcut.field_def.type
        info = self.build_resolve_info(
            shortcut.field_def, [d.node for d in details], parent_type, path)
        if self.is_awaitable(value):
            return self.complete_awaitable_value(return_type, details, info, path, value, None)
        try:
            completed = self.complete_value(return_type, details, info, path, value, None)
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, details, path)
            return None
        if self.is_awaitable(completed):
            return self._await_field(completed, shortcut, details, path)
        return completed

    async def _await_field(self, completed: Awaitable[Any], shortcut: Shortcut,
                           details: FieldDetailsList, path: Path) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, shortcut.field_def.type, details, path)
            return None


def _observe(task: "Future[Any]") -> None:
    """Marks a task's exception as seen: an orphan's failure (its object was cancelled before
    it began) is not a bug to log; one that is awaited is reported where it is awaited."""
    if not task.cancelled():
        task.exception()


async def _gather_fields(results: dict[str, Any], awaitable_fields: list[str]
                         ) -> dict[str, Any]:
    if len(awaitable_fields) == 1:
        name = awaitable_fields[0]
        results[name] = await results[name]
    else:
        awaited = await gather_with_cancel(*(results[name] for name in awaitable_fields))
        results.update(zip(awaitable_fields, awaited, strict=True))
    return results


async def _gather_items(completed: list[Any], is_awaitable: Callable[[Any], bool]) -> list[Any]:
    indexes = [index for index, item in enumerate(completed) if is_awaitable(item)]
    awaited = await gather_with_cancel(*(completed[index] for index in indexes))
    for index, value in zip(indexes, awaited, strict=True):
        completed[index] = value
    return completed
