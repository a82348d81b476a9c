"""The cold start's kept category summary (sales.summary): the same numbers as
grouping the weekly rows, filled by imports and runs, never read stale."""

from __future__ import annotations

import datetime as dt
import threading

import pandas as pd
import pytest
from django.db import connection, connections, transaction

from distribution.models import DistributionLine
from inventory.models import Product, Store
from inventory.services import product_save, products_upsert
from sales.models import CategorySalesState, CategoryStoreSales, SalesWeeklyAgg
from sales.queries import category_store_summary
from sales.summary import TRIGGERS_LIFTED_FROM, bulk_write, summary_ensure, summary_fill, summary_read
from tests import factories
from tests.distribution.helpers import generate, request_file
from tests.sales.uploads import csv_file, daily

pytestmark = pytest.mark.usefixtures("denormalised_copies_agree")


def _by_store(frame) -> dict[tuple[str, int], tuple[int, int]]:
    return {(r.category, r.store_id): (int(r.units), int(r.skus)) for r in frame.itertuples(index=False)}


@pytest.fixture
def cables(db, week):
    """Cables: 5 SKUs × 12 weeks × 2 u at Tienda 1 (120 u, 5 selling); at Tienda 2
    two SKUs 12 u in week 11 (24 u) and one that sold +3 −3 (0 net: not selling).
    Audio: one SKU, 7 u at Tienda 2 in week 11."""
    one, two = factories.store("Tienda 1"), factories.store("Tienda 2")
    skus = [factories.product(f"C{i}", category="Cables") for i in range(5)]
    audio = factories.product("A0", category="Audio")
    rows = [(p, one, week(w), 2) for p in skus for w in range(12)]
    rows += [(p, two, week(11), 12) for p in skus[:2]]
    rows += [(skus[4], two, week(10), 3), (skus[4], two, week(11), -3), (audio, two, week(11), 7)]
    factories.weekly(rows)
    factories.cd_stock([])
    return one, two


def _state() -> CategorySalesState:
    return CategorySalesState.objects.get(pk=1)


def test_the_kept_summary_holds_the_numbers_grouping_the_weekly_rows_gives(cables, week):
    one, two = cables
    assert summary_read(["Cables"], 12, week(11)) is None  # loaded outside an import: stale
    live = category_store_summary(["Cables", "Audio"], 12, week(11))

    assert summary_fill(week(11)) is True
    kept = summary_read(["Cables", "Audio"], 12, week(11))
    expected = {("Cables", one.pk): (120, 5), ("Cables", two.pk): (24, 2), ("Audio", two.pk): (7, 1)}
    assert _by_store(kept) == expected == _by_store(live)
    assert _by_store(summary_read(["Audio"], 12, week(11))) == {("Audio", two.pk): (7, 1)}
    assert CategoryStoreSales.objects.count() == 3
    state = _state()
    assert (state.stale, state.as_of_week, state.weeks) == (False, week(11), 12)


def test_another_window_or_as_of_week_is_grouped_from_the_weekly_rows(cables, week):
    one, two = cables
    summary_fill(week(11))
    assert summary_read(["Cables"], 4, week(11)) is None
    assert summary_read(["Cables"], 12, week(10)) is None
    # 4 weeks to week 11 at Tienda 1: 5 SKUs × 4 × 2 = 40; at Tienda 2 the 0-net SKU still sells 0.
    frame = category_store_summary(["Cables"], 4, week(11))
    assert _by_store(frame) == {("Cables", one.pk): (40, 5), ("Cables", two.pk): (24, 2)}


@pytest.mark.parametrize("write", ["update", "insert", "delete", "product_delete", "category"])
def test_any_write_to_the_weekly_rows_makes_the_summary_stale_and_the_new_numbers_are_read(cables, week, write):
    one, two = cables
    summary_fill(week(11))
    c0 = Product.objects.get(sku="C0")
    expected = {("Cables", one.pk): (120, 5), ("Cables", two.pk): (24, 2)}
    if write == "update":  # C0 at Tienda 2 in week 11: 12 → 2 u
        SalesWeeklyAgg.objects.filter(product=c0, store=two, week_start=week(11)).update(units=2, mon=2)
        expected[("Cables", two.pk)] = (14, 2)
    elif write == "insert":  # a new SKU selling 5 u at Tienda 2
        factories.weekly([(factories.product("C9", category="Cables"), two, week(9), 5)])
        expected[("Cables", two.pk)] = (29, 3)
    elif write == "delete":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM sales_salesweeklyagg WHERE product_id = %s AND store_id = %s", [c0.pk, two.pk])
        expected[("Cables", two.pk)] = (12, 1)
    elif write == "product_delete":  # Django cascades to its weekly rows
        c0.delete()
        expected = {("Cables", one.pk): (96, 4), ("Cables", two.pk): (12, 1)}
    else:  # C0 moved to Audio by hand: its rows follow (category sync)
        c0.category = "Audio"
        product_save(product=c0)
        expected = {("Cables", one.pk): (96, 4), ("Cables", two.pk): (12, 1)}
    assert _state().stale is True
    assert summary_read(["Cables"], 12, week(11)) is None
    assert _by_store(category_store_summary(["Cables"], 12, week(11))) == expected


def test_a_category_set_on_products_without_sales_leaves_the_summary_valid(cables, week):
    summary_fill(week(11))
    factories.product("NEW-1")
    products_upsert(pd.DataFrame({"sku": ["NEW-1"], "product_name": [""], "category": ["Cables"]}))
    assert Product.objects.get(sku="NEW-1").category == "Cables"
    assert _state().stale is False


def test_the_macro_import_leaves_the_summary_filled_for_the_default_window(db, tmp_path):
    from sales.queries import default_as_of_week
    from sales.services import macro_sales_import

    factories.product("C1", category="Cables")
    factories.product("C2", category="Cables")
    monday = dt.date(2026, 3, 2)
    lines = daily("C1", "Tienda 1", monday, [1, 2, 0, 0, 0, 0, 3]) + daily("C2", "Tienda 1", monday, [4] * 7)
    lines += daily("C2", "Tienda 2", monday, [0, 5, 0, 0, 0, 0, 0])
    macro_sales_import(path=csv_file(tmp_path, "sales.csv", lines))

    as_of = default_as_of_week()
    assert as_of == monday
    state = _state()
    assert (state.stale, state.as_of_week, state.weeks) == (False, as_of, 12)
    kept = summary_read(["Cables"], 12, as_of)
    stores = dict(Store.objects.values_list("name", "id"))
    assert _by_store(kept) == {("Cables", stores["Tienda 1"]): (34, 2), ("Cables", stores["Tienda 2"]): (5, 1)}


def test_a_run_fills_a_stale_summary_and_plans_what_grouping_the_rows_plans(cables, tmp_path, week):
    one, two = cables
    path = request_file(tmp_path, [("NEW", "Cable nuevo", "Cables")])
    first = generate(path, limit_by_cd=False).run  # stale summary: the run fills it, then reads it
    assert _state().stale is False
    second = generate(path, limit_by_cd=False).run  # read from the kept summary

    def lines(run):
        return {
            (line.store_id, line.suggested_qty, line.rate)
            for line in DistributionLine.objects.filter(run=run, store__isnull=False)
        }

    # per_sku: Tienda 1 120/12 = 10/sem ÷ 5 = 2; Tienda 2 24/12 = 2/sem ÷ 2 = 1 → min fill 2.
    assert lines(first) == lines(second) == {(one.pk, 2, 2.0), (two.pk, 2, 1.0)}


def test_a_run_with_another_window_does_not_replace_the_kept_summary(cables, tmp_path, week):
    summary_fill(week(11))
    filled_at = _state().filled_at
    assert summary_ensure(week(11), 4) is False
    assert summary_ensure(week(10), 12) is False
    assert _state().filled_at == filled_at


@pytest.mark.django_db(transaction=True)
def test_a_run_does_not_wait_for_a_writer_holding_the_summary(week):
    """PostgreSQL: a fill that finds a writer in progress gives up at once (the
    run then groups the committed rows itself)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL only (SQLite has one writer at a time)")
    store = factories.store("Tienda 1")
    product = factories.product("C1", category="Cables")
    factories.weekly([(product, store, week(11), 4)])  # committed: the summary is stale
    writing, release = threading.Event(), threading.Event()

    def writer() -> None:
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("BEGIN")
                cursor.execute("UPDATE sales_salesweeklyagg SET units = 9, mon = 9")  # its trigger locks the state
                writing.set()
                release.wait(20)
                cursor.execute("COMMIT")
        finally:
            other.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert writing.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '5s'")  # a wait would fail the test, not hang it
        assert summary_fill(week(11), wait=False) is False
        assert _by_store(category_store_summary(["Cables"], 12, week(11))) == {("Cables", store.pk): (4, 1)}
    finally:
        release.set()
        thread.join(20)
    assert summary_fill(week(11)) is True
    assert _by_store(summary_read(["Cables"], 12, week(11))) == {("Cables", store.pk): (9, 1)}


def _triggers() -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT COUNT(*) FROM pg_trigger WHERE tgname = 'sales_category_summary_stale'")
        else:
            cursor.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'sales_category%'")
        return cursor.fetchone()[0]


def test_an_import_s_bulk_write_marks_the_summary_stale_and_leaves_the_triggers_in_place(cables, week):
    installed = _triggers()
    assert installed == (1 if connection.vendor == "postgresql" else 3)
    summary_fill(week(11))
    with bulk_write(TRIGGERS_LIFTED_FROM):  # SQLite: the triggers are lifted inside, the state says stale already
        assert _state().stale is True
        assert _triggers() == (installed if connection.vendor == "postgresql" else 0)
        SalesWeeklyAgg.objects.filter(units=2).update(units=3, mon=3)
    assert _triggers() == installed
    summary_fill(week(11))
    SalesWeeklyAgg.objects.filter(units=3).update(units=2, mon=2)  # the triggers are back
    assert _state().stale is True


def test_a_failed_bulk_write_leaves_the_triggers_and_the_summary_as_they_were(cables, week):
    installed = _triggers()
    summary_fill(week(11))
    with pytest.raises(RuntimeError), transaction.atomic(), bulk_write(TRIGGERS_LIFTED_FROM):
        SalesWeeklyAgg.objects.filter(units=2).update(units=3, mon=3)
        raise RuntimeError("the import failed")
    assert _triggers() == installed
    assert _state().stale is False
    assert summary_read(["Cables"], 12, week(11)) is not None


def test_a_bulk_write_rolled_back_by_the_database_gets_its_triggers_back_from_the_rollback(cables, week):
    installed = _triggers()
    summary_fill(week(11))
    with transaction.atomic(), bulk_write(TRIGGERS_LIFTED_FROM):
        SalesWeeklyAgg.objects.filter(units=2).update(units=3, mon=3)
        transaction.set_rollback(True)  # as a failed statement inside the import leaves it
    assert _triggers() == installed
    assert _state().stale is False
    SalesWeeklyAgg.objects.filter(units=2).update(units=4, mon=4)
    assert _state().stale is True


def test_a_small_bulk_write_keeps_the_triggers(cables, week):
    installed = _triggers()
    summary_fill(week(11))
    with bulk_write(TRIGGERS_LIFTED_FROM - 1):  # no schema change for an everyday upload
        assert _triggers() == installed
        assert _state().stale is True
    assert _triggers() == installed
