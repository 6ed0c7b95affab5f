"""Statements compiled once per thread and database: the ORM builds a query's SQL on its first
use; later uses execute the same SQL with new values and turn the rows into model instances
(or ``values()`` dicts) exactly as the ORM would.

Why this exists: on a hot path the ORM's own work dominates. The hub's inbound scan measured
about 0.3 ms of CPU per query to build the query, compile it and wrap its rows, against some
0.03 ms that SQLite takes to run it; a scan makes some twenty. A ``Select`` or ``insert``
keeps the compiled statement, so a use costs the execution and the row wrapping only.

- ``Select(lambda: Waybill.objects.select_related("customer").filter(number=Param("n")))``:
  ``.get(n=...)`` (one instance, ``DoesNotExist`` or ``MultipleObjectsReturned`` as the ORM
  raises), ``.first(...)`` (or None), ``.all(...)`` (a list). ``Param`` marks where a value
  goes; values are passed as the database takes them (str, int, bool, Decimal, date). The
  queryset may use ``select_related``, ``select_for_update`` (which, as in the ORM, needs a
  transaction), ``values()`` and ``values_list()``.
- ``insert(obj)``: ``obj.save()`` for a new row with an automatic primary key, without the
  save signals (use it only for models no receiver listens to: ``SIGNAL_FREE`` in the tests
  checks the ones passed here).

Each thread keeps its own compiled statements (a compiler belongs to one connection), built
again when the database alias's settings change (tests override them).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import NotSupportedError, connections
from django.db.models import Expression
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    QuerySet,
    ValuesIterable,
    ValuesListIterable,
    get_related_populators,
)
from django.db.transaction import TransactionManagementError


class _Slot:
    """The place of one named value in a compiled statement's parameters."""

    __slots__ = ("name", "field")

    def __init__(self, name: str, field=None) -> None:
        self.name = name
        self.field = field

    def __repr__(self) -> str:
        return f"<value {self.name}>"


class Param(Expression):
    """A named value to be given when the statement runs (``filter(number=Param("n"))``);
    with ``output_field``, the value is prepared as that field prepares it (a datetime)."""

    def __init__(self, name: str, output_field=None) -> None:
        super().__init__(output_field=output_field)
        self.name = name
        self.value_field = output_field

    def as_sql(self, compiler, connection):
        return "%s", [_Slot(self.name, self.value_field)]

    def __repr__(self) -> str:
        return f"Param({self.name!r})"


class _Plan:
    """One statement compiled on one connection: its SQL, where the values go, and how a row
    becomes what the queryset would have returned."""

    def __init__(self, qs: QuerySet) -> None:
        self.db = qs.db
        compiler = qs.query.get_compiler(using=self.db)
        sql, params = compiler.as_sql()
        self.sql = sql
        self.params = list(params)
        self.slots = [(i, p.name, p.field) for i, p in enumerate(self.params)
                      if isinstance(p, _Slot)]  # fmt: skip
        # the ORM refuses a locking read outside a transaction where the database has one
        self.for_update = (qs.query.select_for_update
                           and connections[self.db].features.has_select_for_update)  # fmt: skip
        self.compiler = compiler
        self.col_count = compiler.col_count
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        if compiler.has_composite_fields(fields):
            raise NotSupportedError("composite fields are not supported by core.statements")
        self.converters = compiler.get_converters(fields)
        self.kind = qs._iterable_class
        self.model = qs.model
        if self.kind is ModelIterable:
            info = compiler.klass_info
            start, end = info["select_fields"][0], info["select_fields"][-1] + 1
            self.span = (start, end)
            self.init_list = [f[0].target.attname for f in compiler.select[start:end]]
            self.populators = get_related_populators(info, compiler.select, self.db)
            self.annotations = dict(compiler.annotation_col_map or {})
            if qs._known_related_objects:
                raise NotSupportedError("known related objects are not supported here")
        elif self.kind is ValuesIterable:
            query = qs.query
            self.names = list(query.selected) if query.selected else [
                *query.extra_select, *query.values_select, *query.annotation_select,
            ]  # fmt: skip
        elif self.kind not in (ValuesListIterable, FlatValuesListIterable):
            raise NotSupportedError(f"{self.kind.__name__} is not supported by core.statements")

    def run(self, values: dict) -> list:
        params = self.params
        connection = connections[self.db]
        if self.slots:
            params = list(params)
            for i, name, field in self.slots:
                value = values[name]
                params[i] = value if field is None else field.get_db_prep_value(value, connection)
        if self.for_update and connection.get_autocommit():
            raise TransactionManagementError("select_for_update cannot be used outside of a "
                                             "transaction.")  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.col_count and rows and len(rows[0]) != self.col_count:
            rows = [r[: self.col_count] for r in rows]
        if self.converters:
            rows = list(self.compiler.apply_converters(rows, self.converters))
        kind = self.kind
        if kind is ModelIterable:
            return [self._instance(row) for row in rows]
        if kind is ValuesIterable:
            names = self.names
            return [dict(zip(names, row, strict=True)) for row in rows]
        if kind is FlatValuesListIterable:
            return [row[0] for row in rows]
        return [tuple(row) for row in rows]

    def _instance(self, row):
        start, end = self.span
        obj = self.model.from_db(self.db, self.init_list, row[start:end])
        for populator in self.populators:
            populator.populate(row, obj)
        for attr, pos in self.annotations.items():
            setattr(obj, attr, row[pos])
        return obj


_local = threading.local()


def _plans() -> dict:
    plans = getattr(_local, "plans", None)
    if plans is None:
        plans = _local.plans = {}
    return plans


def _settings_key(db: str):
    settings = connections[db].settings_dict
    return settings["ENGINE"], settings["NAME"], id(connections[db])


def _held(key, db: str, build):
    """This thread's compiled thing under ``key``, built (``build()``) on first use and again
    when the database alias's settings changed."""
    plans = _plans()
    stamp = _settings_key(db)
    held = plans.get(key)
    if held is None or held[0] != stamp:
        held = plans[key] = (stamp, build())
    return held[1]


class Select:
    """A queryset compiled once per thread and database (see the module)."""

    def __init__(self, build: Callable[[], QuerySet], using: str = "default") -> None:
        self._build = build
        self._using = using

    def _plan(self) -> _Plan:
        return _held((id(self), self._using), self._using,
                     lambda: _Plan(self._build().using(self._using)))  # fmt: skip

    def all(self, **values) -> list:
        return self._plan().run(values)

    def first(self, **values):
        rows = self._plan().run(values)
        return rows[0] if rows else None

    def get(self, **values):
        plan = self._plan()
        rows = plan.run(values)
        if len(rows) == 1:
            return rows[0]
        if not rows:
            raise plan.model.DoesNotExist(f"{plan.model._meta.object_name} matching query does "
                                          "not exist.")  # fmt: skip
        raise plan.model.MultipleObjectsReturned(
            f"get() returned more than one {plan.model._meta.object_name}"
        )


class _InsertPlan:
    def __init__(self, model, db: str) -> None:
        from django.db.models.sql import InsertQuery

        meta = model._meta
        connection = connections[db]
        pk = meta.pk
        self.fields = [f for f in meta.local_concrete_fields
                       if f is not pk and not f.generated]  # fmt: skip
        if not pk.db_returning or meta.parents or meta.db_returning_fields != [pk]:
            raise NotSupportedError(f"{meta.label}: insert() takes models with an automatic "
                                    "primary key and no other returned column")  # fmt: skip
        self.returning = connection.features.can_return_columns_from_insert
        query = InsertQuery(model)
        sample = model()
        query.insert_values(self.fields, [sample])
        compiler = query.get_compiler(using=db)
        if self.returning:
            compiler.returning_fields = [pk]
        ((self.sql, _),) = compiler.as_sql()
        self.db = db
        self.pk_attname = pk.attname


def insert(obj, using: str = "default"):
    """Insert a new ``obj`` as ``obj.save()`` would (no save signals), setting its primary
    key; returns ``obj``."""
    model = type(obj)
    plan: _InsertPlan = _held(("insert", model, using), using, lambda: _InsertPlan(model, using))
    connection = connections[using]
    params = []
    for field in plan.fields:
        value = field.pre_save(obj, True)
        if hasattr(value, "resolve_expression"):
            raise NotSupportedError(f"{field.name}: an expression cannot be inserted here")
        params.append(field.get_db_prep_save(value, connection=connection))
    with connection.cursor() as cursor:
        cursor.execute(plan.sql, params)
        if plan.returning:
            pk = cursor.fetchone()[0]
        else:
            pk = connection.ops.last_insert_id(cursor, model._meta.db_table,
                                               model._meta.pk.column)  # fmt: skip
    setattr(obj, plan.pk_attname, pk)
    obj._state.adding = False
    obj._state.db = using
    return obj


def update_row(model, pk, values: dict, where: dict | None = None, using: str = "default") -> int:
    """``model.objects.filter(pk=pk, **where).update(**values)`` for plain column values (no
    expressions), compiled once per model and set of names; returns the rows changed."""
    names, conditions = tuple(values), tuple(where or ())
    connection = connections[using]

    def build():
        meta = model._meta
        quote = connection.ops.quote_name
        set_fields = [meta.get_field(n) for n in names]
        where_fields = [meta.pk, *(meta.get_field(n) for n in conditions)]
        sql = "UPDATE {} SET {} WHERE {}".format(
            quote(meta.db_table),
            ", ".join(f"{quote(f.column)} = %s" for f in set_fields),
            " AND ".join(f"{quote(f.column)} = %s" for f in where_fields),
        )
        return sql, set_fields, where_fields

    key = ("update", model, names, conditions, using)
    sql, set_fields, where_fields = _held(key, using, build)
    params = []
    for field, value in zip(set_fields, values.values(), strict=True):
        if hasattr(value, "resolve_expression"):
            raise NotSupportedError(f"{field.name}: an expression cannot be set here")
        if field.remote_field is not None and hasattr(value, "prepare_database_save"):
            value = value.prepare_database_save(field)
        params.append(field.get_db_prep_save(value, connection=connection))
    for field, value in zip(where_fields, (pk, *(where or {}).values()), strict=True):
        params.append(field.get_db_prep_value(value, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
