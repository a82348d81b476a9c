"""Set-based bulk loading of DataFrames, fast on both databases.

PostgreSQL: COPY (psycopg 3 `cursor.copy`) of CSV text written by pyarrow.
SQLite: `executemany` in batches. The imports load a file's rows into a
temporary table this way and then merge them into the real tables with one
set-based statement (`INSERT … SELECT … ON CONFLICT`, `UPDATE`, `DELETE`),
never one query per row.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import numpy as np
import pandas as pd
import pyarrow as pa
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from pyarrow import csv as pa_csv

BATCH_ROWS = 200_000

_Sliceable = TypeVar("_Sliceable", bound=Sequence[Any] | np.ndarray | pd.DataFrame | pd.Series)


def chunks(values: _Sliceable, size: int) -> Iterator[_Sliceable]:
    """Consecutive slices of at most `size` items of `values` (a list, tuple,
    numpy array, DataFrame or Series — frames by position), covering every
    item exactly once, in order; none for an empty input. The one way to walk
    a long id list in batches: a hand-written `range(0, n, step)` with a
    different slice width once left most of a large upload uncategorised."""
    if size < 1:
        raise ValueError(f"chunk size must be at least 1, not {size}")
    sliceable: Any = values.iloc if isinstance(values, pd.DataFrame | pd.Series) else values
    for start in range(0, len(values), size):
        yield sliceable[start : start + size]


# Column types of temporary tables: ours → (PostgreSQL, SQLite).
_TYPES = {
    "bigint": ("bigint", "INTEGER"),
    "integer": ("integer", "INTEGER"),
    "date": ("date", "TEXT"),
    "text": ("text", "TEXT"),
    "float": ("double precision", "REAL"),
    "boolean": ("boolean", "INTEGER"),
    "json": ("jsonb", "TEXT"),
}

Progress = Callable[[int, int], None]


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def date_param(value: object) -> object:
    """A date as a query parameter: a date on PostgreSQL, ISO text on SQLite
    (how Django stores DateField there)."""
    if is_postgres():
        return value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def in_clause(column: str, values: Sequence[object]) -> tuple[str, list[object]]:
    """`column IN (…)` with parameters; one array parameter on PostgreSQL."""
    values = list(values)
    if is_postgres():
        # psycopg sends small ints as int2[], and `bigint = ANY(int2[])` is
        # costed as a cross-type comparison: measured here, the planner then
        # walked a 4M-row range in index order (10 s) instead of scanning it (1 s).
        ints = values and all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in values)
        if ints:
            return f"{column} = ANY(%s::bigint[])", [[int(cast(int, v)) for v in values]]
        return f"{column} = ANY(%s)", [values]
    return f"{column} IN ({','.join(['%s'] * len(values))})", values


ANALYZE_ROWS = 10_000
LINES_ANALYZE_ROWS = 50_000  # a 2,000-SKU run (~12k lines) does not pay for an ANALYZE


def analyze_after_load(*tables: str, rows: int, threshold: int | None = None) -> None:
    """PostgreSQL: fresh planner statistics after a large bulk write (autovacuum
    comes later): with a table's statistics still saying "empty", the next
    reads pick nested loops over hundreds of thousands of rows (a run's stock
    read took 1.2 s instead of 0.15 s). Cheap: ANALYZE samples the table."""
    if not is_postgres() or rows < (ANALYZE_ROWS if threshold is None else threshold):
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {quote(table)}")


def imports_lock() -> None:
    """Serialise the writes of imports (PostgreSQL: a transaction-level advisory
    lock): two uploads at once queue instead of interleaving their upserts.
    Files are still read and validated in parallel. SQLite has one writer anyway."""
    if is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('fastdso.imports'))")


@contextmanager
def work_mem(value: str, *, jit: bool = True) -> Iterator[None]:
    """PostgreSQL: `work_mem` raised for the statements of the block (this
    transaction only, then back to what it was), so one known big grouping
    stays in memory without raising it for every query. `jit=False` also
    turns JIT compilation off for the block: a run's reads of a 100M-row
    table are costed above `jit_above_cost`, and compiling them took 0.17 s
    of a 1 s read (docs/performance.md, v3). No-op elsewhere."""
    if not is_postgres():
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('work_mem'), current_setting('jit'), set_config('work_mem', %s, true), "
            "set_config('jit', %s, true)",
            [value, "on" if jit else "off"],
        )
        before, before_jit = cursor.fetchone()[:2]
    try:
        yield
    finally:
        if not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('work_mem', %s, true), set_config('jit', %s, true)", [before, before_jit]
                )


def table_is_empty(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1")  # noqa: S608 - ours
        return cursor.fetchone() is None


@contextmanager
def indexes_rebuilt_after(table: str) -> Iterator[None]:
    """A bulk load into an empty `table`: its indexes (PostgreSQL: the primary
    key and unique constraints too) are dropped, the block runs, and they are
    built again from the loaded rows (PostgreSQL: sorted once, by parallel
    maintenance workers) — far cheaper than maintaining five indexes row by
    row. Inside the caller's transaction: a failure rolls the drop back as
    well. The drop locks the table (ACCESS EXCLUSIVE) until the commit, so
    use it only when the table holds nothing anyone is reading."""
    if is_postgres():
        definitions = _pg_indexes_drop(table)
    else:
        definitions = _sqlite_indexes_drop(table)
    yield
    with connection.cursor() as cursor:
        if is_postgres():
            # Room to sort each index in memory (this transaction only).
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for sql in definitions:
            cursor.execute(sql)


def _pg_indexes_drop(table: str) -> list[str]:
    """Drop the table's indexes; returns the statements that build them again
    (primary key and unique constraints first). Nothing is dropped when
    another table's foreign key needs one of them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM pg_constraint WHERE confrelid = %s::regclass", [table])
        if cursor.fetchone()[0]:
            return []
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('p', 'u') ORDER BY contype, conname",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = %s::regclass AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY c.relname",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _definition in constraints:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
    return [
        *(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}" for name, definition in constraints),
        # A partitioned table's index reads "CREATE INDEX … ON ONLY parent": built
        # like that it would stay invalid, with no index on any partition.
        *(definition.replace(" ON ONLY ", " ON ", 1) for _name, definition in indexes),
    ]


def _sqlite_indexes_drop(table: str) -> list[str]:
    """SQLite: the CREATE INDEX statements of the table's droppable indexes
    (a UNIQUE written in CREATE TABLE has an automatic index that stays)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s", [table])
        indexes = [(name, sql) for name, sql in cursor.fetchall() if sql]
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
    return [sql for _name, sql in indexes]


_PG_BINARY_HEADER = 19  # signature, flags, header extension length
_READ_BLOCK_ROWS = 200_000


def int_columns_read(sql: str, params: Sequence[object], widths: Sequence[int]) -> list[np.ndarray]:
    """PostgreSQL: the rows of `sql` (NOT NULL integer columns, `widths` their
    byte sizes: 4 for integer and date, 8 for bigint) as one numpy array per
    column, through binary COPY: every row then has the same layout and is
    cut out of the wire bytes by numpy, with no text formatting on the
    server and no Python object per value (4.1M rows: ~6 s on a loaded
    machine, 5 of them the server sending)."""
    fields: list[tuple[str, str]] = [("count", ">i2")]
    for i, width in enumerate(widths):
        fields += [(f"length{i}", ">i4"), (f"c{i}", f">i{width}")]
    row_type = np.dtype(fields)
    parts: list[list[np.ndarray]] = [[] for _ in widths]
    pending = bytearray()
    skip = _PG_BINARY_HEADER
    statement = f"COPY ({sql}) TO STDOUT (FORMAT binary)"
    started = time.monotonic()
    with connection.cursor() as cursor, cursor.cursor.copy(statement, params) as copy:
        while block := copy.read():
            pending += block
            if skip:
                if len(pending) < skip:
                    continue
                del pending[:skip]
                skip = 0
            whole = len(pending) // row_type.itemsize
            if whole >= _READ_BLOCK_ROWS:
                _int_rows_cut(pending, whole, row_type, widths, parts)
    whole = (len(pending) - 2) // row_type.itemsize  # the trailer: a field count of -1
    _int_rows_cut(pending, whole, row_type, widths, parts)
    if pending != b"\xff\xff":
        raise RuntimeError("unexpected binary COPY layout")
    if connection.queries_logged:  # as Django logs its own queries (DEBUG, the tests' query captures)
        connection.queries_log.append(
            {"sql": f"{statement} {list(params)!r}", "time": f"{time.monotonic() - started:.3f}"}
        )
    return [np.concatenate(p) if p else np.zeros(0, dtype=np.int64) for p in parts]


_SEND = {8: "int8send", 4: "int4send"}


def int_columns_packed(sql: str, params: Sequence[object], widths: Sequence[int]) -> list[np.ndarray]:
    """PostgreSQL: what `int_columns_read` returns, for a bounded result (a
    run's SKUs: up to ~1M rows): the server packs every row's binary values
    into one bytea (`string_agg` of `int8send(…) || …`), sent as one value
    and cut by numpy. A COPY sends one message per row, and reading those
    costs psycopg ~3–6 µs each (0.3–0.6 s of a 2,000-SKU run's 100k–170k
    rows on a busy machine); one value costs nothing per row. The whole result
    is held once on the server: use `int_columns_read` for millions of rows."""
    names = [f"c{i}" for i in range(len(widths))]
    packed = " || ".join(f"{_SEND[w]}(q.{n})" for w, n in zip(widths, names, strict=True))
    statement = f"SELECT string_agg({packed}, ''::bytea), COUNT(*) FROM ({sql}) AS q({', '.join(names)})"  # noqa: S608 - ours
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        data, count = cursor.fetchone()
    row_type = np.dtype([(n, f">i{w}") for n, w in zip(names, widths, strict=True)])
    rows = np.frombuffer(bytes(data or b""), dtype=row_type)
    if len(rows) != count:  # a NULL value: its row's bytes would be missing
        raise RuntimeError("unexpected NULL in a packed integer read")
    return [rows[n].astype(np.int64 if w == 8 else np.int32) for n, w in zip(names, widths, strict=True)]


def _int_rows_cut(
    pending: bytearray, whole: int, row_type: np.dtype, widths: Sequence[int], parts: list[list[np.ndarray]]
) -> None:
    if not whole:
        return
    rows = np.frombuffer(bytes(pending[: whole * row_type.itemsize]), dtype=row_type)
    if (rows["count"] != len(widths)).any() or any((rows[f"length{i}"] != w).any() for i, w in enumerate(widths)):
        raise RuntimeError("unexpected binary COPY layout (a NULL or another type)")
    for i, width in enumerate(widths):
        parts[i].append(rows[f"c{i}"].astype(np.int64 if width == 8 else np.int32))
    del pending[: whole * row_type.itemsize]


@dataclass(frozen=True)
class TempTable:
    name: str
    columns: tuple[str, ...]

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.name}")


def temp_table_load(
    frame: pd.DataFrame,
    *,
    prefix: str,
    types: dict[str, str],
    unique: Sequence[str] = (),
    index: str = "",
    progress: Progress | None = None,
) -> TempTable:
    """Create a temporary table with `types` (column → bigint|integer|float|date|text)
    and load `frame` into it; `unique`: its key columns (indexed after the load);
    `index`: one more column to index.
    On PostgreSQL the table is analysed. Drop it with `.drop()`."""
    name = f"tmp_{prefix}_{uuid.uuid4().hex[:10]}"
    columns = tuple(types)
    vendor = 0 if is_postgres() else 1
    definition = ", ".join(f"{quote(c)} {_TYPES[t][vendor]}" for c, t in types.items())
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {name} ({definition})")
    table = TempTable(name, columns)
    rows_insert(name, frame[list(columns)], types=types, progress=progress)
    with connection.cursor() as cursor:
        if unique:
            # Lookups by key stay cheap whatever plan the database picks
            # (a nested loop over a table without statistics, say).
            cursor.execute(f"CREATE UNIQUE INDEX {name}_key ON {name} ({', '.join(quote(c) for c in unique)})")
        if index:  # e.g. a row number the caller reads in ranges
            cursor.execute(f"CREATE INDEX {name}_{index} ON {name} ({quote(index)})")
        if is_postgres():
            cursor.execute(f"ANALYZE {name}")
    return table


def rows_insert(
    table: str,
    frame: pd.DataFrame,
    *,
    types: dict[str, str],
    progress: Progress | None = None,
) -> int:
    """Insert every row of `frame` (columns named as the table's) into `table`:
    COPY on PostgreSQL, batched executemany on SQLite. Returns the row count."""
    total = len(frame)
    if not total:
        return 0
    columns = list(frame.columns)
    column_list = ", ".join(quote(c) for c in columns)
    if is_postgres():
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
            with raw.copy(f"COPY {table} ({column_list}) FROM STDIN WITH (FORMAT csv)") as copy:
                done = 0
                for part in chunks(frame, BATCH_ROWS):
                    buffer = io.BytesIO()
                    pa_csv.write_csv(
                        _arrow_table(part, types),
                        buffer,
                        write_options=pa_csv.WriteOptions(include_header=False),
                    )
                    copy.write(buffer.getvalue())
                    done += len(part)
                    if progress:
                        progress(done, total)
        return total
    sql = f"INSERT INTO {table} ({column_list}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608 - identifiers are ours
    with connection.cursor() as cursor:
        done = 0
        for part in chunks(frame, BATCH_ROWS):
            values = [_python_values(part[c], types[c]) for c in columns]
            cursor.executemany(sql, list(zip(*values, strict=True)))
            done += len(part)
            if progress:
                progress(done, total)
    return total


def _arrow_table(frame: pd.DataFrame, types: dict[str, str]) -> pa.Table:
    arrays = {}
    for column in frame.columns:
        kind = types[column]
        series = frame[column]
        if kind == "date":
            arrays[column] = pa.array(np.asarray(series, dtype="datetime64[D]"), type=pa.date32())
        elif kind == "json":
            arrays[column] = pa.array(_json_texts(series), type=pa.string())
        elif kind == "boolean":
            arrays[column] = pa.array(series.to_numpy(dtype=bool), type=pa.bool_())
        elif kind == "text":
            arrays[column] = pa.array(series.astype(object).where(series.notna(), None), type=pa.string())
        elif kind == "float":  # NaN → NULL
            arrays[column] = pa.array(series.to_numpy(dtype="float64", na_value=np.nan), from_pandas=True)
        elif series.hasnans:  # nullable integers (pandas Int64)
            arrays[column] = pa.array(series.astype("Int64"), type=pa.int64(), from_pandas=True)
        else:
            arrays[column] = pa.array(series.to_numpy(dtype="int64"), type=pa.int64())
    return pa.table(arrays)


def _python_values(series: pd.Series, kind: str) -> list[Any]:
    if kind == "date":
        return list(np.datetime_as_string(np.asarray(series, dtype="datetime64[D]"), unit="D"))
    if kind == "text":
        return [None if pd.isna(v) else str(v) for v in series.tolist()]
    if kind == "json":
        return _json_texts(series)
    if kind == "boolean":
        return [bool(v) for v in series.tolist()]
    if kind == "float":
        return [None if v != v else v for v in series.to_numpy(dtype="float64", na_value=np.nan).tolist()]
    if series.hasnans:
        return [None if pd.isna(v) else int(v) for v in series.tolist()]
    return series.to_numpy(dtype="int64").tolist()


def _json_texts(series: pd.Series) -> list[str | None]:
    """JSON values as Django's JSONField writes them (json.dumps; None → NULL)."""
    return [None if v is None else json.dumps(v) for v in series.tolist()]


# --- The line writer of every planner -------------------------------------------

# Django field types → our column types (above).
_FIELD_KINDS = {
    "AutoField": "integer",
    "BigAutoField": "bigint",
    "BigIntegerField": "bigint",
    "PositiveBigIntegerField": "bigint",
    "IntegerField": "integer",
    "PositiveIntegerField": "integer",
    "SmallIntegerField": "integer",
    "PositiveSmallIntegerField": "integer",
    "FloatField": "float",
    "CharField": "text",
    "TextField": "text",
    "DateField": "date",
    "BooleanField": "boolean",
    "JSONField": "json",
}


def _field_kind(field: models.Field) -> str:
    if field.is_relation:  # a foreign key: the type of the key it points at
        return _field_kind(field.target_field)
    return _FIELD_KINDS[field.get_internal_type()]


def lines_write(model: type[models.Model], frame: pd.DataFrame, *, progress: Progress | None = None) -> int:
    """Insert a planner's lines — a run's or a plan's — into `model`'s table in
    bulk: `frame` has one column per field, named by attname (`run_id`,
    `product_id`, `qty`…; nullable integers as pandas Int64). Column types come
    from the model's fields. COPY on PostgreSQL, batched executemany on SQLite:
    not the ORM, whose bulk_create spends seconds building model objects for a
    run of 100k lines (SPEC §11). Returns the row count."""
    if frame.empty:
        return 0
    fields = {name: model._meta.get_field(name) for name in frame.columns}
    columns = {name: field.column for name, field in fields.items()}
    types = {field.column: _field_kind(field) for field in fields.values()}
    written = rows_insert(model._meta.db_table, frame.rename(columns=columns), types=types, progress=progress)
    if written >= LINES_ANALYZE_ROWS:
        # Before autovacuum gets there, the planner would think the new run
        # has a few hundred lines and sort all of them for the lines page's
        # first 25 (0.3–0.6 s at 228k lines, 1 ms with statistics).
        analyze_after_load(model._meta.db_table, rows=written, threshold=LINES_ANALYZE_ROWS)
    return written


# --- Readable ids of runs and plans ---------------------------------------------


def readable_id_next(model: type[models.Model], field: str, prefix: str, day: dt.date) -> str:
    """PREFIX-YYYYMMDD-NNNN: the day's next number (DR-20260301-0001, TP-…),
    from a persistent sequence (fastdso.IdSequence, its row locked until the
    caller's transaction ends): a number is never given twice, even when the
    run or plan that had it was deleted. Ids stored before the sequence
    existed are skipped too."""
    from fastdso.models import IdSequence

    stem = f"{prefix}-{day:%Y%m%d}-"
    numbers = [
        int(value[len(stem) :])
        for value in model._default_manager.filter(**{f"{field}__startswith": stem}).values_list(field, flat=True)
        if value[len(stem) :].isdigit()
    ]
    # The same four queries every time (first of the day or not): create the day's row if
    # absent, lock it, take the next number, keep it.
    IdSequence.objects.bulk_create([IdSequence(stem=stem, last=0)], ignore_conflicts=True)
    last = IdSequence.objects.select_for_update().values_list("last", flat=True).get(stem=stem)
    number = max(last, max(numbers, default=0)) + 1
    IdSequence.objects.filter(stem=stem).update(last=number)
    return f"{stem}{number:04d}"


def readable_id_save(
    obj: models.Model, *, field: str, prefix: str, update_fields: Sequence[str] | None = None, attempts: int = 5
) -> None:
    """Give `obj` its readable id (`readable_id_next`, the local day) and save it:
    the one id scheme of runs and plans. `field` must be unique; when another
    transaction took the number first, the save is retried with the next one
    (inside a savepoint, so the caller's transaction goes on)."""
    day = timezone.localdate()
    for _attempt in range(attempts):
        try:
            with transaction.atomic():
                setattr(obj, field, readable_id_next(type(obj), field, prefix, day))
                obj.save(update_fields=update_fields)
            return
        except IntegrityError:
            continue
    raise RuntimeError(f"no {field} could be reserved")
