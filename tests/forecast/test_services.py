"""The forecast service on the database: macro layer only, store selection, proxies, bulk reads."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fastdso.jobs import JobInputError
from fastdso.messages import render as message_text
from fastdso.models import AuditEvent
from forecast.models import ForecastLine, ForecastRun
from forecast.services import ForecastRequest, forecast_export_frame, forecast_run_create, skus_parse
from sales import queries as sales_queries
from sales.models import DistributionRecord
from tests import factories


def lines(run: ForecastRun) -> dict[str, ForecastLine]:
    return {line.sku: line for line in run.lines.all()}


@pytest.fixture
def shop(db):
    a, b = factories.store("Tienda Centro", code="001"), factories.store("Tienda Norte", code="002")
    return a, b


def request(**kwargs) -> ForecastRequest:
    kwargs.setdefault("scope", ForecastRun.Scope.SKUS)
    kwargs.setdefault("backtest_weeks", 0)
    # These cases pin the V2 rule (SPEC §6, `method = sma`); the seasonal method has its own.
    kwargs.setdefault("method", "sma")
    kwargs.setdefault("evaluation_origins", 0)
    return ForecastRequest(**kwargs)


def test_macro_forecast_across_all_stores(shop, week, planner):
    a, b = shop
    item = factories.product("00012345", "Consola Alfa", "Consolas")
    # Window: 4 weeks ending week(3). Units 6 + 10 at A, 8 at B = 24 → 6 a week.
    factories.weekly([(item, a, week(0), 6), (item, a, week(3), 10), (item, b, week(2), 8)])
    factories.cd_stock([(item, 5)])
    factories.store_stock([(a, item, 2), (b, item, 1)])
    run, warnings = forecast_run_create(
        request=request(skus=("00012345",), weeks=4, coverage_weeks=4, as_of=week(3)), user=planner
    )
    line = lines(run)["00012345"]
    assert warnings == []
    assert line.source == ForecastLine.Source.MACRO
    assert line.window_units == 24
    assert line.avg_weekly == pytest.approx(6.0)
    assert (line.cd_stock, line.store_stock, line.coverage_units) == (5, 3, 24)
    assert line.purchase_qty == 16  # 24 − 5 − 3
    assert line.history == [6, 0, 8, 10]
    assert line.product_name == "Consola Alfa"
    assert (run.as_of_week, run.window_start, run.macro_count, run.purchase_units) == (week(3), week(0), 1, 16)
    event = AuditEvent.objects.get(action="run")
    assert event.user == planner
    assert event.details["purchase_units"] == 16


def test_store_selection_limits_sales_and_stock(shop, week):
    a, b = shop
    item = factories.product("1", category="Consolas")
    # The data reaches the end of week(1) (a week with no sales), so as_of=week(1) is complete (SPEC §4.3).
    factories.weekly([(item, a, week(0), 4), (item, b, week(0), 40)], last_date=week(1) + dt.timedelta(days=6))
    factories.store_stock([(a, item, 1), (b, item, 30)])
    run, _ = forecast_run_create(
        request=request(skus=("1",), weeks=2, coverage_weeks=3, as_of=week(1), store_ids=(a.pk,))
    )
    line = lines(run)["1"]
    assert line.window_units == 4
    assert line.avg_weekly == pytest.approx(2.0)
    assert line.store_stock == 1  # only Tienda Centro's stock
    assert line.purchase_qty == 5  # 6 − 0 − 1
    assert run.store_names == ["Tienda Centro"]


def test_a_sku_selling_only_at_unselected_stores_uses_the_proxy_of_the_selected_ones(shop, week):
    a, b = shop
    sold_elsewhere = factories.product("ELSE", category="Audio")
    peer = factories.product("PEER", category="Audio")
    factories.weekly([(sold_elsewhere, b, week(1), 9), (peer, a, week(1), 6), (peer, b, week(1), 50)])
    run, _ = forecast_run_create(
        request=request(skus=("ELSE",), weeks=2, coverage_weeks=1, as_of=week(1), store_ids=(a.pk,))
    )
    line = lines(run)["ELSE"]
    assert line.source == ForecastLine.Source.CATEGORY_PROXY
    assert line.avg_weekly == pytest.approx(3.0)  # 6 units at A / 1 selling SKU / 2 weeks


def test_category_proxy_counts_only_selling_skus(shop, week):
    a, b = shop
    factories.product("NEW", category="Consolas")
    p1, p2, p3 = (factories.product(s, category="Consolas") for s in ("C1", "C2", "C3"))
    other = factories.product("AUD", category="Audio")
    factories.weekly(
        [
            (p1, a, week(0), 10),
            (p2, b, week(1), 14),
            (p3, a, week(1), 0),  # a row, but no units: not a selling SKU
            (other, a, week(1), 99),
        ]
    )
    run, _ = forecast_run_create(request=request(skus=("NEW",), weeks=2, coverage_weeks=4, as_of=week(1)))
    line = lines(run)["NEW"]
    assert line.source == ForecastLine.Source.CATEGORY_PROXY
    assert line.proxy_skus == 2
    assert line.avg_weekly == pytest.approx(6.0)  # 24 / 2 / 2
    assert line.coverage_units == 24
    assert run.proxy_count == 1


def test_no_history_sources(shop, week):
    a, _ = shop
    bare = factories.product("BARE")
    quiet = factories.product("QUIET", category="Sin ventas")
    sold = factories.product("SOLD")
    factories.weekly([(sold, a, week(0), 3)])
    run, _ = forecast_run_create(request=request(skus=("BARE", "QUIET", "SOLD"), weeks=1, as_of=week(0)))
    got = lines(run)
    assert got["BARE"].source == ForecastLine.Source.NO_HISTORY
    assert got["BARE"].avg_weekly is None
    assert got["BARE"].note == "NO_CATEGORY"
    assert got["QUIET"].source == ForecastLine.Source.NO_HISTORY
    assert got["QUIET"].note == "NO_CATEGORY_SALES"
    assert got["SOLD"].source == ForecastLine.Source.MACRO
    assert bare.pk and quiet.pk
    assert run.no_history_count == 2


def test_sales_only_outside_the_window(shop, week):
    a, _ = shop
    old_cat = factories.product("OLD1", category="Audio")
    old_bare = factories.product("OLD2")
    peer = factories.product("PEER", category="Audio")
    # Window: week(4)–week(5). OLD1 and OLD2 sold only in week(0); later weeks are
    # loaded (PEER) so the as-of week is covered.
    factories.weekly([(old_cat, a, week(0), 100), (old_bare, a, week(0), 100), (peer, a, week(5), 4)])
    run, _ = forecast_run_create(
        request=request(skus=("OLD1", "OLD2"), weeks=2, coverage_weeks=2, as_of=week(5), backtest_weeks=4)
    )
    got = lines(run)
    assert got["OLD1"].source == ForecastLine.Source.CATEGORY_PROXY
    assert got["OLD1"].avg_weekly == pytest.approx(2.0)
    assert got["OLD1"].history == [0, 0]
    assert got["OLD2"].source == ForecastLine.Source.NO_HISTORY
    assert run.macro_count == 0


def test_business_case_a_sku_with_macro_sales_never_shows_no_history(shop, week):
    """Seed 01, part 3: the old forecast read DistributionRecord and said "no sales
    history found" for SKUs that clearly sold. The macro layer is the only source."""
    a, _ = shop
    macro_only = factories.product("00012345", category="Consolas")
    legacy_only = factories.product("00054321")
    factories.weekly([(macro_only, a, week(2), 7)])
    DistributionRecord.objects.create(product=legacy_only, store=a, sale_date=week(2), units=500)
    run, _ = forecast_run_create(request=request(skus=("00012345", "00054321"), weeks=4, as_of=week(2)))
    got = lines(run)
    assert got["00012345"].source == ForecastLine.Source.MACRO
    assert got["00012345"].window_units == 7
    # Legacy subset rows are raw history only: they never feed the forecast.
    assert got["00054321"].source == ForecastLine.Source.NO_HISTORY
    assert got["00054321"].window_units == 0


def test_default_as_of_is_the_last_complete_week(shop, week):
    a, _ = shop
    item = factories.product("1")
    # Data up to Wednesday of week(3): week(3) is partial, the window ends at week(2).
    factories.weekly([(item, a, week(2), 5), (item, a, week(3), 50)], last_date=week(3) + dt.timedelta(days=2))
    run, _ = forecast_run_create(request=request(skus=("1",), weeks=1, coverage_weeks=1))
    assert run.as_of_week == week(2)
    assert lines(run)["1"].window_units == 5


def test_unknown_skus_use_the_file_category_and_are_reported(shop, week):
    a, _ = shop
    peer = factories.product("PEER", category="Consolas")
    factories.weekly([(peer, a, week(0), 8)])
    run, warnings = forecast_run_create(
        request=request(
            skus=("00099999", "00099998"),
            file_categories={"00099999": "Consolas"},
            file_names={"00099999": "Consola Nueva"},
            weeks=2,
            coverage_weeks=1,
            as_of=week(0),
        )
    )
    got = lines(run)
    assert got["00099999"].source == ForecastLine.Source.CATEGORY_PROXY
    assert got["00099999"].product_id is None
    assert got["00099999"].product_name == "Consola Nueva"
    assert got["00099999"].coverage_units == 4  # 8 / 1 / 2 weeks = 4 × 1
    assert got["00099998"].source == ForecastLine.Source.NO_HISTORY
    assert run.unknown_count == 2
    assert "2 SKUs no están en el catálogo" in message_text(warnings[0])


def test_category_scope_takes_every_product_of_the_category(shop, week):
    a, _ = shop
    items = [factories.product(f"C{i}", category="Consolas") for i in range(3)]
    factories.product("A1", category="Audio")
    factories.weekly([(items[0], a, week(0), 3)])
    run, _ = forecast_run_create(
        request=request(scope=ForecastRun.Scope.CATEGORY, category="Consolas", weeks=1, as_of=week(0))
    )
    assert sorted(lines(run)) == ["C0", "C1", "C2"]
    assert run.macro_count == 1 and run.proxy_count == 2


def test_bad_requests_write_nothing(shop, week):
    with pytest.raises(JobInputError, match="No hay ventas macro"):
        forecast_run_create(request=request(skus=("1",)))
    with pytest.raises(JobInputError, match="vacía"):
        forecast_run_create(request=request(skus=(), as_of=week(0)))
    with pytest.raises(JobInputError, match="no tiene productos"):
        forecast_run_create(request=request(scope=ForecastRun.Scope.CATEGORY, category="Nada", as_of=week(0)))
    assert not ForecastRun.objects.exists()


def test_query_count_does_not_grow_with_the_number_of_skus(shop, week):
    a, b = shop
    items = [factories.product(f"{i:05d}", category="Consolas" if i % 2 else None) for i in range(24)]
    factories.weekly([(p, a if i % 3 else b, week(i % 4), i + 1) for i, p in enumerate(items) if i % 4])
    factories.cd_stock([(p, 3) for p in items])
    factories.store_stock([(a, p, 1) for p in items])

    def count(skus: list[str]) -> int:
        with CaptureQueriesContext(connection) as ctx:
            forecast_run_create(request=request(skus=tuple(skus), weeks=4, as_of=week(3), backtest_weeks=4))
        return len(ctx.captured_queries)

    small = count([p.sku for p in items[:3]])
    large = count([p.sku for p in items])
    assert large == small
    # (14 before issue 27: the stock is now read as Stock Query reads it, on hand,
    # reserved and in transit apart — a few grouped queries more, per chunk.)
    assert large <= 17


def test_backtest_is_stored_with_the_run(shop, week):
    a, _ = shop
    item = factories.product("1")
    factories.weekly([(item, a, week(i), u) for i, u in enumerate([4, 8, 6, 2, 10, 6])])
    run, _ = forecast_run_create(request=request(skus=("1",), weeks=2, as_of=week(5), backtest_weeks=3))
    methods = {m["method"]: m for m in run.backtest["methods"]}
    assert run.backtest["target_weeks"] == [week(3).isoformat(), week(4).isoformat(), week(5).isoformat()]
    assert methods["SMA2"]["wape"] == pytest.approx(11 / 18)
    assert methods["SMA1"]["wape"] == pytest.approx(16 / 18)
    # SMA3: 6 vs 2, 16/3 vs 10, 6 vs 6 → (4 + 14/3 + 0) / 18: the best window here.
    assert methods["SMA3"]["wape"] == pytest.approx((4 + 14 / 3) / 18)
    assert methods["SMA12"]["weeks_evaluated"] == 0
    assert methods["SMA12"]["wape"] is None
    assert run.backtest["best"] == "SMA3"


def test_export_frame_columns(shop, week):
    a, _ = shop
    item = factories.product("00012345", "Consola", "Consolas")
    factories.weekly([(item, a, week(0), 3)])
    run, _ = forecast_run_create(request=request(skus=("00012345",), weeks=2, as_of=week(0)))
    frame = forecast_export_frame(run)
    assert frame.columns.tolist()[:8] == [
        "sku",
        "product_name",
        "category",
        "avg_weekly",
        "cd_stock",
        "store_stock",
        "purchase_qty",
        "source",
    ]
    assert frame.iloc[0]["sku"] == "00012345"
    assert frame.iloc[0]["avg_weekly"] == pytest.approx(1.5)
    assert frame.iloc[0]["purchase_qty"] == 6


def test_sku_weekly_totals_sums_stores_in_one_query(shop, week):
    a, b = shop
    wanted, other = factories.product("00012345"), factories.product("00099999")
    factories.weekly(
        [(wanted, a, week(1), 2), (wanted, b, week(1), 5), (wanted, a, week(0), -1), (other, a, week(1), 9)]
        + [(wanted, a, week(-3), 40)]  # outside the window
    )
    with CaptureQueriesContext(connection) as ctx:
        frame = sales_queries.sku_weekly_totals(["00012345"], weeks=2, as_of=week(1))
    assert len(ctx.captured_queries) == 1
    got = frame.sort_values("week_start")
    assert got["sku"].tolist() == ["00012345", "00012345"]
    assert got["week_start"].tolist() == [week(0), week(1)]
    assert got["units"].tolist() == [-1, 7]
    only_b = sales_queries.sku_weekly_totals(["00012345"], weeks=2, as_of=week(1), stores=[b.pk])
    assert only_b["units"].tolist() == [5]
    assert sales_queries.sku_weekly_totals(["00012345"], weeks=2, as_of=week(1), stores=[]).empty


def test_skus_parse():
    assert skus_parse("sku\n00012\n 00013 , 00014;00012\n\n") == ["00012", "00013", "00014"]
    assert skus_parse("") == []


def test_the_audit_names_a_forecast_in_the_viewers_language():
    from django.utils import translation

    from fastdso.messages import render
    from forecast.models import ForecastRun
    from forecast.services import audit_name

    run = ForecastRun(pk=1234, scope=ForecastRun.Scope.CATEGORY, category="Consolas")
    assert render(audit_name(run), "es") == "Pronóstico #1234 · Categoría Consolas"
    with translation.override("en"):
        assert render(audit_name(run)) == "Forecast #1234 · Category Consolas"
    listed = ForecastRun(pk=7, scope=ForecastRun.Scope.SKUS, input_name="")
    assert render(audit_name(listed), "en") == "Forecast #7 · SKU list"
