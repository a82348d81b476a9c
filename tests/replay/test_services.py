"""Replay service: history read once through sales/queries, the same plans as
the generator service, results saved and audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from distribution.engine import DistributionParams
from fastdso.jobs import JobInputError
from fastdso.messages import render as message_text
from fastdso.models import AuditEvent
from replay import engine
from replay.engine import policy_parse
from replay.models import ReplayRun
from replay.services import (
    ReplayRequest,
    _scope,
    replay_export_frame,
    replay_inputs_load,
    replay_run_create,
)
from sales import queries as sales_queries
from tests import factories as f
from tests.distribution.helpers import generate, request_file

W = [dt.date(2026, 1, 5) + dt.timedelta(weeks=i) for i in range(7)]
# The hand-checked network of tests/replay/test_engine.py, now in the database.
UNITS = {
    ("000X", "A"): {3: 2, 4: 4, 5: 2, 6: 1},
    ("000X", "B"): {3: 1, 4: 2, 5: 2, 6: 3},
    ("000Y", "A"): {3: 1, 4: 1, 5: 0, 6: 2},
    ("000Y", "B"): {4: 1, 5: 0, 6: 0},
}
BASE = "base:model=SMA1,target_woc=2,lookback_weeks=4"
V2: dict[str, Any] = {"rules": "v2", "cd_mode": "history"}  # the v2 replay: the hand figures of test_engine.py


@pytest.fixture
def shop(db):
    stores = {"A": f.store("Tienda 1"), "B": f.store("Tienda 2")}
    products = {sku: f.product(sku, category="Cat") for sku in ("000X", "000Y")}
    products["000Z"] = f.product("000Z", category="Cat")  # never sold: cold start
    f.product("000W", category="Otra")
    rows = [(products[sku], stores[s], W[w], u) for (sku, s), weeks in UNITS.items() for w, u in weeks.items() if u]
    f.weekly(rows)
    return {"stores": stores, "products": products}


def test_replay_on_the_database_gives_the_hand_checked_figures(shop, planner):
    run, warnings = replay_run_create(
        request=ReplayRequest(scope=str(ReplayRun.Scope.TOP), top_n=2, weeks=3, cd_supply=0.5, policies=(BASE,), **V2),
        user=planner,
    )
    assert warnings == []
    assert run.replay_id.startswith("RP-")
    assert run.skus == ["000X", "000Y"]  # top 2 by units in w4..w6: X 14, Y 4
    assert (run.first_week, run.as_of_week, run.weeks) == (W[4], W[6], 3)
    result = run.results[0]
    assert result["totals"]["fill_rate"] == pytest.approx(12 / 18)
    assert result["totals"]["stockout_weeks"] == 6
    assert result["totals"]["units_shipped"] == 7
    assert [w["served_units"] for w in result["weekly"]] == [7, 2, 3]
    assert [w["week_start"] for w in result["weekly"]] == [w.isoformat() for w in W[4:7]]
    assert result["start_stock"] == 8
    assert run.policies[0]["overrides"] == {"model": "SMA1", "target_woc": 2.0, "lookback_weeks": 4}
    assert run.policies[0]["params"]["rules"] == "v2"  # the v2 replay starts from the v2 generator
    assert run.policies[0]["params"]["min_weeks"] == 1
    event = AuditEvent.objects.get(action="replay")
    assert event.user == planner and event.object_id == str(run.pk)
    assert event.details["policies"] == ["base"]


def test_export_frame_has_the_spec_columns_one_row_per_policy(shop):
    run, _ = replay_run_create(
        request=ReplayRequest(
            scope=str(ReplayRun.Scope.TOP), top_n=2, weeks=3, cd_supply=0.5, policies=(BASE, "alto:target_woc=3"), **V2
        )
    )
    frame = replay_export_frame(run)
    assert list(frame.columns) == [
        "policy",
        "fill_rate",
        "served_units",
        "demand_units",
        "lost_units",
        "stockout_weeks",
        "avg_cover_weeks",
        "units_shipped",
        "lines_per_week",
    ]
    assert frame["policy"].tolist() == ["base", "alto"]
    assert frame.loc[0, "fill_rate"] == pytest.approx(0.6667)
    assert frame.loc[0, "avg_cover_weeks"] == pytest.approx(0.4444)
    assert frame.loc[0, "lines_per_week"] == pytest.approx(1.0)


@pytest.mark.parametrize("as_of_index", [3, 4, 5])
def test_weekly_plan_equals_the_generator_service(shop, tmp_path, as_of_index):
    """The plan a replayed week makes is the run the generator service makes
    for the same as-of week, store stock and CD stock (a cold-start SKU included)."""
    stores, products = shop["stores"], shop["products"]
    stock = [(stores["A"], products["000X"], 3), (stores["B"], products["000Y"], 1), (stores["B"], products["000Z"], 1)]
    cd = [(products["000X"], 5), (products["000Y"], 2), (products["000Z"], 3)]
    f.store_stock(stock)
    f.cd_stock(cd)
    as_of = W[as_of_index]
    text = "p:model=SMA2,lookback_weeks=4,category_window_weeks=3,cold_start_min_fill=1"
    policy = policy_parse(text)

    service = generate(
        request_file(tmp_path, [("000X",), ("000Y",), ("000Z",)]), as_of=as_of, **policy.params.as_dict()
    ).run
    expected = pd.DataFrame(
        list(
            service.lines.filter(store__isnull=False).values_list(
                "product__sku", "store_id", "store_stock", "suggested_qty", "allocated_qty", "model_name", "reason"
            )
        ),
        columns=["sku", "store_id", "store_stock", "suggested_qty", "allocated_qty", "model_name", "reason"],
    )

    scope, _label, _warnings = _scope(
        ReplayRequest(scope=str(ReplayRun.Scope.SKUS), skus=("000X", "000Y", "000Z"), **V2), as_of, as_of, 4
    )
    weeks = [as_of + dt.timedelta(weeks=1)]
    inputs = replay_inputs_load(scope, [policy], weeks, 1.0)
    store_stock = pd.DataFrame([(p.id, s.id, u) for s, p, u in stock], columns=["product_id", "store_id", "units"])
    cd_stock = pd.DataFrame([(p.id, u) for p, u in cd], columns=["product_id", "units"])
    plan = engine.week_plan(inputs, policy.params, as_of, store_stock, cd_stock).store_lines
    got = plan[["sku", "store_id", "store_stock", "suggested_qty", "allocated_qty", "model_name", "reason"]]

    key = ["sku", "store_id"]
    expected = expected.sort_values(key).reset_index(drop=True)
    got = got.astype({"store_id": "int64"}).sort_values(key).reset_index(drop=True)
    assert len(got) > 0
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    if as_of_index == 5:
        assert "COLD_START_CATEGORY" in set(got["model_name"])


def test_history_is_read_once_for_the_whole_window(shop, django_assert_max_num_queries):
    scope, _label, _warnings = _scope(
        ReplayRequest(scope=str(ReplayRun.Scope.SKUS), skus=("000X", "000Y", "000Z")), W[6], W[4], 4
    )
    policies = [policy_parse(BASE), policy_parse("b:model=SMA3")]
    with django_assert_max_num_queries(3):  # weekly sales, category weeks, stores
        inputs = replay_inputs_load(scope, policies, W[4:7], 1.0)
    # 3 replayed weeks + 12 weeks of the longest window (category_window_weeks 12)
    assert inputs.sales["week_start"].min() >= W[6] - dt.timedelta(weeks=14)
    assert set(inputs.category_weekly["category"]) == {"Cat"}  # 000Z is cold


def test_category_scope_is_case_insensitive_and_file_scope_warns_unknown(shop):
    scope, label, warnings = _scope(ReplayRequest(scope=str(ReplayRun.Scope.CATEGORY), category=" cat "), W[6], W[4], 4)
    assert label == "Cat" and scope["sku"].tolist() == ["000X", "000Y", "000Z"]
    scope, label, warnings = _scope(
        ReplayRequest(scope=str(ReplayRun.Scope.SKUS), skus=("000Y", "nope"), input_name="lista.csv"), W[6], W[4], 4
    )
    assert scope["sku"].tolist() == ["000Y"] and label == "lista.csv"
    assert "nope" in message_text(warnings[0])


@pytest.mark.parametrize(
    ("request_kwargs", "message"),
    [
        ({"policies": ("a:nope=1",)}, "nope"),
        ({"policies": ()}, "al menos una"),
        ({"policies": ("a", "b", "c", "d", "e")}, "máximo 4"),
        ({"policies": ("a",), "weeks": 0}, "semanas"),
        ({"policies": ("a",), "cd_supply": -1}, "cd_supply"),
        ({"policies": ("a",), "cd_supply": float("nan")}, "cd_supply"),
        ({"policies": ("a",), "scope": ReplayRun.Scope.CATEGORY, "category": "Inexistente"}, "Inexistente"),
        ({"policies": ("a",), "scope": ReplayRun.Scope.SKUS, "skus": ("nope",)}, "catálogo"),
    ],
)
def test_bad_requests_are_refused_and_write_nothing(shop, request_kwargs, message):
    kwargs = {"scope": ReplayRun.Scope.TOP, "top_n": 2, "weeks": 3, **request_kwargs}
    with pytest.raises(JobInputError, match=message):
        replay_run_create(request=ReplayRequest(**kwargs))
    assert not ReplayRun.objects.exists()
    assert not AuditEvent.objects.filter(action="replay").exists()


def test_no_sales_loaded_is_a_clear_error(db):
    with pytest.raises(JobInputError, match="No hay ventas macro"):
        replay_run_create(request=ReplayRequest(scope=str(ReplayRun.Scope.TOP), top_n=5, policies=("a",)))


def test_top_skus_query_orders_by_units_then_sku(shop):
    assert sales_queries.top_skus(5, 3, W[6]) == ["000X", "000Y"]
    assert sales_queries.top_skus(1, 1, W[3]) == ["000X"]


def test_defaults_are_the_generator_defaults():
    assert policy_parse("x").params == DistributionParams()


def test_category_window_counts_the_selling_skus_per_store(shop):
    """Cold start per SKU (SPEC §5.3) needs, per store, the category's units and
    how many of its SKUs sold there in the window: w3..w5 at A: X 8, Y 2 (2 SKUs);
    at B: X 5, Y 1 (2 SKUs); over w5 alone at B: X 2, Y 0 (1 SKU)."""
    scope, _label, _warnings = _scope(ReplayRequest(scope=str(ReplayRun.Scope.SKUS), skus=("000Z",)), W[6], W[4], 4)
    policy = policy_parse("p:category_window_weeks=3")
    inputs = replay_inputs_load(scope, [policy], W[6:7], 1.0)
    prepared = engine._prepare(inputs)
    empty = pd.DataFrame(columns=["product_id", "store_id", "units"])
    cats = engine.week_inputs(prepared, inputs, policy.params, W[5], empty, empty).category_units
    by_store = {shop["stores"][k].id: k for k in ("A", "B")}
    got = {(by_store[r.store_id], r.units, r.skus) for r in cats.itertuples()}
    assert got == {("A", 10, 2), ("B", 6, 2)}
    one_week = engine.week_inputs(
        prepared, inputs, policy_parse("p:category_window_weeks=1").params, W[5], empty, empty
    )
    got = {(by_store[r.store_id], r.units, r.skus) for r in one_week.category_units.itertuples()}
    assert got == {("A", 2, 1), ("B", 2, 1)}


def test_v3_top_skus_are_ranked_before_the_replayed_weeks(db):
    """No look-ahead: a SKU that only sells in the replayed weeks is not in the top N."""
    store = f.store("Tienda 1")
    old, star = f.product("OLD", category="Cat"), f.product("STAR", category="Cat")
    rows = [(old, store, W[w], 2) for w in range(0, 4)] + [(star, store, W[w], 50) for w in range(4, 7)]
    f.weekly(rows)
    request = ReplayRequest(scope=str(ReplayRun.Scope.TOP), top_n=1, weeks=3, policies=("a:lookback_weeks=4",))
    scope, _label, _warnings = _scope(request, W[6], W[4], 4)
    assert scope["sku"].tolist() == ["OLD"]
    v2, _label, _warnings = _scope(ReplayRequest(**{**request.__dict__, "rules": "v2"}), W[6], W[4], 4)
    assert v2["sku"].tolist() == ["STAR"]  # v2 ranked the very weeks it replays


def test_a_v3_replay_on_the_database_buys_for_the_cd_and_shares_one_start(shop):
    store_b = shop["stores"]["B"]
    store_b.lead_time_days = 9  # two weeks on the truck
    store_b.save()
    run, _ = replay_run_create(
        request=ReplayRequest(scope=str(ReplayRun.Scope.TOP), top_n=2, weeks=3, policies=(BASE, "alto:target_woc=3"))
    )
    assert (run.rules, run.cd_mode, run.supplier_lead_weeks) == ("v3", "purchase", 2)
    starts = [r["start_stock"] for r in run.results]
    assert starts[0] == starts[1] > 0
    weekly = run.results[0]["weekly"]
    assert [w["cd_received"] for w in weekly[:2]] == [0, 0]  # the first orders are still on their way
    assert sum(w["cd_ordered"] for w in weekly) > 0
    assert all("dominated" in r for r in run.results)
