"""Store Health: the rules on hand-checkable tables, the scope rule, the stock
semantics of SPEC §2, and the cache keyed by the data version."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from distribution.models import DistributionLine, DistributionRun
from health import engine, queries
from health.engine import HealthParams
from tests import factories


@pytest.fixture(autouse=True)
def _fresh_health_cache():
    # Test databases reuse ids, so a data version can repeat between tests.
    queries.health_cache_clear()
    cache.clear()
    yield
    queries.health_cache_clear()


def frame(rows: list[tuple[int, int, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["product_id", "store_id", "units"])


def by_product(result: pd.DataFrame) -> dict[int, dict]:
    return {int(r["product_id"]): r for r in result.to_dict("records")}


# --- the rules (pure engine) ---------------------------------------------------

PARAMS = HealthParams(min_woc=1, max_woc=4, demand_weeks=2)


def test_each_alert_type_on_hand_checked_data():
    # Store 1; units sold over 2 weeks → weekly demand = units / 2.
    stock = frame([(2, 1, 1), (3, 1, 4), (4, 1, 10), (5, 1, 3), (7, 1, 2), (8, 1, 8), (9, 1, -2)])
    sold = frame([(1, 1, 4), (2, 1, 4), (3, 1, 4), (4, 1, 4), (7, 1, 4), (8, 1, 4), (9, 1, 6), (10, 1, -3)])
    result = by_product(engine.store_health(range(1, 11), stock, sold, PARAMS))

    assert result[1]["alert"] == engine.OUT_OF_STOCK_WITH_DEMAND  # absent stock = 0, demand 2
    assert result[1]["stock"] == 0 and result[1]["weekly_demand"] == 2.0 and result[1]["woc"] == 0
    assert result[2]["alert"] == engine.BELOW_MIN_WOC and result[2]["woc"] == 0.5  # 1 / 2
    assert result[3]["bucket"] == engine.OK and pd.isna(result[3]["alert"]) and result[3]["woc"] == 2.0
    assert result[4]["alert"] == engine.ABOVE_MAX_WOC and result[4]["woc"] == 5.0  # 10 / 2
    # Stock that does not sell: endless cover, counted as above max (bucket "no_demand").
    assert result[5]["alert"] == engine.ABOVE_MAX_WOC and result[5]["bucket"] == engine.NO_DEMAND
    assert math.isnan(result[5]["woc"]) and result[5]["weekly_demand"] == 0
    assert 6 not in result  # no stock, no demand: nothing to say
    assert result[7]["bucket"] == engine.OK and result[7]["woc"] == 1.0  # exactly min_woc is in range
    assert result[8]["bucket"] == engine.OK and result[8]["woc"] == 4.0  # exactly max_woc is in range
    assert result[9]["alert"] == engine.OUT_OF_STOCK_WITH_DEMAND  # negative stock with demand
    assert 10 not in result  # net returns never make demand negative; no stock either


def test_only_scope_skus_are_evaluated_and_stores_are_kept_apart():
    stock = frame([(1, 1, 5), (1, 2, 0), (2, 1, 9)])
    sold = frame([(1, 1, 2), (1, 2, 2), (2, 1, 100)])
    result = engine.store_health([1], stock, sold, PARAMS)
    assert sorted(zip(result["store_id"], result["bucket"], strict=True)) == [
        (1, engine.ABOVE_MAX),  # 5 / 1
        (2, engine.STOCKOUT),
    ]


def test_store_summary_counts_buckets_and_stockout_share():
    stock = frame([(2, 1, 1), (3, 1, 4), (5, 1, 3), (1, 2, 9)])
    sold = frame([(1, 1, 4), (2, 1, 4), (3, 1, 4), (1, 2, 2)])
    summary = engine.store_summary(engine.store_health(range(1, 6), stock, sold, PARAMS))
    one = summary.set_index("store_id").loc[1]
    assert (one["active"], one["stockout"], one["below_min"], one["ok"], one["above_max"], one["no_demand"]) == (
        4,
        1,
        1,
        1,
        0,
        1,
    )
    assert one["alerts"] == 3 and one["stockout_pct"] == 25.0
    two = summary.set_index("store_id").loc[2]
    assert two["above_max"] == 1 and two["stockout_pct"] == 0.0  # 9 / 1 = 9 weeks


def test_empty_inputs_give_empty_results():
    empty = frame([])
    result = engine.store_health([], empty, empty, PARAMS)
    assert result.empty and list(result.columns) == engine.HEALTH_COLUMNS
    assert engine.store_summary(result).empty
    assert engine.alert_counts(result)[engine.OUT_OF_STOCK_WITH_DEMAND] == 0


def test_params_are_checked():
    with pytest.raises(ValueError):
        HealthParams(min_woc=5, max_woc=4)


def test_scope_is_the_union_of_both_sources():
    assert engine.scope_product_ids([3, 1, 3], [2, 1]).tolist() == [1, 2, 3]


# --- the scope rule on the database ---------------------------------------------


def make_run(run_id: str, items: list, shop) -> DistributionRun:
    run = DistributionRun.objects.create(run_id=run_id, status=DistributionRun.Status.DONE)
    DistributionLine.objects.bulk_create(
        [DistributionLine(run=run, product=p, store=shop, suggested_qty=1, allocated_qty=1) for p in items]
    )
    return run


def test_scope_rule_sales_in_90_days_and_last_x_runs(db, week):
    shop = factories.store("Tienda Centro")
    sold_recently = factories.product("00000001")
    sold_long_ago = factories.product("00000002")  # last sale ~100 days before the last loaded date
    in_old_run_only = factories.product("00000003")
    in_recent_run = factories.product("00000004")
    last_day = week(15) + dt.timedelta(days=6)  # Sunday 2026-04-26
    factories.weekly([(sold_recently, shop, week(10), 3), (sold_long_ago, shop, week(0), 5)], last_date=last_day)
    make_run("R-OLD", [in_old_run_only], shop)
    for i in range(4):
        make_run(f"R-{i}", [], shop)
    make_run("R-NEW", [in_recent_run], shop)

    sold, from_runs = queries.health_scope_sources(HealthParams(last_runs=5))
    scope = set(engine.scope_product_ids(sold, from_runs).tolist())
    assert scope == {sold_recently.pk, in_recent_run.pk}  # old run and 100-day-old sale are out

    sold, from_runs = queries.health_scope_sources(HealthParams(last_runs=6))
    assert in_old_run_only.pk in set(from_runs)  # X is configurable: with 6 runs the old one counts
    assert set(queries.health_scope_sources(HealthParams(last_runs=0))[1]) == set()


def test_scope_reads_never_touch_distribution_records(db, week):
    shop = factories.store("Tienda Centro")
    item = factories.product("1")
    factories.weekly([(item, shop, week(0), 1)])
    with CaptureQueriesContext(connection) as ctx:
        queries.compute_store_health(HealthParams())
    assert not any("distributionrecord" in q["sql"].lower() for q in ctx.captured_queries)


# --- stock semantics and the cached result -----------------------------------------


def test_absent_from_latest_store_snapshot_is_zero_not_older_value(db, week):
    shop = factories.store("Tienda Centro")
    item = factories.product("00012345", category="Consolas")
    other = factories.product("00099999", category="Consolas")
    factories.weekly([(item, shop, week(0), 8), (item, shop, week(1), 8)], last_date=week(1) + dt.timedelta(days=6))
    factories.store_stock([(shop, item, 50), (shop, other, 1)], day=dt.date(2026, 1, 10))
    factories.store_stock([(shop, other, 2)], day=dt.date(2026, 1, 17))  # latest: item absent → 0

    data = queries.compute_store_health(HealthParams(demand_weeks=2))
    row = data.alerts[data.alerts["sku"] == "00012345"].iloc[0]
    assert row["stock"] == 0 and row["alert"] == engine.OUT_OF_STOCK_WITH_DEMAND
    assert row["weekly_demand"] == 8.0
    assert data.kpis["stockouts"] == 1 and data.dates["store_stock_last"] == dt.date(2026, 1, 17)


def test_health_is_cached_until_the_data_changes(db, week):
    shop = factories.store("Tienda Centro")
    item = factories.product("1")
    factories.weekly([(item, shop, week(0), 8)])
    first = queries.store_health_data()
    assert first.kpis["stockouts"] == 1
    with CaptureQueriesContext(connection) as ctx:
        again = queries.store_health_data()
    assert again is first and len(ctx.captured_queries) <= 2  # only the data-version read
    queries.health_cache_clear()  # another process: the shared cache answers
    assert queries.store_health_data().kpis == first.kpis

    factories.store_stock([(shop, item, 100)])  # new data → new version → recomputed
    assert queries.store_health_data().kpis["stockouts"] == 0


def test_new_data_shows_the_previous_result_while_a_job_refreshes_it(db, week, settings):
    from fastdso.jobs import job_execute
    from fastdso.models import Job

    settings.FASTDSO_JOBS_SYNC = False  # a real worker would run the refresh job
    shop = factories.store("Tienda Centro")
    item = factories.product("1")
    factories.weekly([(item, shop, week(0), 8)])
    first = queries.store_health_data()  # nothing earlier: computed in the request
    assert first.kpis["stockouts"] == 1 and not first.stale

    factories.store_stock([(shop, item, 100)])
    shown = queries.store_health_data()
    assert shown.stale and shown.kpis["stockouts"] == 1  # the earlier figures, marked as updating
    queries.store_health_data()  # asking again does not queue a second job
    job = Job.objects.get(kind=queries.HEALTH_REFRESH_JOB)
    assert job.status == Job.Status.QUEUED

    job_execute(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and dict(job.summary_items)["stockouts"] == 0
    fresh = queries.store_health_data()  # the refresh job's own row does not change the data version
    assert not fresh.stale and fresh.kpis["stockouts"] == 0


def test_data_changes_queue_at_most_one_refresh(db, week, settings):
    from fastdso.models import Job

    settings.FASTDSO_JOBS_SYNC = False
    shop = factories.store("Tienda Centro")
    item = factories.product("1")
    factories.weekly([(item, shop, week(0), 8)])
    queries.store_health_data()
    for day, units in ((1, 100), (2, 50), (3, 20)):  # three changes, each a new data version, no worker running
        factories.store_stock([(shop, item, units)], day=dt.date(2026, 3, day))
        assert queries.store_health_data().stale
    assert Job.objects.filter(kind=queries.HEALTH_REFRESH_JOB).count() == 1


def test_the_dashboard_is_empty_right_after_clear_demo(db, week, settings):
    """An earlier result is shown while a refresh runs, but never one showing
    stores that were deleted since: after clear_demo the empty state is at once."""
    from fastdso.demo_clear import demo_clear
    from fastdso.models import Job
    from inventory.models import Store

    settings.FASTDSO_JOBS_SYNC = False  # no worker: the refresh job would wait
    shop = factories.store("Tienda Demo")
    Store.objects.filter(pk=shop.pk).update(is_demo=True)
    item = factories.product("1")
    factories.weekly([(item, shop, week(0), 8)])
    assert queries.store_health_data().kpis["stockouts"] == 1
    demo_clear()
    assert not Store.objects.exists()
    shown = queries.store_health_data()
    assert not shown.stale and shown.stores.empty and shown.kpis["stockouts"] == 0
    assert not Job.objects.filter(kind=queries.HEALTH_REFRESH_JOB, status=Job.Status.QUEUED).exists()
