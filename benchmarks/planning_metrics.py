"""What a plan did against the held-out truth (issue 26): pure pandas, no Django.

Every function takes a plan's lines or moves and the scenario's truth
(`benchmarks.scenario.Scenario.truth`: sku, store, demand, rate, base_rate,
stock) and returns plain numbers. Definitions (docs/planning.md):

- ``lines``: a distribution run's store lines — sku, store, suggested_qty,
  allocated_qty, store_stock. A pair "got something" when its allocated_qty > 0.
- ``moves``: a redistribution plan's lines — sku, origin_store,
  destination_store, qty.
- ``truth.demand``: realised units over the held-out weeks; ``truth.rate``:
  expected units a week over them (the *true rate*); ``truth.stock``: the
  store's stock at the snapshot (no run is approved: effective = snapshot).
  A pair absent from the truth has no demand (rate 0).

`GOALS` holds the v3 thresholds of issue 26, each checked against the
metric's value and v2's.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

KEY = ["sku", "store"]


def _allocated(lines: pd.DataFrame) -> pd.DataFrame:
    """allocated_qty and suggested_qty per (sku, store) (a pair appears once per run)."""
    columns = [*KEY, "allocated_qty", "suggested_qty", "store_stock"]
    if lines.empty:
        return pd.DataFrame({c: pd.Series(dtype=object if c in KEY else "int64") for c in columns})
    return lines[columns].groupby(KEY, as_index=False).sum()


def _with_allocation(pairs: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    merged = pairs.merge(_allocated(lines)[[*KEY, "allocated_qty"]], on=KEY, how="left")
    merged["allocated_qty"] = merged["allocated_qty"].fillna(0).astype("int64")
    return merged


def _share(part: float, whole: float) -> float:
    return float(part) / float(whole) if whole else 0.0


def oos_left_empty(lines: pd.DataFrame, truth: pd.DataFrame, *, skus: Iterable[str], stores: Iterable[str]) -> dict:
    """Pairs of `skus` at `stores` out of stock (stock ≤ 0) with real demand
    (held-out demand > 0) that got nothing; `demand_unserved` = their held-out demand."""
    pairs = truth[
        (truth["stock"] <= 0) & (truth["demand"] > 0) & truth["sku"].isin(set(skus)) & truth["store"].isin(set(stores))
    ]
    pairs = _with_allocation(pairs, lines)
    empty = pairs[pairs["allocated_qty"] <= 0]
    return {
        "pairs": len(pairs),
        "left_empty": len(empty),
        "share": _share(len(empty), len(pairs)),
        "demand_unserved": int(empty["demand"].sum()),
    }


def over_cover_lines(lines: pd.DataFrame, truth: pd.DataFrame, *, weeks: float = 26.0) -> dict:
    """Lines that ship (allocated > 0) whose cover at the true rate,
    (store_stock + allocated) ÷ rate, exceeds `weeks` (rate 0: infinite cover)."""
    shipped = _allocated(lines)
    shipped = shipped[shipped["allocated_qty"] > 0].merge(truth[[*KEY, "rate"]], on=KEY, how="left")
    rate = shipped["rate"].fillna(0.0).to_numpy(dtype=float)
    held = (shipped["store_stock"] + shipped["allocated_qty"]).to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        cover = np.where(rate > 0, held / np.where(rate > 0, rate, 1.0), np.inf)
    over = cover > weeks
    out: dict[str, Any] = {
        "lines": len(shipped),
        "over": int(over.sum()),
        "share": _share(int(over.sum()), len(shipped)),
        "units_over": int(shipped.loc[over, "allocated_qty"].sum()),
        "units": int(shipped["allocated_qty"].sum()),
        "over_no_demand": int((over & (rate <= 0)).sum()),
    }
    for column in ("model_name", "reason"):
        if column in lines.columns:
            # What made the lines over the cover: their model, their reason's code ("LIKE:A" → "LIKE").
            codes = lines[[*KEY, column]].drop_duplicates(KEY)
            codes = shipped.loc[over, KEY].merge(codes, on=KEY, how="left")[column].fillna("").astype(str)
            counts = codes.str.split(":").str[0].value_counts()
            out[f"over_by_{column.removesuffix('_name')}"] = {str(k): int(v) for k, v in counts.items()}
    return out


def launch_reach(lines: pd.DataFrame, truth: pd.DataFrame, *, skus: Iterable[str]) -> dict:
    """Per SKU of `skus`, the share of its true held-out network demand at
    stores that got a line (the issue's definition); mean and min over the
    SKUs with demand. `carried_mean`: the same counting the stores that carry
    the SKU after the plan — a line, or its own stock already on the shelf (a
    launching SKU's first stores hold their launch stock and need no line)."""
    wanted = set(skus)
    pairs = _with_allocation(truth[truth["sku"].isin(wanted) & (truth["demand"] > 0)], lines)
    total = pairs.groupby("sku")["demand"].sum()
    by_sku = (pairs["demand"].where(pairs["allocated_qty"] > 0, 0).groupby(pairs["sku"]).sum() / total).sort_index()
    carried = (pairs["allocated_qty"] > 0) | (pairs["stock"] > 0)
    by_carried = pairs["demand"].where(carried, 0).groupby(pairs["sku"]).sum() / total
    return {
        "skus": len(by_sku),
        "mean": float(by_sku.mean()) if len(by_sku) else 0.0,
        "min": float(by_sku.min()) if len(by_sku) else 0.0,
        "skus_at_half": int((by_sku >= 0.5).sum()),
        "carried_mean": float(by_carried.mean()) if len(by_carried) else 0.0,
        "by_sku": {str(k): round(float(v), 4) for k, v in by_sku.items()},
    }


def cd_short_shelves(lines: pd.DataFrame, truth: pd.DataFrame, *, skus: Iterable[str], stores: Iterable[str]) -> dict:
    """For the CD-short `skus` at `stores`: empty shelves (stock ≤ 0, demand > 0)
    before the plan and left empty by it, and the units short over the held-out
    weeks, Σ max(demand − stock − allocated, 0)."""
    pairs = truth[truth["sku"].isin(set(skus)) & truth["store"].isin(set(stores))]
    pairs = _with_allocation(pairs, lines)
    empty = (pairs["stock"] <= 0) & (pairs["demand"] > 0)
    short = (pairs["demand"] - pairs["stock"] - pairs["allocated_qty"]).clip(lower=0)
    return {
        "empty_before": int(empty.sum()),
        "empty_shelves": int((empty & (pairs["allocated_qty"] <= 0)).sum()),
        "units_short": int(short.sum()),
        "allocated": int(pairs["allocated_qty"].sum()),
    }


def promo_inflation(lines: pd.DataFrame, truth: pd.DataFrame, *, skus: Iterable[str], target_woc: float) -> dict:
    """Σ suggested on the SKUs promoted in the as-of week ÷ the suggestion at
    their base rate, Σ max(ceil(target_woc × base_rate) − stock, 0) over their pairs."""
    wanted = set(skus)
    pairs = truth[truth["sku"].isin(wanted)]
    need = np.ceil(np.round(target_woc * pairs["base_rate"].to_numpy(dtype=float), 6))
    base = float(np.maximum(need - pairs["stock"].to_numpy(dtype=float), 0).sum())
    plan = _allocated(lines)
    suggested = float(plan.loc[plan["sku"].isin(wanted), "suggested_qty"].sum())
    return {"skus": len(wanted), "suggested": int(suggested), "base": int(base), "ratio": _share(suggested, base)}


def store_lines(lines: pd.DataFrame, *, stores: Iterable[str]) -> dict:
    """Lines (allocated > 0) to `stores` (the opening ones, the closing ones), and how many of them got any."""
    wanted = set(stores)
    plan = _allocated(lines)
    shipped = plan[plan["store"].isin(wanted) & (plan["allocated_qty"] > 0)]
    reached = shipped["store"].nunique()
    return {
        "stores": len(wanted),
        "stores_reached": int(reached),
        "share": _share(reached, len(wanted)),
        "lines": len(shipped),
        "units": int(shipped["allocated_qty"].sum()),
    }


def move_quality(moves: pd.DataFrame, truth: pd.DataFrame, *, small: int = 2, similar: float = 1.25) -> dict:
    """Share of moves of ≤ `small` units, and of moves between stores of similar
    demand or against the gradient: the destination's true rate below `similar`
    × the donor's (both 0 counts as similar: no gradient to serve)."""
    if moves.empty:
        return {"moves": 0, "units": 0, "small": 0, "small_share": 0.0, "similar": 0, "similar_share": 0.0}
    rate = truth.set_index(KEY)["rate"]
    origin = rate.reindex(pd.MultiIndex.from_arrays([moves["sku"], moves["origin_store"]])).fillna(0).to_numpy()
    dest = rate.reindex(pd.MultiIndex.from_arrays([moves["sku"], moves["destination_store"]])).fillna(0).to_numpy()
    small_moves = int((moves["qty"] <= small).sum())
    alike = (dest < similar * origin) | ((dest == 0) & (origin == 0))
    return {
        "moves": len(moves),
        "units": int(moves["qty"].sum()),
        "small": small_moves,
        "small_share": _share(small_moves, len(moves)),
        "similar": int(alike.sum()),
        "similar_share": _share(int(alike.sum()), len(moves)),
    }


# ---------------------------------------------------------------------------
# The figures and the v3 goals (issue 26)
# ---------------------------------------------------------------------------


def figures(parts: dict[str, dict]) -> dict[str, float]:
    """The headline figure of each metric, from the dicts above keyed by metric name."""
    return {
        "oos_left_empty_share": parts["oos"]["share"],
        "oos_left_empty": parts["oos"]["left_empty"],
        "over_26w_lines": parts["cover"]["over"],
        "launch_reach_mean": parts["launch"]["mean"],
        "cd_short_empty_shelves": parts["cd_short"]["empty_shelves"],
        "cd_short_units_short": parts["cd_short"]["units_short"],
        "promo_inflation": parts["promo"]["ratio"],
        "opening_stores_reached": parts["opening"]["share"],
        "opening_lines": parts["opening"]["lines"],
        "small_moves_share": parts["moves"]["small_share"],
        "similar_moves_share": parts["moves"]["similar_share"],
    }


Check = Callable[[float, float | None], bool | None]


@dataclass(frozen=True)
class Goal:
    label: str
    text: str
    check: Check


def _relative(limit: float) -> Check:
    return lambda value, v2: None if v2 is None else value <= limit * v2


GOALS: dict[str, Goal] = {
    "oos_left_empty_share": Goal("Sin stock con demanda y sin nada", "≤ 5%", lambda v, _v2: v <= 0.05),
    "oos_left_empty": Goal("  (pares)", "", lambda v, _v2: None),
    "over_26w_lines": Goal("Líneas > 26 semanas de cobertura", "≤ 10% de v2", _relative(0.10)),
    "launch_reach_mean": Goal("Lanzamiento: demanda alcanzada (media)", "≥ 50%", lambda v, _v2: v >= 0.5),
    "cd_short_empty_shelves": Goal("CD corto: góndolas vacías", "≤ 10% de v2", _relative(0.10)),
    "cd_short_units_short": Goal("CD corto: unidades faltantes 4 sem.", "≤ v2", _relative(1.0)),
    "promo_inflation": Goal("Promoción: sugerido ÷ tasa base", "≤ 1.3×", lambda v, _v2: v <= 1.3),
    "opening_stores_reached": Goal("Aperturas con líneas (tiendas)", "100%", lambda v, _v2: v >= 1.0),
    "opening_lines": Goal("  (líneas a aperturas)", "", lambda v, _v2: None),
    "small_moves_share": Goal("Traslados ≤ 2 unidades", "≤ 25%", lambda v, _v2: v <= 0.25),
    "similar_moves_share": Goal("Traslados entre demanda similar", "(sin meta)", lambda v, _v2: None),
}


def goal_checks(values: dict[str, float], v2: dict[str, float] | None) -> dict[str, bool | None]:
    """Pass (True), fail (False) or no goal / nothing to compare with (None) per figure.
    `v2`: v2's figures, for the goals relative to v2 (None: v2 itself is measured)."""
    out: dict[str, bool | None] = {}
    for key, goal in GOALS.items():
        if key not in values:
            continue
        base = None if v2 is None else v2.get(key)
        result = goal.check(float(values[key]), None if base is None else float(base))
        out[key] = None if result is None else bool(result)
    return out


def format_value(key: str, value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if key.endswith("_share") or key in {"launch_reach_mean", "opening_stores_reached"}:
        return f"{100 * float(value):.1f}%"
    if key == "promo_inflation":
        return f"{float(value):.2f}×"
    return f"{int(value):,}"
