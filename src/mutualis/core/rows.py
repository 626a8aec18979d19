# ruff: noqa: S608 - SQL text built from model metadata only; every value is bound.
"""Lean inserts of model instances for hot single-request paths (a claim posted by
a provider's software, an audit event): one `INSERT … VALUES … RETURNING` per
model, its SQL text built once per shape and reused, so that PostgreSQL runs it as
a prepared statement.

`insert(objs)` does what `bulk_create` does for plain rows (field defaults,
`auto_now_add`, each value through its field's `get_db_prep_save`, primary keys set
from `RETURNING`) without the query compiler, which costs about a millisecond per
call. It sends no signals: `insert_history` writes the django-simple-history rows
of such instances explicitly.

Batch paths keep their own set-based writers (`COPY` on PostgreSQL, see
`claims.batch` and `contributions.dues`); this is for one request's few rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from django.db import connections, models
from django.db.models import DEFERRED
from django.utils import timezone

from .audit import current_actor


def loaded(model: type[models.Model], related: dict | None = None, /, **values):
    """An instance of `model` as read from the database, with only `values` (by
    attname) loaded; other fields are deferred (read if ever touched). Built from
    positional values, which costs half of keyword construction. `related`:
    {relation name: instance} kept as the loaded relations."""
    obj = model(*[values.get(name, DEFERRED) for name in _attnames(model)])
    obj._state.adding = False
    obj._state.db = "default"
    if related:
        obj._state.fields_cache.update(related)
    return obj


def new(model: type[models.Model], related: dict | None = None, /, **values):
    """An unsaved instance of `model` for `insert`: `values` by attname, each other
    field its default; `related`: {relation name: instance} sets the foreign key and
    keeps the instance. The positional construction of `loaded`."""
    if related:
        for name, inst in related.items():
            values[_fk_attname(model, name)] = inst.pk if inst is not None else None
    obj = model(
        *[
            values[f.attname] if f.attname in values else f.get_default()
            for f in model._meta.concrete_fields
        ]
    )
    if related:
        obj._state.fields_cache.update(related)
    return obj


def prefetched(instance: models.Model, relation: str, objs: Sequence[models.Model]) -> None:
    """Keep `objs` (rows of a reverse foreign key just written with `instance`) as
    `instance.<relation>.all()`, as `prefetch_related` would. The relation's filter
    is deferred the way Django's own prefetching defers it: iterating uses `objs`;
    only a further query (`get`, `filter`, `update`…) compiles it, which saves a
    fraction of a millisecond on a hot path."""
    rel = instance._meta.get_field(relation)
    cached = models.QuerySet(model=rel.related_model)
    cached._defer_next_filter = True
    cached = cached.filter(**{rel.field.attname: instance.pk})
    cached._result_cache, cached._prefetch_done = list(objs), True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[relation] = cached


@lru_cache(maxsize=512)
def _attnames(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(f.attname for f in model._meta.concrete_fields)


@lru_cache(maxsize=512)
def _fk_attname(model: type[models.Model], name: str) -> str:
    return model._meta.get_field(name).attname


@lru_cache(maxsize=256)
def _shape(model: type[models.Model]) -> tuple[tuple, str]:
    """(the fields written, the column list) of `model`: every concrete field except
    an auto-generated primary key."""
    meta = model._meta
    fields = tuple(
        f
        for f in meta.concrete_fields
        if not (f.primary_key and isinstance(f, models.AutoField | models.BigAutoField))
    )
    quote = connections["default"].ops.quote_name
    return fields, ", ".join(quote(f.column) for f in fields)


@lru_cache(maxsize=512)
def _sql(model: type[models.Model], count: int, conflict_nothing: bool, vendor: str) -> str:
    fields, columns = _shape(model)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    pk = connections["default"].ops.quote_name(model._meta.pk.column)
    table = connections["default"].ops.quote_name(model._meta.db_table)
    tail = " ON CONFLICT DO NOTHING" if conflict_nothing else ""
    values = ", ".join([row] * count)
    return f"INSERT INTO {table} ({columns}) VALUES {values}{tail} RETURNING {pk}"


def insert(objs: Sequence[models.Model], *, ignore_conflicts: bool = False) -> None:
    """Insert unsaved instances of one model in one statement and set their primary
    keys. With `ignore_conflicts`, rows that hit a unique constraint are skipped
    (their `pk` stays None; only then is the order of the returned keys matched by
    position, so use it where a conflicting row is the exception)."""
    if not objs:
        return
    model = type(objs[0])
    connection = connections["default"]
    params = [value for obj in objs for value in _values(obj, connection)]
    sql = _sql(model, len(objs), ignore_conflicts, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        keys = [r[0] for r in cursor.fetchall()]
    if ignore_conflicts and len(keys) != len(objs):
        return  # which rows were skipped is not known: leave the keys unset
    pk_attname = model._meta.pk.attname
    for obj, key in zip(objs, keys, strict=True):
        setattr(obj, pk_attname, key)
        obj._state.adding = False
        obj._state.db = "default"


def insert_family(
    parent: models.Model,
    children: Sequence[tuple[str, Sequence[models.Model]]] = (),
    *,
    history: bool = False,
    also: Sequence[tuple[str, list]] = (),
) -> None:
    """Insert `parent`, its simple-history row if `history`, and each list of unsaved
    `children` whose `attname` gets its key (a foreign key, or a text column such as
    an audit event's `target_id`); `also` adds statements
    (SQL, params) that need no result, such as a counter's UPDATE.

    On PostgreSQL this is one statement (data-modifying CTEs: one round trip, one
    prepared plan); elsewhere one `insert` per table. Sets the parent's primary key
    (children's keys stay unset)."""
    connection = connections["default"]
    if connection.vendor != "postgresql":
        insert([parent])
        if history:
            insert_history([parent])
        for attname, objs in children:
            for obj in objs:
                setattr(obj, attname, _link(type(obj), attname).to_python(parent.pk))
            insert(objs)
        with connection.cursor() as cursor:
            for sql, params in also:
                cursor.execute(sql, params)
        return
    model = type(parent)
    shape = (
        model,
        history,
        tuple((type(objs[0]), attname, len(objs)) for attname, objs in children if objs),
        tuple(sql for sql, _params in also),
    )
    sql = _family_sql(shape)
    params = _values(parent, connection)
    if history:
        actor = current_actor.get()
        params += [timezone.now(), None, "+", getattr(actor, "pk", None)]
    for attname, objs in children:
        for obj in objs:
            params += _values(obj, connection, skip=attname)
    for _sql_text, extra in also:
        params += list(extra)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        key = cursor.fetchone()[0]
    setattr(parent, model._meta.pk.attname, key)
    parent._state.adding = False
    parent._state.db = "default"
    for attname, objs in children:
        for obj in objs:
            setattr(obj, attname, _link(type(obj), attname).to_python(key))


@lru_cache(maxsize=256)
def _link(model: type[models.Model], attname: str):
    """The field of a child row that holds its parent's key: a foreign key, or a text
    column such as an audit event's `target_id`."""
    return next(f for f in model._meta.concrete_fields if f.attname == attname)


def _values(obj, connection, skip: str | None = None) -> list:
    fields, _columns = _shape(type(obj))
    return [
        f.get_db_prep_save(f.pre_save(obj, add=True), connection)
        for f in fields
        if f.attname != skip
    ]


@lru_cache(maxsize=128)
def _family_sql(shape) -> str:
    """The one statement of `insert_family` for a shape: parent model, history or not,
    (child model, foreign key, count) of each child list, the extra statements."""
    model, history, children, also = shape
    connection = connections["default"]
    quote = connection.ops.quote_name
    pk = quote(model._meta.pk.column)

    def typed(fields, skip=None):
        cols = [f for f in fields if f.attname != skip]
        return cols, "(" + ", ".join(f"%s::{f.db_type(connection)}" for f in cols) + ")"

    fields, columns = _shape(model)
    _cols, row = typed(fields)
    table = quote(model._meta.db_table)
    # Named columns, never RETURNING *: a prepared statement's result must not change
    # shape when a migration adds a column.
    returned = [pk]
    if history:
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        returned = [quote(f.column) for f in model._meta.concrete_fields]
    parts = [f"p AS (INSERT INTO {table} ({columns}) VALUES {row} RETURNING {', '.join(returned)})"]
    if history:
        # The history row copies the stored row, then who and when.
        historical, copied = _historical(model)
        h_by_attname = {f.attname: f for f in historical._meta.concrete_fields}
        names = [quote(h_by_attname[a].column) for a in copied]
        names += ["history_date", "history_change_reason", "history_type", "history_user_id"]
        source = ", ".join(f"p.{quote(by_attname[a].column)}" for a in copied)
        parts.append(
            f"h AS (INSERT INTO {quote(historical._meta.db_table)} ({', '.join(names)})"
            f" SELECT {source}, %s::timestamptz, %s::varchar, %s::varchar, %s::bigint FROM p)"
        )
    for i, (child, attname, count) in enumerate(children):
        c_fields, _ = _shape(child)
        cols, c_row = typed(c_fields, skip=attname)
        names = ", ".join(quote(f.column) for f in cols)
        link = _link(child, attname)
        key = f"p.{pk}" if link.is_relation else f"CAST(p.{pk} AS {link.db_type(connection)})"
        parts.append(
            f"c{i} AS (INSERT INTO {quote(child._meta.db_table)} ({quote(link.column)}, {names})"
            f" SELECT {key}, v.* FROM p, (VALUES {', '.join([c_row] * count)}) AS v)"
        )
    for i, sql in enumerate(also):
        parts.append(f"x{i} AS ({sql})")
    return "WITH " + ", ".join(parts) + f" SELECT {pk} FROM p"


@lru_cache(maxsize=256)
def _select_sql(model: type[models.Model], column: str, vendor: str) -> tuple[str, list[str]]:
    quote = connections["default"].ops.quote_name
    fields = model._meta.concrete_fields
    cols = ", ".join(quote(f.column) for f in fields)
    table = quote(model._meta.db_table)
    sql = f"SELECT {cols} FROM {table} WHERE {quote(column)} = %s LIMIT 2"
    return sql, [f.attname for f in fields]


def get(model: type[models.Model], column: str, value):
    """The one instance of `model` whose `column` equals `value`, or None (also if
    several match): a plain `SELECT` of its columns, without the query compiler."""
    connection = connections["default"]
    sql, attnames = _select_sql(model, column, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [value])
        found = cursor.fetchall()
    if len(found) != 1:
        return None
    row = list(found[0])
    for i, convert, col in _converters(model, connection.vendor):
        row[i] = convert(row[i], col, connection)
    return model.from_db("default", attnames, row)


@lru_cache(maxsize=256)
def _converters(model: type[models.Model], vendor: str) -> tuple:
    """(position, converter, column expression) for the columns whose database value
    needs one (JSON, decimals and dates on SQLite, …), as the ORM applies them."""
    connection = connections["default"]
    out = []
    for i, f in enumerate(model._meta.concrete_fields):
        col = f.get_col(model._meta.db_table)
        for convert in [*connection.ops.get_db_converters(col), *f.get_db_converters(connection)]:
            out.append((i, convert, col))
    return tuple(out)


@lru_cache(maxsize=256)
def _historical(model: type[models.Model]):
    """The django-simple-history model of `model` and the fields it copies."""
    historical = model.history.model
    tracked = {f.attname for f in model._meta.concrete_fields}
    return historical, tuple(
        f.attname for f in historical._meta.concrete_fields if f.attname in tracked
    )


def insert_history(objs: Sequence[models.Model], *, history_type: str = "+") -> None:
    """Write the django-simple-history rows of instances stored by `insert` (or changed
    by an `UPDATE`): the same columns as the model's `history` would write, attributed
    to the acting user (`core.audit.acting_as`)."""
    if not objs:
        return
    historical, copied = _historical(type(objs[0]))
    actor = current_actor.get()
    now = timezone.now()
    rows = []
    for obj in objs:
        values = {name: getattr(obj, name) for name in copied}
        rows.append(
            historical(
                **values,
                history_date=now,
                history_type=history_type,
                history_user_id=getattr(actor, "pk", None),
                history_change_reason=None,
            )
        )
    insert(rows)
