"""The weekly table's time partitions (PostgreSQL) and the retention that drops them.

On PostgreSQL `sales_salesweeklyagg` is declaratively partitioned by RANGE
on `week_start` (migration `sales 0011`): one partition per calendar month of
the week's Monday (`sales_salesweeklyagg_p202601` holds the weeks starting in
January 2026) and a DEFAULT partition that catches any week no monthly
partition covers yet (rows written outside the macro import: the admin, tests,
bulk loads). SQLite keeps one plain table: every function here is a no-op
there, except `sales_prune`, which deletes rows.

* `partitions_ensure(first, last)` creates the missing monthly partitions of
  a date range. The macro import calls it before its transaction, in a short
  transaction of its own: creating a partition locks the parent table, and
  that lock must not be held for the whole upload. Rows of those months that
  sit in the DEFAULT partition are moved into the new partition first.
* `sales_prune(before)` removes the weeks that start before the Monday of
  `before`: whole partitions are dropped (no row-by-row delete, no bloat, no
  vacuum), the one partition that straddles the cut (and the DEFAULT one) get
  a `DELETE … WHERE week_start < cut`; newer rows are never touched.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from fastdso.audit import audit_record
from fastdso.db import date_param, imports_lock, is_postgres, quote
from fastdso.messages import msg
from sales.models import CategorySalesState, SalesWeeklyAgg

WEEKLY = SalesWeeklyAgg._meta.db_table
DEFAULT = f"{WEEKLY}_default"
_BOUND = re.compile(r"FROM \('(\d{4}-\d{2}-\d{2})'\) TO \('(\d{4}-\d{2}-\d{2})'\)")


@dataclass(frozen=True)
class Partition:
    name: str
    lower: dt.date | None  # None: the DEFAULT partition
    upper: dt.date | None  # exclusive


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def partition_name(lower: dt.date) -> str:
    return f"{WEEKLY}_p{lower:%Y%m}"


def is_partitioned() -> bool:
    """PostgreSQL with the weekly table partitioned (migration sales 0011 applied)."""
    if not is_postgres():
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [WEEKLY])
        row = cursor.fetchone()
    return row is not None and row[0] == "p"


def partitions() -> list[Partition]:
    """The weekly table's partitions, oldest first, the DEFAULT one last."""
    if not is_partitioned():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass",
            [WEEKLY],
        )
        rows = cursor.fetchall()
    found = []
    for name, bound in rows:
        match = _BOUND.search(bound or "")
        if match:
            found.append(Partition(name, dt.date.fromisoformat(match[1]), dt.date.fromisoformat(match[2])))
        else:
            found.append(Partition(name, None, None))
    return sorted(found, key=lambda p: (p.lower is None, p.lower or dt.date.max))


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first days of the months whose weeks (by their Monday) the dates span."""
    first = month_start(first - dt.timedelta(days=first.weekday()))
    months = []
    while first <= last:
        months.append(first)
        first = next_month(first)
    return months


def partitions_ensure(first: dt.date, last: dt.date) -> list[str]:
    """Create the monthly partitions missing for the weeks of [first, last]
    (PostgreSQL, partitioned table; else nothing). Returns the names created."""
    if not is_partitioned():
        return []
    have = {p.lower for p in partitions()}
    missing = [m for m in months_between(first, last) if m not in have]
    created = []
    for lower in missing:
        with transaction.atomic():
            _partition_create(lower, next_month(lower))
        created.append(partition_name(lower))
    return created


def _partition_create(lower: dt.date, upper: dt.date) -> None:
    name, table = partition_name(lower), quote(WEEKLY)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {quote(DEFAULT)} WHERE week_start >= %s AND week_start < %s)",  # noqa: S608
            [lower, upper],
        )
        if not cursor.fetchone()[0]:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {quote(name)} PARTITION OF {table} "  # noqa: S608 - ours
                f"FOR VALUES FROM ('{lower.isoformat()}') TO ('{upper.isoformat()}')"
            )
            return
        # Rows of this month wait in the DEFAULT partition: move them into a
        # new table, then attach it (its indexes are built on attach).
        cursor.execute(f"CREATE TABLE {quote(name)} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        cursor.execute(
            f"WITH moved AS (DELETE FROM {quote(DEFAULT)} WHERE week_start >= %s AND week_start < %s RETURNING *) "  # noqa: S608
            f"INSERT INTO {quote(name)} SELECT * FROM moved",
            [lower, upper],
        )
        cursor.execute(
            f"ALTER TABLE {table} ATTACH PARTITION {quote(name)} "
            f"FOR VALUES FROM ('{lower.isoformat()}') TO ('{upper.isoformat()}')"
        )


def weekly_analyze(first: dt.date, last: dt.date, *, rows: int) -> None:
    """PostgreSQL: fresh statistics after an import wrote `rows` rows of the
    weeks of [first, last]. Partitioned: only the partitions of those weeks
    (and the DEFAULT one), unless the write holds a large share of the table
    (a first load), when the parent is analysed too — `ANALYZE` of the parent
    samples every partition again (26 of them at two years: most of a weekly
    upload's 1M-row write on the bench machine). Not partitioned: the table."""
    if not is_postgres():
        return
    with connection.cursor() as cursor:
        if not is_partitioned():
            cursor.execute(f"ANALYZE {quote(WEEKLY)}")
            return
        cursor.execute(
            "SELECT COALESCE(SUM(GREATEST(c.reltuples, 0)), 0) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass",
            [WEEKLY],
        )
        if rows * 4 >= float(cursor.fetchone()[0]):
            cursor.execute(f"ANALYZE {quote(WEEKLY)}")
            return
        names = {partition_name(m) for m in months_between(first, last)}
        for part in partitions():
            if part.name in names or part.lower is None:
                cursor.execute(f"ANALYZE {quote(part.name)}")


@dataclass(frozen=True)
class PruneResult:
    cut: dt.date  # rows with week_start < cut were removed
    rows_deleted: int
    partitions_dropped: list[str]


def prune_cut(before: dt.date) -> dt.date:
    """The first week kept: the week holding `before` (its days on or after
    `before` are history newer than the cut, so the whole week stays)."""
    return before - dt.timedelta(days=before.weekday())


def sales_prune(before: dt.date, *, user: Any = None) -> PruneResult:
    """Remove the weekly rows of the weeks that start before the Monday of
    `before`, in one transaction under the imports' lock, audited: whole
    partitions on PostgreSQL, a DELETE elsewhere. Newer rows are never
    touched. The kept category summary is marked stale (dropping a partition
    fires no trigger)."""
    cut = prune_cut(before)
    dropped: list[str] = []
    deleted = 0
    with transaction.atomic():
        imports_lock()
        with connection.cursor() as cursor:
            for part in partitions():
                if part.upper is not None and part.upper <= cut:
                    cursor.execute(f"SELECT COUNT(*) FROM {quote(part.name)}")  # noqa: S608 - ours
                    deleted += int(cursor.fetchone()[0])
                    cursor.execute(f"ALTER TABLE {quote(WEEKLY)} DETACH PARTITION {quote(part.name)}")
                    cursor.execute(f"DROP TABLE {quote(part.name)}")
                    dropped.append(part.name)
            # The partition the cut falls in, the DEFAULT one, or the whole table (SQLite).
            cursor.execute(f"DELETE FROM {quote(WEEKLY)} WHERE week_start < %s", [date_param(cut)])  # noqa: S608
            deleted += max(cursor.rowcount, 0)
        CategorySalesState.objects.update_or_create(pk=1, defaults={"stale": True})
        result = PruneResult(cut=cut, rows_deleted=deleted, partitions_dropped=dropped)
        audit_record(
            user=user,
            action="prune_sales",
            object_repr=msg("sales.audit_pruned", before=cut),
            details={"before": cut.isoformat(), "rows": deleted, "partitions": dropped},
        )
    return result
