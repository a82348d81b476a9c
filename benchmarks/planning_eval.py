"""`manage.py planning_eval`: the default plans measured against held-out truth (issue 26).

    python manage.py planning_eval [--size small|default] [--rules v2|v3] [--seed N]
        [--output FILE.json] [--reset | --reuse] [--workdir DIR]
        [--param KEY=VALUE …] [--ablate]

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

`--param KEY=VALUE` (repeatable) changes one parameter of the v3 plans
(a field of `DistributionParams` or, failing that, of `RedistParams`);
`--ablate` plans v3 once more per rule switched back alone to its v2 value
(`ABLATIONS`) and reports what each rule moved; `--reuse` plans on the
scenario an earlier `planning_eval` of the same size and seed loaded.
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


# Each v3 rule switched back alone to its v2 value (docs/planning.md, "What each rule changed"):
# name → (distribution overrides, redistribution overrides).
ABLATIONS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "rate_rule=sma": ({"rate_rule": "sma"}, {}),
    "cd_rule=priority": ({"cd_rule": "priority"}, {}),
    "pack_rule=nearest": ({"pack_rule": "nearest"}, {}),
    "promo_rule=ignore": ({"promo_rule": "ignore"}, {}),
    "launch_rule=category": ({"launch_rule": "category"}, {}),
    "launch_weeks=0": ({"launch_weeks": 0}, {}),
    "new_store_weeks=0": ({"new_store_weeks": 0}, {}),
    "redistribution rules=v2": ({}, {"rules": "v2"}),
}


def params_for(cls: type, rules: str, overrides: dict[str, Any] | None = None) -> Any | None:
    """`cls(rules=rules, **overrides)` when the dataclass has a `rules` field;
    today's defaults (v2) for v2 without it; None when v3 is asked and not there."""
    names = {f.name for f in dataclasses.fields(cls)}
    if "rules" in names:
        return cls(**{"rules": rules, **(overrides or {})})
    return cls(**(overrides or {})) if rules == "v2" else None


def parse_overrides(items: list[str], classes: tuple[type, type]) -> tuple[dict[str, Any], dict[str, Any]]:
    """`KEY=VALUE` texts → (distribution overrides, redistribution overrides): a key
    of the first dataclass goes to it, else to the second; the value takes the
    type of the field's default (bool: true/false/1/0/yes/no)."""
    out: tuple[dict[str, Any], dict[str, Any]] = ({}, {})
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep:
            raise ValueError(f"--param {item!r}: KEY=VALUE")
        for target, cls in zip(out, classes, strict=True):
            fields = {f.name: f for f in dataclasses.fields(cls)}
            if key in fields:
                target[key] = _typed(text.strip(), fields[key].default)
                break
        else:
            raise ValueError(f"--param {item!r}: no parameter named {key!r}")
    return out


def _typed(text: str, default: Any) -> Any:
    if isinstance(default, bool):
        if text.lower() not in {"true", "false", "1", "0", "yes", "no"}:
            raise ValueError(f"{text!r} is not true or false")
        return text.lower() in {"true", "1", "yes"}
    if isinstance(default, int):
        return int(text)
    if isinstance(default, float):
        return float(text)
    for kind in (int, float):  # a None default (a rule whose default depends on `rules`)
        try:
            return kind(text)
        except ValueError:
            pass
    return text


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
    reuse: bool = False,
    workdir: str | Path | None = None,
    params: list[str] | None = None,
    ablate: bool = False,
    out: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Load the scenario (or reuse it), plan under v2 (and v3 when asked and
    available, with `params` overrides; and each ablation), measure, print."""
    from benchmarks.run import planner_user
    from distribution.engine import DistributionParams
    from redistribution.engine import RedistParams

    if size not in SIZES or rules not in RULES:
        raise ValueError(f"size must be one of {sorted(SIZES)} and rules one of {RULES}")
    overrides = parse_overrides(params or [], (DistributionParams, RedistParams))
    work = Path(workdir or tempfile.mkdtemp(prefix="fastdso-planning-eval-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    scenario = generate(size, seed=seed)
    out(f"planning_eval · size={size} · seed={seed} · generated in {time.perf_counter() - started:.1f} s")
    rows = _load(scenario, work, reset=reset, reuse=reuse, out=out)
    request_path = request_write(scenario, work / "request.csv")
    user = planner_user()
    wanted = ["v2"] if rules == "v2" else ["v2", "v3"]
    results: dict[str, Any] = {}
    unavailable: list[str] = []
    for rule_set in wanted:
        extra = ({}, {}) if rule_set == "v2" else overrides
        dist_params = params_for(DistributionParams, rule_set, extra[0])
        redist_params = params_for(RedistParams, rule_set, extra[1])
        if dist_params is None or redist_params is None:
            unavailable.append(rule_set)
            out(f"  rules={rule_set}: not available in this code (its parameters have no `rules` field): not measured")
            continue
        results[rule_set] = _plan_and_measure(scenario, request_path, dist_params, redist_params, user, out)
    if ablate and "v3" in results:
        results.update(_ablations(scenario, request_path, results["v3"], overrides, user, out))
    report = _report(scenario, rows, results, unavailable)
    for line in report_lines(report):
        out(line)
    return report


def _load(scenario: Scenario, work: Path, *, reset: bool, reuse: bool, out: Callable[[str], None]) -> int:
    """Load the scenario into an emptied database; with `reuse`, plan on the one
    already there (the same size and seed: checked by its SKUs and stores)."""
    from benchmarks.run import has_data, reset_tables

    if reuse:
        from django.db.models import Count, Sum

        from inventory.models import Product
        from sales.models import SalesWeeklyAgg

        # The same SKUs, and the same weekly rows and units (another seed has other sales).
        sales = scenario.sales_frame()
        loaded = SalesWeeklyAgg.objects.aggregate(rows=Count("id"), units=Sum("units"))
        skus = set(Product.objects.values_list("sku", flat=True))
        if skus != set(scenario.products["sku"]) or (loaded["rows"], loaded["units"]) != (
            len(sales),
            int(sales["units"].sum()),
        ):
            raise RuntimeError("La base de datos no tiene este escenario (tamaño y semilla): cárguelo con --reset.")
        out("  reusing the scenario already loaded")
        return int(loaded["rows"])
    if has_data() and not reset:
        raise RuntimeError("La base de datos ya tiene productos: use --reset (borra ventas, stock, runs y planes).")
    reset_tables()
    started = time.perf_counter()
    loaded = scenario_load(scenario, workdir=work)
    out(f"  loaded {loaded.weekly_rows:,} weekly rows in {time.perf_counter() - started:.1f} s")
    return loaded.weekly_rows


def _ablations(
    scenario: Scenario,
    request_path: Path,
    v3: dict[str, Any],
    overrides: tuple[dict[str, Any], dict[str, Any]],
    user: Any,
    out: Callable[[str], None],
) -> dict[str, Any]:
    """v3 with each rule of ABLATIONS switched back alone; a distribution rule
    reuses v3's redistribution moves (the plans do not read the drafts)."""
    from distribution.engine import DistributionParams
    from redistribution.engine import RedistParams

    results = {}
    for name, (dist_extra, redist_extra) in ABLATIONS.items():
        out(f"  ablation {name}")
        dist_params = DistributionParams(**{"rules": "v3", **overrides[0], **dist_extra})
        redist_params = RedistParams(**{"rules": "v3", **overrides[1], **redist_extra})
        moves = None if redist_extra else v3["moves"]
        results[f"v3 {name}"] = _plan_and_measure(
            scenario, request_path, dist_params, redist_params, user, out, moves=moves
        )
    return results


def _plan_and_measure(
    scenario: Scenario,
    request_path: Path,
    dist_params: Any,
    redist_params: Any,
    user: Any,
    out: Callable,
    moves: pd.DataFrame | None = None,
) -> dict[str, Any]:
    started = time.perf_counter()
    lines, run_info = distribution_lines(request_path, dist_params, user)
    run_s = time.perf_counter() - started
    out(f"  {run_info['run_id']}: {run_info['lines']:,} lines in {run_s:.1f} s")
    if moves is None:
        started = time.perf_counter()
        categories = sorted(scenario.products["category"].unique().tolist())
        moves, plan_info = redistribution_moves(categories, redist_params, user)
        took = time.perf_counter() - started
        out(f"  redistribution: {plan_info['plans']} plans, {plan_info['moves']:,} moves in {took:.1f} s")
    else:
        plan_info = {"plans": 0, "moves": len(moves), "units": int(moves["qty"].sum()) if len(moves) else 0}
    parts = measure(scenario, lines, moves, target_woc=float(dist_params.target_woc))
    return {
        "figures": metrics.figures(parts),
        "details": parts,
        "run": run_info,
        "redistribution": plan_info,
        "moves": moves,
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
        "results": {name: {k: v for k, v in result.items() if k != "moves"} for name, result in results.items()},
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
    return lines + ablation_lines(report)


ABLATION_FIGURES = {
    "oos_left_empty_share": "oos empty",
    "over_26w_lines": ">26w",
    "launch_reach_mean": "launch",
    "cd_short_empty_shelves": "cd empty",
    "cd_short_units_short": "cd short u",
    "promo_inflation": "promo",
    "opening_lines": "opening",
    "small_moves_share": "moves<=2",
}


def ablation_lines(report: dict[str, Any]) -> list[str]:
    """v3 and each rule switched back alone, one row each (empty without --ablate)."""
    names = [n for n in report["results"] if n.startswith("v3 ")]
    if not names:
        return []
    head = f"  {'v3 with one rule back to v2':28}" + "".join(f"{label:>11}" for label in ABLATION_FIGURES.values())
    lines = ["", head, "  " + "-" * (len(head) - 2)]
    for name in ["v3", *names]:
        figures = report["results"][name]["figures"]
        cells = "".join(f"{metrics.format_value(key, figures.get(key)):>11}" for key in ABLATION_FIGURES)
        lines.append(f"  {name.removeprefix('v3 ') if name != 'v3' else 'v3 (all rules)':28}{cells}")
    return lines


def write_json(report: dict[str, Any], path: str | Path) -> None:
    Path(path).write_text(json.dumps(report, indent=2, default=str, ensure_ascii=False))
