"""`manage.py planning_eval`: the default plans measured against held-out truth (issue 26).

    python manage.py planning_eval [--size small|default] [--rules v2|v3] [--seed N]
        [--output FILE.json] [--reset] [--workdir DIR]

Destructive like `bench`: it loads a `benchmarks.scenario` scenario into the
database Django points at (refused when it already has products, unless
`--reset` empties FastDSO's tables first), then, through the real services:

1. the default distribution run of the scenario's request file (every SKU,
   new SKUs with their like SKU and launch factor);
2. a redistribution of every category, automatic, to all stores;

and prints the metrics of `benchmarks.planning_metrics` beside the v3 goals.
`--rules v3` (the default) measures v2 and v3 (several goals are relative to
v2); `--rules v2` only v2. Parameters pass through unchanged: `rules` is
passed only when the parameters' dataclass has that field — without it the
code is v2 and v3 is reported as not available.
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from benchmarks import planning_metrics as metrics
from benchmarks.scenario import SIZES, Scenario, generate
from benchmarks.scenario_load import scenario_load

RULES = ("v2", "v3")
DEFAULT_SEED = 26
SIMILAR_RATIO = 1.25
COVER_WEEKS = 26.0


def params_for(cls: type, rules: str) -> Any | None:
    """`cls(rules=rules)` when the dataclass has a `rules` field; today's
    defaults (v2) for v2 without it; None when v3 is asked and not there."""
    names = {f.name for f in dataclasses.fields(cls)}
    if "rules" in names:
        return cls(rules=rules)
    return cls() if rules == "v2" else None


def request_write(scenario: Scenario, path: Path) -> Path:
    """The request file: sku, category, like_sku, launch_factor (blank unless a like SKU is named)."""
    request = scenario.request.copy()
    has_like = request["like_sku"].notna()
    request["like_sku"] = request["like_sku"].fillna("")
    request["launch_factor"] = request["launch_factor"].map(lambda f: f"{f:g}").where(has_like, "")
    request.to_csv(path, index=False)
    return path


def distribution_lines(request_path: Path, params: Any, user: Any) -> tuple[pd.DataFrame, dict]:
    """The default run of the request through the real service; its store lines."""
    from distribution.models import DistributionLine
    from distribution.services import distribution_run_create

    run = distribution_run_create(request_path=request_path, file_name=request_path.name, params=params, user=user).run
    rows = DistributionLine.objects.filter(run=run, store__isnull=False).values_list(
        "product__sku", "store__name", "suggested_qty", "allocated_qty", "store_stock", "model_name", "reason"
    )
    columns = ["sku", "store", "suggested_qty", "allocated_qty", "store_stock", "model_name", "reason"]
    lines = pd.DataFrame(list(rows), columns=columns)
    info = {"run_id": run.run_id, "lines": run.line_count, "suggested": run.total_suggested}
    info["allocated"] = run.total_allocated
    info["models"] = lines["model_name"].value_counts().to_dict() if len(lines) else {}
    return lines, info


def redistribution_moves(categories: list[str], params: Any, user: Any) -> tuple[pd.DataFrame, dict]:
    """One automatic plan per category to all stores through the real service; their moves."""
    from redistribution import engine as redist_engine
    from redistribution.models import TransferLine
    from redistribution.services import MODE_AUTO, PlanRequest, transfer_plan_create

    plan_ids = []
    for category in categories:
        request = PlanRequest(mode=MODE_AUTO, scope=redist_engine.SCOPE_CATEGORY, category=category, params=params)
        plan_ids.append(transfer_plan_create(user=user, request=request).pk)
    rows = TransferLine.objects.filter(plan_id__in=plan_ids).values_list(
        "product__sku", "origin_store__name", "destination_store__name", "qty"
    )
    moves = pd.DataFrame(list(rows), columns=["sku", "origin_store", "destination_store", "qty"])
    return moves, {"plans": len(plan_ids), "moves": len(moves), "units": int(moves["qty"].sum()) if len(moves) else 0}


def measure(scenario: Scenario, lines: pd.DataFrame, moves: pd.DataFrame, *, target_woc: float) -> dict[str, dict]:
    """Every metric of one rule set (the pure functions of planning_metrics)."""
    truth = scenario.truth
    active = scenario.stores.loc[scenario.stores["active"], "store"].tolist()
    settled = scenario.stores_of("regular")  # not opening, not closing
    history = scenario.skus_of("regular", "eol")
    short = scenario.products.loc[scenario.products["cd_short"], "sku"].tolist()
    promoted = scenario.products.loc[scenario.products["promo_last_week"], "sku"].tolist()
    return {
        "oos": metrics.oos_left_empty(lines, truth, skus=history, stores=settled),
        # The pairs out of stock for their last 3 weeks or more (the study: all got nothing).
        "oos_3w": metrics.oos_left_empty(lines, truth[truth["oos_weeks"] >= 3], skus=history, stores=settled),
        "cover": metrics.over_cover_lines(lines, truth, weeks=COVER_WEEKS),
        "launch": metrics.launch_reach(lines, truth, skus=scenario.skus_of("new", "launching")),
        "launch_new": metrics.launch_reach(lines, truth, skus=scenario.skus_of("new")),
        "launch_launching": metrics.launch_reach(lines, truth, skus=scenario.skus_of("launching")),
        "cd_short": metrics.cd_short_shelves(lines, truth, skus=short, stores=active),
        "promo": metrics.promo_inflation(lines, truth, skus=promoted, target_woc=target_woc),
        "opening": metrics.store_lines(lines, stores=scenario.stores_of("opening")),
        "inactive": metrics.store_lines(lines, stores=scenario.stores_of("inactive")),
        "moves": metrics.move_quality(moves, truth, similar=SIMILAR_RATIO),
    }


def scenario_facts(scenario: Scenario, loaded_rows: int) -> dict[str, Any]:
    p, s, t = scenario.products, scenario.stores, scenario.truth
    return {
        "size": scenario.size,
        "seed": scenario.seed,
        "stores": len(s),
        "stores_by_kind": s["kind"].value_counts().to_dict(),
        "skus": len(p),
        "skus_by_kind": p["kind"].value_counts().to_dict(),
        "categories": int(p["category"].nunique()),
        "weeks": len(scenario.weeks),
        "held_out_weeks": [w.isoformat() for w in scenario.held_out_weeks],
        "as_of_week": scenario.as_of_week.isoformat(),
        "weekly_rows": loaded_rows,
        "ranged_pairs": len(t),
        "pairs_out_of_stock_with_demand": int(((t["stock"] <= 0) & (t["demand"] > 0)).sum()),
        "cd_short_skus": int(p["cd_short"].sum()),
        "promoted_last_week_skus": int(p["promo_last_week"].sum()),
        "promotions": len(scenario.promotions),
        "held_out_demand": int(t["demand"].sum()),
    }


def evaluate(
    *,
    size: str = "small",
    rules: str = "v3",
    seed: int = DEFAULT_SEED,
    reset: bool = False,
    workdir: str | Path | None = None,
    out: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Load the scenario, plan under v2 (and v3 when asked and available), measure, print."""
    from benchmarks.run import has_data, planner_user, reset_tables
    from distribution.engine import DistributionParams
    from redistribution.engine import RedistParams

    if size not in SIZES or rules not in RULES:
        raise ValueError(f"size must be one of {sorted(SIZES)} and rules one of {RULES}")
    if has_data() and not reset:
        raise RuntimeError("La base de datos ya tiene productos: use --reset (borra ventas, stock, runs y planes).")
    reset_tables()
    work = Path(workdir or tempfile.mkdtemp(prefix="fastdso-planning-eval-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    scenario = generate(size, seed=seed)
    out(f"planning_eval · size={size} · seed={seed} · generated in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    loaded = scenario_load(scenario, workdir=work)
    out(f"  loaded {loaded.weekly_rows:,} weekly rows in {time.perf_counter() - started:.1f} s")
    request_path = request_write(scenario, work / "request.csv")
    user = planner_user()
    wanted = ["v2"] if rules == "v2" else ["v2", "v3"]
    results: dict[str, Any] = {}
    unavailable: list[str] = []
    for rule_set in wanted:
        dist_params = params_for(DistributionParams, rule_set)
        redist_params = params_for(RedistParams, rule_set)
        if dist_params is None or redist_params is None:
            unavailable.append(rule_set)
            out(f"  rules={rule_set}: not available in this code (its parameters have no `rules` field): not measured")
            continue
        results[rule_set] = _plan_and_measure(scenario, request_path, dist_params, redist_params, user, out)
    report = _report(scenario, loaded.weekly_rows, results, unavailable)
    for line in report_lines(report):
        out(line)
    return report


def _plan_and_measure(
    scenario: Scenario, request_path: Path, dist_params: Any, redist_params: Any, user: Any, out: Callable
) -> dict[str, Any]:
    started = time.perf_counter()
    lines, run_info = distribution_lines(request_path, dist_params, user)
    run_s = time.perf_counter() - started
    started = time.perf_counter()
    categories = sorted(scenario.products["category"].unique().tolist())
    moves, plan_info = redistribution_moves(categories, redist_params, user)
    redist_s = time.perf_counter() - started
    out(f"  {run_info['run_id']}: {run_info['lines']:,} lines in {run_s:.1f} s")
    out(f"  redistribution: {plan_info['plans']} plans, {plan_info['moves']:,} moves in {redist_s:.1f} s")
    parts = measure(scenario, lines, moves, target_woc=float(dist_params.target_woc))
    return {
        "figures": metrics.figures(parts),
        "details": parts,
        "run": run_info,
        "redistribution": plan_info,
        "params": {
            "distribution": dataclasses.asdict(dist_params),
            "redistribution": dataclasses.asdict(redist_params),
        },
    }


def _report(scenario: Scenario, rows: int, results: dict[str, Any], unavailable: list[str]) -> dict[str, Any]:
    v2 = results.get("v2", {}).get("figures")
    goals = {}
    for rule_set, result in results.items():
        goals[rule_set] = metrics.goal_checks(result["figures"], None if rule_set == "v2" else v2)
    return {
        "scenario": scenario_facts(scenario, rows),
        "results": results,
        "goals": goals,
        "goal_text": {k: g.text for k, g in metrics.GOALS.items()},
        "unavailable": unavailable,
    }


def report_lines(report: dict[str, Any]) -> list[str]:
    """The table: one metric a line, v2 and v3 beside the goal, pass/fail per rule set."""
    sets = ["v2", "v3"]

    def mark(rule_set: str, key: str) -> str:
        ok = report["goals"].get(rule_set, {}).get(key)
        return "" if ok is None else ("OK" if ok else "MISS")

    head = f"  {'metric':40} {'v2':>10} {'':4} {'v3':>10} {'':4} goal (v3)"
    lines = ["", head, "  " + "-" * (len(head) - 2)]
    for key, goal in metrics.GOALS.items():
        cells = []
        for rule_set in sets:
            figures = report["results"].get(rule_set, {}).get("figures")
            value = None if figures is None else figures.get(key)
            text = "n/a" if rule_set in report["unavailable"] else metrics.format_value(key, value)
            cells.append(f"{text:>10} {mark(rule_set, key):4}")
        lines.append(f"  {goal.label:40} {' '.join(cells)} {goal.text}")
    return lines


def write_json(report: dict[str, Any], path: str | Path) -> None:
    Path(path).write_text(json.dumps(report, indent=2, default=str, ensure_ascii=False))
