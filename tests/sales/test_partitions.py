"""The weekly table's time partitions (PostgreSQL) and `prune_sales` (both databases)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from fastdso.db import indexes_rebuilt_after
from fastdso.models import AuditEvent
from sales.models import CategorySalesState, SalesWeeklyAgg
from sales.partitions import is_partitioned, partition_name, partitions, partitions_ensure, prune_cut
from tests import factories
from tests.sales.uploads import csv_file, daily

JAN_26, FEB_2, MAR_2, MAR_30 = dt.date(2026, 1, 26), dt.date(2026, 2, 2), dt.date(2026, 3, 2), dt.date(2026, 3, 30)


@pytest.fixture
def history(db):
    """One SKU at one store, 2 u a week from 2025-12-01 to 2026-03-30 (18 weeks)."""
    store, product = factories.store("Tienda 1"), factories.product("P1", category="Cables")
    weeks = [dt.date(2025, 12, 1) + dt.timedelta(weeks=i) for i in range(18)]
    assert weeks[-1] == MAR_30
    if is_partitioned():
        partitions_ensure(weeks[0], weeks[-1] + dt.timedelta(days=6))
    factories.weekly([(product, store, week, 2) for week in weeks])
    return weeks


def _weeks() -> list[dt.date]:
    return sorted(SalesWeeklyAgg.objects.values_list("week_start", flat=True))


def test_the_cut_is_the_monday_of_the_given_date():
    assert prune_cut(dt.date(2026, 2, 4)) == FEB_2  # a Wednesday: its week stays
    assert prune_cut(FEB_2) == FEB_2


def test_prune_sales_removes_only_the_weeks_before_the_cut_and_is_audited(history):
    CategorySalesState.objects.update_or_create(pk=1, defaults={"stale": False})
    call_command("prune_sales", "--before", "2026-02-04")

    assert _weeks() == [w for w in history if w >= FEB_2]  # 2026-01-26 .. went, 2026-02-02 stays
    assert JAN_26 not in _weeks() and len(_weeks()) == 9
    event = AuditEvent.objects.get(action="prune_sales")
    assert event.details["rows"] == 9 and event.details["before"] == "2026-02-02"
    assert CategorySalesState.objects.get(pk=1).stale  # the kept category summary is refilled later
    if is_partitioned():
        # December and January were whole months before the cut: dropped, not deleted row by row.
        assert set(event.details["partitions"]) == {partition_name(dt.date(2025, 12, 1)), partition_name(JAN_26)}
        assert partition_name(FEB_2) in {p.name for p in partitions()}


def test_prune_sales_in_the_middle_of_a_month_keeps_that_month_s_newer_weeks(history):
    call_command("prune_sales", "--before", "2026-03-16")
    assert _weeks() == [w for w in history if w >= dt.date(2026, 3, 16)]
    if is_partitioned():
        names = {p.name for p in partitions()}
        assert partition_name(MAR_2) in names and partition_name(FEB_2) not in names


def test_keep_weeks_keeps_that_many_weeks_up_to_the_last_loaded_one(history):
    call_command("prune_sales", "--keep-weeks", "4")
    assert _weeks() == history[-4:]


def test_prune_sales_needs_a_date_or_a_number_of_weeks(db):
    with pytest.raises(CommandError):
        call_command("prune_sales")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's")
def test_the_weekly_table_is_partitioned_by_month_and_the_import_adds_its_months(db, tmp_path):
    from sales.services import macro_sales_import

    assert is_partitioned()
    factories.product("P1", category="Cables")
    lines = daily("P1", "Tienda 1", MAR_30, [1, 0, 0, 0, 0, 0, 2]) + daily("P1", "Tienda 1", JAN_26, [3] * 7)
    macro_sales_import(path=csv_file(tmp_path, "sales.csv", lines))

    months = {p.lower for p in partitions()}
    assert {dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)} <= months
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text, week_start, units FROM sales_salesweeklyagg ORDER BY 2")
        rows = cursor.fetchall()
    assert rows == [(partition_name(JAN_26), JAN_26, 21), (partition_name(MAR_2), MAR_30, 3)]
    # A first load (≥ INDEXES_REBUILT_FROM rows) drops the indexes and builds them after its
    # rows: on every partition, all valid (a partitioned index's definition reads "ON ONLY").
    with transaction.atomic(), indexes_rebuilt_after("sales_salesweeklyagg"):
        pass
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), BOOL_AND(i.indisvalid) FROM pg_index i "
            "WHERE i.indrelid = 'sales_salesweeklyagg'::regclass"
        )
        assert cursor.fetchone() == (5, True)
        cursor.execute("SELECT COUNT(*) FROM pg_indexes WHERE tablename = %s", [partition_name(JAN_26)])
        assert cursor.fetchone()[0] == 5


@pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's")
def test_rows_waiting_in_the_default_partition_move_to_their_month_when_it_is_created(db):
    store, product = factories.store("Tienda 1"), factories.product("P1")
    far = dt.date(2031, 5, 5)
    factories.weekly([(product, store, far, 4)])  # no partition for May 2031 yet: the DEFAULT one holds it
    assert partitions_ensure(far, far) == [partition_name(far)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text, units FROM sales_salesweeklyagg")
        assert cursor.fetchall() == [(partition_name(far), 4)]
    assert partitions_ensure(far, far) == []  # already there


def _reltuples(name: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [name])
        return float(cursor.fetchone()[0])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's")
def test_after_a_weekly_import_only_the_partitions_of_its_weeks_are_analysed(history):
    from sales.partitions import weekly_analyze

    weekly_analyze(history[0], history[-1], rows=18)  # as large as the table: a first load, the parent too
    assert (_reltuples(partition_name(FEB_2)), _reltuples(partition_name(MAR_2))) == (4, 5)
    store, product = factories.store("Tienda 2"), factories.product("P2")
    factories.weekly([(product, store, FEB_2, 1), (product, store, MAR_2, 1), (product, store, MAR_30, 1)])
    weekly_analyze(MAR_2, MAR_30 + dt.timedelta(days=6), rows=2)  # a small write of March's weeks
    assert (_reltuples(partition_name(FEB_2)), _reltuples(partition_name(MAR_2))) == (4, 7)
