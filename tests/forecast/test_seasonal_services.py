"""The seasonal forecast on the database: promotions, reservations, end of life, the evaluation."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from forecast import engine
from forecast.models import ForecastLine, ForecastRun
from forecast.services import ForecastRequest, forecast_run_create
from inventory.models import StockCommitment
from sales import queries as sales_queries
from sales.models import Promotion
from tests import factories


@pytest.fixture
def toys(db, week):
    a, b = factories.store("Tienda Centro", "001"), factories.store("Tienda Norte", "002")
    selling = factories.product("00012345", "Tren", "Juguetes")
    ending = factories.product("00012346", "Muñeca", "Juguetes")
    factories.product("00012347", "Robot nuevo", "Juguetes")
    fading = factories.product("00012348", "Pelota", "Juguetes")
    rows = [(selling, a, week(i), 50 if i == 5 else 10) for i in range(12)]
    rows += [(ending, b, week(i), 6) for i in range(3)]
    rows += [(fading, b, week(i), 6) for i in range(10)]  # nothing in its last 2 weeks
    factories.weekly(rows)
    # Week 5 of the selling SKU was a promotion (every store): it counts as its plain rate.
    Promotion.objects.create(
        product=selling, start_date=week(5) + dt.timedelta(days=2), end_date=week(5) + dt.timedelta(days=4)
    )
    factories.cd_stock([(selling, 20)], day=week(11))
    factories.store_stock([(a, selling, 4), (b, ending, 5), (b, fading, 1)], day=week(11))
    # An approved run still holds 3 units at the CD, on their way to store A.
    approved = week(11) + dt.timedelta(days=1)
    StockCommitment.objects.bulk_create(
        [
            StockCommitment(
                source="DR-1", kind="cd_reserved", product=selling, store=None, units=-3, approved_on=approved
            ),
            StockCommitment(source="DR-1", kind="in_transit", product=selling, store=a, units=3, approved_on=approved),
        ]
    )
    return a, b


def lines(run: ForecastRun) -> dict[str, ForecastLine]:
    return {line.sku: line for line in run.lines.all()}


def test_promoted_weeks_query(toys, week):
    frame = sales_queries.promoted_sku_weeks(
        list(Promotion.objects.values_list("product_id", flat=True)), 12, as_of=week(11)
    )
    assert frame["week_start"].tolist() == [week(5)]
    other_store = sales_queries.promoted_sku_weeks(
        [Promotion.objects.get().product_id], 12, week(11), stores=[toys[1].pk]
    )
    assert len(other_store) == 1  # a promotion without store covers every store


def test_seasonal_forecast_nets_reservations_and_flags_end_of_life(toys, week, planner):
    run, _ = forecast_run_create(
        request=ForecastRequest(
            scope=str(ForecastRun.Scope.CATEGORY),
            category="Juguetes",
            as_of=week(11),
            coverage_weeks=4,
            backtest_weeks=0,
        ),
        user=planner,
    )
    assert (run.method, run.weeks, run.eol_count) == ("seasonal", 26, 1)
    got = lines(run)
    selling = got["00012345"]
    # 12 weeks of history (< 52): S = 1; the promoted 50 counts as 10 → level 10.
    assert selling.level == pytest.approx(10.0)
    assert selling.coverage_units == 40
    # CD 20 − 3 reserved = 17 available; 4 on the shelf; 3 in transit.
    assert (selling.cd_stock, selling.reserved, selling.store_stock, selling.in_transit) == (17, 3, 4, 3)
    assert selling.purchase_qty == 40 - 17 - 4 - 3
    ending = got["00012346"]
    assert ending.end_of_life and ending.note == engine.END_OF_LIFE
    assert ending.purchase_qty == 0
    new = got["00012347"]
    assert new.source == ForecastLine.Source.CATEGORY_PROXY
    assert not got["00012348"].end_of_life  # sold within the last 8 weeks
    assert run.purchase_units == sum(line.purchase_qty for line in got.values())
    # The evaluation beside the forecast: every method, pooled and per category.
    methods = {(r["level"], r["key"], r["method"]) for r in run.evaluation["rows"]}
    for method in engine.EVAL_METHODS:
        assert ("sku", engine.ALL, method) in methods
        assert ("category", "Juguetes", method) in methods
    assert run.evaluation["horizon"] == 4
    assert len(run.evaluation["origin_weeks"]) == engine.EVAL_ORIGINS


def test_planner_can_buy_an_end_of_life_sku(toys, week):
    run, _ = forecast_run_create(
        request=ForecastRequest(
            scope=str(ForecastRun.Scope.SKUS),
            skus=("00012346", "00012348"),
            as_of=week(11),
            eol_weeks=2,
            eol_override=("00012348",),
            backtest_weeks=0,
            evaluation_origins=0,
        )
    )
    got = lines(run)
    # With eol_weeks = 2 both are end of life; the planner buys the one he named.
    assert got["00012346"].end_of_life and got["00012348"].end_of_life
    assert got["00012348"].purchase_qty == got["00012348"].unflagged_qty > 0
    assert run.eol_count == 2
    assert run.evaluation == {}


def test_method_sma_keeps_v2(toys, week):
    run, _ = forecast_run_create(
        request=ForecastRequest(
            scope=str(ForecastRun.Scope.SKUS), skus=("00012345",), as_of=week(11), method="sma", backtest_weeks=0
        )
    )
    line = lines(run)["00012345"]
    # V2: 12 weeks, promoted week included, raw snapshots: (11 × 10 + 50) / 12 × 4 = 53.33 → 54 − 20 − 4.
    assert (run.method, run.weeks, line.coverage_units, line.purchase_qty) == ("sma", 12, 54, 30)
    assert (line.cd_stock, line.store_stock) == (20, 4)
    # The page still says what the stock is (as Stock Query does): 24 counted, 3
    # reserved at the CD, 3 on the way; V2 buys on the counts all the same.
    assert (line.on_hand, line.reserved, line.in_transit, line.available) == (24, 3, 3, 24)


def test_forecast_eval_command_writes_the_csv(toys, week, tmp_path):
    skus = tmp_path / "skus.csv"
    skus.write_text("sku\n00012345\n00012346\n")
    output = tmp_path / "eval.csv"
    out = io.StringIO()
    call_command(
        "forecast_eval",
        "--skus",
        str(skus),
        "--coverage-weeks",
        "2",
        "--origins",
        "3",
        "--as-of",
        week(11).isoformat(),
        "--output",
        str(output),
        stdout=out,
    )
    rows = list(csv.DictReader(io.StringIO(output.read_text(encoding="utf-8-sig"))))
    assert list(rows[0]) == ["level", "key", "method", "wape", "bias", "mase", "n"]
    naive = next(r for r in rows if (r["level"], r["key"], r["method"]) == ("sku", "00012345", "naive"))
    # Origins weeks 7, 8, 9; horizon 2: actual 20 each time, naive 2 × 10: exact.
    assert float(naive["wape"]) == 0 and naive["n"] == "3"
    assert "3 orígenes" in out.getvalue()
    with pytest.raises(CommandError, match="origins"):
        call_command("forecast_eval", "--category", "Juguetes", "--origins", "0")
    with pytest.raises(CommandError, match="Categoría desconocida"):
        call_command("forecast_eval", "--category", "Nada")


@pytest.mark.parametrize("method", ["seasonal", "sma"])
def test_the_forecast_says_the_stock_as_stock_query_does(toys, week, planner_client, method):
    """Issue 27: for the same SKU and store the forecast shows what Stock Query
    shows — on hand, reserved, in transit, available — and (seasonal) buys
    coverage − available. A transfer plan also takes 1 unit out of store A."""
    from health.queries import stock_query
    from inventory.models import Product

    a, b = toys
    selling = Product.objects.get(sku="00012345")
    StockCommitment.objects.bulk_create(
        [
            StockCommitment(source="TP-1", kind="donor_out", product=selling, store=a, units=-1, approved_on=week(11)),
            StockCommitment(source="TP-1", kind="in_transit", product=selling, store=b, units=1, approved_on=week(11)),
        ]
    )
    run, _ = forecast_run_create(
        request=ForecastRequest(
            scope=str(ForecastRun.Scope.SKUS),
            skus=("00012345",),
            store_ids=(a.pk,),
            as_of=week(11),
            method=method,
            backtest_weeks=0,
            evaluation_origins=0,
        )
    )
    line = lines(run)["00012345"]
    query = stock_query(selling)
    store_a = query.stores.set_index("store_id").loc[a.pk]
    # Stock Query: CD 20 counted, 3 reserved; store A 4 counted, 1 promised out, 3 coming.
    assert (query.cd_on_hand, query.cd_reserved, query.cd_stock) == (20, 3, 17)
    assert (store_a["on_hand"], store_a["reserved"], store_a["in_transit"], store_a["stock"]) == (4, 1, 3, 6)
    assert (line.on_hand, line.reserved, line.in_transit, line.available) == (
        query.cd_on_hand + store_a["on_hand"],
        query.cd_reserved + store_a["reserved"],
        store_a["in_transit"],
        query.cd_stock + store_a["stock"],
    )
    if method == "seasonal":
        assert line.purchase_qty == max(line.coverage_units - line.available, 0) == 40 - 23
    page = planner_client.get(reverse("forecast:run_detail", args=[run.pk])).content.decode()
    for header in ("existencias", "reservado", "en tránsito", "disponible"):
        assert header in page.lower(), header
