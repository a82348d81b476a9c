"""The cold start's category summary, kept instead of recomputed per run.

A cold-start run needs, per category and store, the units over the last
`category_window_weeks` and how many of the category's SKUs sold there
(SPEC §5.3). Grouping the window's weekly rows for that costs ~0.5 s on the
reference data (960k rows), more than the rest of a 2,000-SKU run, so one
window's result is kept in `CategoryStoreSales`:

* filled by the macro import, inside its transaction, for the default as-of
  week and window (what a run with no as-of date reads);
* filled on demand by the first run that finds it stale (`summary_ensure`);
* marked stale by database triggers on every write to SalesWeeklyAgg (any
  path: imports, category sync, cascaded deletes, the admin, raw SQL), so a
  stale summary is never read: `summary_read` then answers None and the
  caller groups the weekly rows as before.

Concurrency (PostgreSQL): a writer's trigger updates the state row, and a
fill locks that row before it reads, so a fill either waits for a writer to
commit (and sees its rows) or commits first (and the writer's trigger marks
it stale again). SQLite has one writer at a time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import pandas as pd
from django.db import connection, connections, transaction
from django.db.utils import OperationalError
from django.utils import timezone

from fastdso.db import in_clause, is_postgres, work_mem
from sales.engine import CATEGORY_WINDOW_WEEKS
from sales.models import CategorySalesState, CategoryStoreSales, SalesWeeklyAgg

__all__ = [
    "CATEGORY_WINDOW_WEEKS",
    "bulk_write",
    "category_window_sql",
    "summary_ensure",
    "summary_fill",
    "summary_read",
    "triggers_install",
]

WEEKLY = SalesWeeklyAgg._meta.db_table
SUMMARY = CategoryStoreSales._meta.db_table
STATE = CategorySalesState._meta.db_table
COLUMNS = ["category", "store_id", "units", "skus"]
FILL_WORK_MEM = "64MB"  # the (category, store, SKU) groups of the window in memory, not spilled

# PostgreSQL: one statement-level trigger (cheap: once per statement, COPY included).
_PG_TRIGGER = [
    f"""CREATE OR REPLACE FUNCTION sales_category_summary_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {STATE} (id, stale) VALUES (1, true) ON CONFLICT (id) DO UPDATE SET stale = true;
    RETURN NULL;
END $$""",  # noqa: S608 - identifiers are ours
    f"DROP TRIGGER IF EXISTS sales_category_summary_stale ON {WEEKLY}",
    f"CREATE TRIGGER sales_category_summary_stale AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {WEEKLY} "
    "FOR EACH STATEMENT EXECUTE FUNCTION sales_category_summary_stale()",
]
# SQLite has row triggers only: the WHEN clause makes all but the first row of
# a write one indexed lookup (still ~1.6 µs a row: imports lift them, bulk_write).
_SQLITE_TRIGGER = (
    "CREATE TRIGGER IF NOT EXISTS sales_category_summary_stale_{name} AFTER {event} ON " + WEEKLY + " "  # noqa: S608 - ours
    "WHEN NOT EXISTS (SELECT 1 FROM " + STATE + " WHERE id = 1 AND stale) "
    "BEGIN INSERT OR REPLACE INTO " + STATE + " (id, stale) VALUES (1, 1); END"
)


def category_window_sql(category_clause: str) -> str:
    """Per category and store over a window (params: the clause's, then first
    and last Monday): units, and how many SKUs sold there (their units summed
    over the window > 0, SPEC §5.3). The one definition, for the fill and for
    the rows grouped live when the summary does not hold the window."""
    return (
        "SELECT s.category, s.store_id, SUM(s.units), SUM(CASE WHEN s.units > 0 THEN 1 ELSE 0 END) FROM ("  # noqa: S608
        f"SELECT w.category, w.store_id, w.product_id, SUM(w.units) AS units FROM {WEEKLY} w "
        f"WHERE {category_clause} AND w.week_start BETWEEN %s AND %s GROUP BY w.category, w.store_id, w.product_id"
        ") s GROUP BY s.category, s.store_id"
    )


def triggers_install(using: str = "default") -> None:
    """(Re)install the triggers that mark the summary stale. Run after every
    `migrate` (apps.py): SQLite drops a table's triggers whenever a migration
    rebuilds the table."""
    db = connections[using]
    tables = db.introspection.table_names()
    if WEEKLY not in tables or STATE not in tables:
        return
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            for sql in _PG_TRIGGER:
                cursor.execute(sql)
        else:
            for event in ("INSERT", "UPDATE", "DELETE"):
                cursor.execute(_SQLITE_TRIGGER.format(event=event, name=event.lower()))


TRIGGERS_LIFTED_FROM = 50_000  # rows (SQLite): below, the triggers cost < 0.1 s


@contextmanager
def bulk_write(rows: int) -> Iterator[None]:
    """Around an import's bulk write of `rows` rows to the weekly table: the
    summary is marked stale once, and on SQLite, for a big write, the row
    triggers are lifted for the block (they cost 6.7 s of the 4.1M-row
    reference upload). SQLite has one writer, and DDL is transactional: when
    the block fails, the rollback brings them back. Small writes keep them
    (no schema change for an everyday upload)."""
    CategorySalesState.objects.update_or_create(pk=1, defaults={"stale": True})
    if is_postgres() or rows < TRIGGERS_LIFTED_FROM:  # PostgreSQL: one statement trigger per statement
        yield
        return
    with connection.cursor() as cursor:
        for event in ("insert", "update", "delete"):
            cursor.execute(f"DROP TRIGGER IF EXISTS sales_category_summary_stale_{event}")
    try:
        yield
    finally:
        if not connection.needs_rollback:  # else the rollback restores them
            triggers_install(connection.alias)


def summary_read(categories: Iterable[str], weeks: int, as_of: dt.date) -> pd.DataFrame | None:
    """DataFrame[category, store_id, units, skus] for these categories from the
    kept summary, or None when it does not hold this window or is stale. One
    statement: the state and the rows come from the same snapshot."""
    category_list = sorted({str(c) for c in categories if c})
    if not category_list:
        return pd.DataFrame({c: pd.Series(dtype="object" if c == "category" else "int64") for c in COLUMNS})
    cat_clause, cat_params = in_clause("c.category", category_list)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.category, c.store_id, c.units, c.skus FROM {STATE} st "  # noqa: S608 - identifiers are ours
            f"LEFT JOIN {SUMMARY} c ON {cat_clause} "
            "WHERE st.id = 1 AND st.stale = %s AND st.as_of_week = %s AND st.weeks = %s",
            [*cat_params, False, as_of, weeks],
        )
        rows = cursor.fetchall()
    if not rows:
        return None
    frame = pd.DataFrame([row for row in rows if row[0] is not None], columns=COLUMNS)
    return frame.astype({"store_id": "int64", "units": "int64", "skus": "int64"})


def _holds(state: CategorySalesState | None, as_of: dt.date, weeks: int) -> bool:
    return state is not None and not state.stale and state.as_of_week == as_of and state.weeks == weeks


def _state_lock(*, wait: bool) -> CategorySalesState | None:
    """The state row, locked until the transaction ends (created if missing);
    None when `wait` is off and a writer holds it (PostgreSQL)."""
    if not CategorySalesState.objects.filter(pk=1).exists():
        CategorySalesState.objects.bulk_create([CategorySalesState(pk=1)], ignore_conflicts=True)
    if wait or not is_postgres():
        return CategorySalesState.objects.select_for_update().get(pk=1)
    try:
        with transaction.atomic():  # a savepoint: NOWAIT's error must not end the caller's transaction
            return CategorySalesState.objects.select_for_update(nowait=True).get(pk=1)
    except OperationalError:
        return None


def summary_fill(as_of: dt.date, weeks: int = CATEGORY_WINDOW_WEEKS, *, wait: bool = True) -> bool:
    """Make the summary hold every category's (units, SKUs that sold) per store
    over the `weeks` weeks ending with `as_of`; nothing to do when it already
    does. Returns False only when `wait` is off and a writer holds the state
    (PostgreSQL): the caller then groups the weekly rows itself."""
    first = as_of - dt.timedelta(weeks=weeks - 1)
    if _holds(CategorySalesState.objects.filter(pk=1).first(), as_of, weeks):
        return True  # without a lock: concurrent runs and writers do not queue on it
    with transaction.atomic():
        state = _state_lock(wait=wait)
        if state is None:
            return False
        if _holds(state, as_of, weeks):
            return True
        with work_mem(FILL_WORK_MEM), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {SUMMARY}")  # noqa: S608 - identifiers are ours
            cursor.execute(
                f"INSERT INTO {SUMMARY} (category, store_id, units, skus) "  # noqa: S608 - identifiers are ours
                + category_window_sql("w.category IS NOT NULL"),
                [first, as_of],
            )
        CategorySalesState.objects.filter(pk=1).update(
            stale=False, as_of_week=as_of, weeks=weeks, filled_at=timezone.now()
        )
    return True


def summary_ensure(as_of: dt.date | None, weeks: int) -> bool:
    """For a run that found the summary stale or holding another window: fill
    it, for the default window only (another as-of date or window is grouped
    from the weekly rows: one summary, not one per window). A writer in
    progress is not waited for (PostgreSQL). True when the summary now holds
    the window."""
    from sales.queries import default_as_of_week

    if as_of is None or weeks != CATEGORY_WINDOW_WEEKS or as_of != default_as_of_week():
        return False
    return summary_fill(as_of, weeks, wait=False)


def summary_mismatches() -> int:
    """(category, store) rows where the kept summary differs from a fresh
    group-by of the weekly rows over the window it claims to hold; 0 when it
    holds none (stale or never filled). The integrity check of the copy."""
    state = CategorySalesState.objects.filter(pk=1).first()
    if state is None or state.stale or state.as_of_week is None or not state.weeks:
        return 0
    first = state.as_of_week - dt.timedelta(weeks=state.weeks - 1)
    with connection.cursor() as cursor:
        cursor.execute(category_window_sql("w.category IS NOT NULL"), [first, state.as_of_week])
        fresh = {(c, int(s)): (int(u), int(k)) for c, s, u, k in cursor.fetchall()}
        cursor.execute(f"SELECT category, store_id, units, skus FROM {SUMMARY}")  # noqa: S608 - identifiers are ours
        kept = {(c, int(s)): (int(u), int(k)) for c, s, u, k in cursor.fetchall()}
    return sum(1 for key in fresh.keys() | kept.keys() if fresh.get(key) != kept.get(key))
