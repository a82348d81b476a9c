"""planning_eval end to end on the small scenario, and its loader (both databases)."""

import dataclasses
import json

import pandas as pd
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from benchmarks import planning_metrics
from benchmarks.planning_eval import ABLATIONS, params_for, parse_overrides, request_write
from benchmarks.scenario import generate


@dataclasses.dataclass(frozen=True)
class WithRules:
    rules: str = "v3"
    target_woc: float = 2.0


@dataclasses.dataclass(frozen=True)
class WithoutRules:
    target_woc: float = 2.0


def test_params_pass_rules_only_when_the_dataclass_has_them():
    assert params_for(WithRules, "v2") == WithRules(rules="v2")
    assert params_for(WithRules, "v3") == WithRules(rules="v3")
    assert params_for(WithoutRules, "v2") == WithoutRules()  # today's code is v2
    assert params_for(WithoutRules, "v3") is None


@dataclasses.dataclass(frozen=True)
class Other:
    min_gain: float = 1.25
    max_units: int | None = None
    on: bool = True


def test_param_overrides_take_each_fields_type_and_go_to_the_class_that_has_it():
    items = ["target_woc=3", "rules=v2", "min_gain=2", "max_units=40", "on=no"]
    dist, redist = parse_overrides(items, (WithRules, Other))
    assert dist == {"target_woc": 3.0, "rules": "v2"} and redist == {"min_gain": 2.0, "max_units": 40, "on": False}
    assert params_for(WithRules, "v3", {"target_woc": 3.0}) == WithRules(rules="v3", target_woc=3.0)
    with pytest.raises(ValueError, match="no parameter"):
        parse_overrides(["nope=1"], (WithRules, Other))
    with pytest.raises(ValueError, match="KEY=VALUE"):
        parse_overrides(["target_woc"], (WithRules, Other))


def test_each_ablation_names_real_parameters():
    from distribution.engine import DistributionParams
    from redistribution.engine import RedistParams

    for dist, redist in ABLATIONS.values():
        assert DistributionParams(**dist) != DistributionParams() or RedistParams(**redist) != RedistParams()


def test_request_file_names_like_skus_and_launch_factors(tmp_path):
    sc = generate("small")
    frame = pd.read_csv(request_write(sc, tmp_path / "request.csv"), dtype=str, keep_default_na=False)
    assert list(frame.columns) == ["sku", "category", "like_sku", "launch_factor"]
    assert frame["sku"].str.len().eq(8).all()  # leading zeros kept
    named = frame[frame["like_sku"] != ""]
    assert set(named["sku"]) == set(sc.skus_of("new", "launching"))
    assert (named["launch_factor"] != "").all() and (frame.loc[frame["like_sku"] == "", "launch_factor"] == "").all()


@pytest.mark.django_db
def test_loader_writes_what_the_planners_read(tmp_path):
    from benchmarks.scenario_load import scenario_load
    from inventory.models import CDStockSnapshot, Product, Store, StoreStockSnapshot
    from sales.models import Promotion, SalesWeeklyAgg
    from sales.queries import default_as_of_week

    sc = generate("small")
    ids = scenario_load(sc, workdir=tmp_path)
    assert default_as_of_week() == sc.as_of_week
    sales = sc.sales_frame()
    assert ids.weekly_rows == len(sales) == SalesWeeklyAgg.objects.count()
    assert sum(SalesWeeklyAgg.objects.values_list("units", flat=True)) == sales["units"].sum()
    assert not SalesWeeklyAgg.objects.filter(category__isnull=True).exists()
    opening = Store.objects.get(name=sc.stores_of("opening")[0])
    expected = sc.stores.set_index("store").loc[opening.name]
    assert opening.like_store.name == expected["like_store"] and opening.size_factor == expected["size_factor"]
    assert Store.objects.filter(active=False).count() == len(sc.stores_of("inactive"))
    shown = sc.products[sc.products["display_min"] > 0].iloc[0]
    assert Product.objects.get(sku=shown["sku"]).display_min == shown["display_min"]
    assert Promotion.objects.count() == len(sc.promotions)
    assert StoreStockSnapshot.objects.count() == len(sc.store_stock)
    assert CDStockSnapshot.objects.filter(units__gt=0).count() == (sc.cd_stock["quantity"] > 0).sum()


@pytest.mark.django_db(transaction=True)
def test_planning_eval_small_computes_every_metric(tmp_path):
    from distribution.engine import DistributionParams

    out = tmp_path / "eval.json"
    call_command("planning_eval", "--size", "small", "--output", str(out), "--workdir", str(tmp_path / "work"))
    report = json.loads(out.read_text())
    v2 = report["results"]["v2"]
    assert set(planning_metrics.GOALS) == set(v2["figures"])
    assert v2["run"]["lines"] > 0 and v2["redistribution"]["moves"] > 0
    details = v2["details"]
    assert details["oos"]["pairs"] > 0 and details["cover"]["lines"] > 0
    assert details["launch"]["skus"] == 6 and details["opening"]["stores"] == 2
    assert details["cd_short"]["empty_before"] > 0 and details["promo"]["base"] > 0
    assert 0 <= v2["figures"]["small_moves_share"] <= 1
    assert report["goals"]["v2"]["oos_left_empty_share"] in (True, False)
    has_rules = "rules" in {f.name for f in dataclasses.fields(DistributionParams)}
    if has_rules:  # after the v3 rules: measured beside v2, relative goals checked
        assert set(report["results"]) == {"v2", "v3"} and report["goals"]["v3"]["over_26w_lines"] in (True, False)
    else:
        assert report["unavailable"] == ["v3"] and set(report["results"]) == {"v2"}
    # A database with data is refused without --reset.
    with pytest.raises(CommandError, match="--reset"):
        call_command("planning_eval", "--size", "small", "--rules", "v2")
    # --reuse plans on it again: a parameter changed, each rule switched back alone.
    again = tmp_path / "again.json"
    call_command(
        "planning_eval", "--size", "small", "--reuse", "--param", "max_pack_woc=4", "--ablate", "--output", str(again)
    )
    report = json.loads(again.read_text())
    assert report["results"]["v3"]["params"]["distribution"]["max_pack_woc"] == 4
    assert report["results"]["v2"]["params"]["distribution"]["max_pack_woc"] == 8  # v2 stays v2
    assert {f"v3 {name}" for name in ABLATIONS} <= set(report["results"])
    assert report["results"]["v3 cd_rule=priority"]["params"]["distribution"]["cd_rule"] == "priority"
    assert report["results"]["v2"]["figures"] == v2["figures"]  # the same scenario, the same v2 plan
    with pytest.raises(CommandError, match="escenario"):
        call_command("planning_eval", "--size", "small", "--seed", "7", "--reuse")
