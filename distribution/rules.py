"""The v3 distribution rules (SPEC §4.6, §5.2–§5.4a): pure numpy/pandas, no Django.

Each rule is one object or function that takes arrays of a run's lines and
returns arrays (quantities, and the mask of lines it changed, which names
the line's reason). `distribution.engine.generate` applies them;
`distribution.explain` says them from the numbers stored on each line.

- `in_stock_rate`: a ranged pair out of stock is planned at its rate over
  the weeks it had stock (§5.2, reason OUT_OF_STOCK_RATE);
- `display_target`: the product's display minimum (§5.2);
- `PACK_RULE_OBJECTS`: how a suggestion becomes whole packs (§5.4a);
- `CD_RULE_OBJECTS`: how a short CD is shared among a SKU's lines (§5.4);
- `promoted_grid`, `category_lift`, `lift_ahead`: promotions (§4.6).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

EPS = 1e-9


def _ceil6(values: np.ndarray) -> np.ndarray:
    return np.ceil(np.round(np.asarray(values, dtype="float64"), 6)).astype("int64")


# --- §5.2 rate_rule = in_stock ------------------------------------------------------


def in_stock_rate(
    sma_rate: np.ndarray,
    units_to_last: np.ndarray,
    weeks_to_last: np.ndarray,
    stock: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(rate, raised): for a ranged pair whose effective stock is ≤ 0, the weeks
    after its last week with a sale are presumed lost: rate_in_stock = units up
    to and including that week ÷ those weeks (from the window's first week),
    and rate = max(SMA, rate_in_stock). `raised` marks where it beat the SMA
    (reason OUT_OF_STOCK_RATE)."""
    sma_rate = np.asarray(sma_rate, dtype="float64")
    weeks = np.asarray(weeks_to_last, dtype="int64")
    units = np.asarray(units_to_last, dtype="float64")
    out = (np.asarray(stock, dtype="int64") <= 0) & (weeks > 0)
    rate_in_stock = np.where(out, np.maximum(units, 0.0) / np.maximum(weeks, 1), 0.0)
    raised = out & (np.round(rate_in_stock, 9) > np.round(sma_rate, 9))
    return np.where(raised, rate_in_stock, sma_rate), raised


def display_minimum(display_min: np.ndarray | pd.Series, stock: np.ndarray | pd.Series) -> np.ndarray:
    """The display minimum a line fills: the product's where the store's effective
    stock is ≤ 0 (an empty shelf), else 0. Measured on the planning scenario
    (docs/planning.md): topping up shelves that still held stock to the display
    minimum sent 2,241 lines, 111 of them over 26 weeks of cover at the true
    rate, and served no demand the other figures see."""
    minimum = np.maximum(np.asarray(display_min, dtype="int64"), 0)
    return np.where(np.asarray(stock, dtype="int64") <= 0, minimum, 0)


def display_target(need: np.ndarray, display_min: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(target, raised): target = max(display_min, need) (§5.2)."""
    need = np.asarray(need, dtype="int64")
    minimum = np.maximum(np.asarray(display_min, dtype="int64"), 0)
    return np.maximum(need, minimum), minimum > need


# --- §5.4a packs ---------------------------------------------------------------------


@dataclass(frozen=True)
class PackResult:
    suggested: np.ndarray  # whole packs
    exceeds: np.ndarray  # an empty store left with nothing: one pack exceeds the cover cap


class NearestPacks:
    """v2: pack × max(1, floor(u / pack + 0.5)) for u > 0 (half a pack rounds up)."""

    name = "nearest"
    label = "Caja más cercana (mínimo una)"

    def apply(
        self,
        unrounded: np.ndarray,
        pack: np.ndarray,
        stock: np.ndarray,
        rate: np.ndarray,
        max_pack_woc: float | np.ndarray,
    ) -> PackResult:
        u = np.asarray(unrounded, dtype="int64")
        p = np.maximum(np.asarray(pack, dtype="int64"), 1)
        packs = np.maximum((2 * u + p) // (2 * p), 1)
        return PackResult(np.where(u > 0, p * packs, 0).astype("int64"), np.zeros(len(u), dtype=bool))


class CoverCappedPacks:
    """v3: round up to the next pack only while stock + that ≤ max_pack_woc ×
    rate, else down; an empty store whose rounding gives 0 gets one pack if one
    pack fits the cap, else nothing (PACK_EXCEEDS_COVER)."""

    name = "cover_capped"
    label = "Caja limitada por cobertura"

    def apply(
        self,
        unrounded: np.ndarray,
        pack: np.ndarray,
        stock: np.ndarray,
        rate: np.ndarray,
        max_pack_woc: float | np.ndarray,
    ) -> PackResult:
        u = np.asarray(unrounded, dtype="int64")
        p = np.maximum(np.asarray(pack, dtype="int64"), 1)
        stock = np.asarray(stock, dtype="int64")
        cap = np.round(np.asarray(max_pack_woc, dtype="float64") * np.asarray(rate, dtype="float64"), 6)
        down = p * (u // p)
        up = np.where(u % p == 0, u, down + p)
        qty = np.where(np.maximum(stock, 0) + up <= cap + EPS, up, down)
        lone = (qty == 0) & (stock <= 0) & (u > 0)
        fits = p <= cap + EPS
        qty = np.where(lone & fits, p, qty)
        return PackResult(np.where(u > 0, qty, 0).astype("int64"), lone & ~fits)


PACK_RULE_OBJECTS = {rule.name: rule for rule in (NearestPacks(), CoverCappedPacks())}

# A launch line (cold start, like item) may hold one pack for LAUNCH_PACK_FACTOR ×
# max_pack_woc weeks of its launch rate (26 by default: half a year, the line the
# issue draws for a buried store): a launch has to put the SKU on the shelf, and
# with max_pack_woc alone every store of a SKU in cases of 12 or 24 was left
# empty (PACK_EXCEEDS_COVER). Measured in docs/planning.md.
LAUNCH_PACK_FACTOR = 3.25


# --- §5.4 CD rules -------------------------------------------------------------------


def equal_cover(
    product: np.ndarray,
    priority: np.ndarray,
    suggested: np.ndarray,
    pack: np.ndarray,
    cd_stock: np.ndarray,
    stock: np.ndarray,
    rate: np.ndarray,
) -> np.ndarray:
    """`cd_rule = equal_cover` (§5.4), units allocated per line, vectorised.

    Lines of a SKU whose CD covers Σ suggested get their suggestion. Otherwise,
    in packs: first one pack to every line whose store stock is ≤ 0, in
    priority order while the CD lasts; then one pack at a time to the line of
    lowest projected cover (stock + allocated) / rate below its suggestion
    (ties in priority order; rate 0 = infinite cover).

    The pack-at-a-time loop is one sort: a line's next packs have rising
    covers, so the greedy picks exactly the CD's remaining packs smallest
    (cover, priority, pack number) keys of all lines — the water level.
    """
    product = np.asarray(product, dtype="int64")
    suggested = np.asarray(suggested, dtype="int64")
    p = np.maximum(np.asarray(pack, dtype="int64"), 1)
    cd = np.maximum(np.asarray(cd_stock, dtype="int64"), 0)
    wanted_units = pd.Series(suggested).groupby(product).transform("sum").to_numpy()
    short = cd < wanted_units
    allocated = suggested.copy()
    if not short.any():
        return allocated
    idx = np.flatnonzero(short)
    key, prio = product[idx], np.asarray(priority, dtype="int64")[idx]
    wanted = suggested[idx] // p[idx]
    whole = cd[idx] // p[idx]
    empty = np.asarray(stock, dtype="int64")[idx] <= 0
    # Empty shelves first, in priority order: rank of each empty line among its SKU's empty lines.
    frame = pd.DataFrame({"key": key, "prio": prio, "empty": empty})
    order = np.lexsort((prio, key))
    empty_rank = np.zeros(len(idx), dtype="int64")
    sorted_empty = empty[order]
    ranks = pd.Series(sorted_empty.astype("int64")).groupby(key[order]).cumsum().to_numpy() - 1
    empty_rank[order] = ranks
    first = (empty & (empty_rank < whole) & (wanted > 0)).astype("int64")
    left = whole - frame.assign(first=first).groupby("key")["first"].transform("sum").to_numpy()
    rest = np.maximum(wanted - first, 0)
    extra = _water_fill(key, prio, first, rest, p[idx], np.asarray(stock, dtype="int64")[idx], rate, idx, left)
    allocated[idx] = (first + extra) * p[idx]
    return allocated


def _water_fill(
    key: np.ndarray,
    prio: np.ndarray,
    first: np.ndarray,
    rest: np.ndarray,
    pack: np.ndarray,
    stock: np.ndarray,
    rate_all: np.ndarray,
    idx: np.ndarray,
    left: np.ndarray,
) -> np.ndarray:
    """Packs beyond the first per line: every candidate pack (line, j-th) keyed
    by the cover before it, the `left` smallest per SKU taken."""
    m = len(key)
    total = int(rest.sum())
    if total == 0:
        return np.zeros(m, dtype="int64")
    line = np.repeat(np.arange(m), rest)
    starts = np.cumsum(rest) - rest
    j = first[line] + (np.arange(total) - np.repeat(starts, rest))
    rate = np.asarray(rate_all, dtype="float64")[idx][line]
    held = stock[line] + pack[line] * j
    with np.errstate(divide="ignore", invalid="ignore"):
        cover = np.where(rate > 0, held / np.where(rate > 0, rate, 1.0), np.inf)
    cover = np.round(cover, 9)
    order = np.lexsort((j, prio[line], cover, key[line]))
    sorted_key = key[line][order]
    boundary = np.r_[True, sorted_key[1:] != sorted_key[:-1]]
    group_start = np.maximum.accumulate(np.where(boundary, np.arange(total), 0))
    rank = np.arange(total) - group_start
    take = rank < left[line][order]
    return np.bincount(line[order][take], minlength=m).astype("int64")


# --- §4.6 promotions -------------------------------------------------------------------


def promoted_grid(promotions: pd.DataFrame, weeks: list[dt.date]) -> pd.DataFrame:
    """(product_id, store_id, week_start, name) of the promoted weeks among
    `weeks` (Mondays): a promotion covers a week when it covers any of its
    days. store_id -1 = every store."""
    columns = ["product_id", "store_id", "week_start", "name"]
    if promotions.empty or not weeks:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    rows = promotions.copy()
    rows["store_id"] = pd.to_numeric(rows["store_id"], errors="coerce").fillna(-1).astype("int64")
    week_frame = pd.DataFrame({"week_start": pd.to_datetime(pd.Series(weeks))})
    grid = rows.merge(week_frame, how="cross")
    start = pd.to_datetime(grid["start_date"])
    end = pd.to_datetime(grid["end_date"])
    covered = (start <= grid["week_start"] + pd.Timedelta(days=6)) & (end >= grid["week_start"])
    grid = grid[covered]
    grid = grid.assign(name=grid["name"].fillna("").astype(str))
    return grid[columns].drop_duplicates(["product_id", "store_id", "week_start"]).reset_index(drop=True)


def promoted_pairs(grid: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """The promoted (product, store, week)s of `pairs` (product_id, store_id):
    a promotion for every store (-1) expanded to each pair."""
    if grid.empty or pairs.empty:
        return pd.DataFrame(
            {c: pd.Series(dtype="int64") for c in ("product_id", "store_id")}
            | {"week_start": pd.Series(dtype="datetime64[ns]"), "name": pd.Series(dtype=object)}
        )
    pairs = pairs[["product_id", "store_id"]].drop_duplicates()
    every = grid[grid["store_id"] == -1].drop(columns="store_id").merge(pairs, on="product_id")
    own = grid[grid["store_id"] != -1].merge(pairs, on=["product_id", "store_id"])
    both = pd.concat([own, every], ignore_index=True)
    return both.drop_duplicates(["product_id", "store_id", "week_start"]).reset_index(drop=True)


MIN_LIFT_WEEKS = 20


def category_lift(weekly: pd.DataFrame, promoted: pd.DataFrame, weeks: list[dt.date]) -> dict[str, float]:
    """lift(category) (§4.6) from weekly rows: product_id, store_id, week_start,
    units, category (see `category_lift_from_totals`)."""
    if weekly.empty or promoted.empty:
        return {}
    pair = ["product_id", "store_id"]
    rows = weekly.assign(week_start=pd.to_datetime(weekly["week_start"]))
    totals = rows.groupby(pair, as_index=False).agg(units=("units", "sum"), category=("category", "first"))
    flags = promoted[[*pair, "week_start"]].assign(week_start=lambda f: pd.to_datetime(f["week_start"]))
    units = rows.merge(flags, on=[*pair, "week_start"])[[*pair, "week_start", "units"]]
    return category_lift_from_totals(totals, promoted, units, weeks)


def category_lift_from_totals(
    totals: pd.DataFrame, promoted: pd.DataFrame, promoted_units: pd.DataFrame, weeks: list[dt.date]
) -> dict[str, float]:
    """lift(category) (§4.6): the median over the category's promoted (SKU, store,
    week)s of units ÷ the pair's non-promoted rate ((its units over `weeks` less
    its promoted weeks' units) ÷ its non-promoted weeks), clamped to [1, 5]; 1
    with fewer than 20 such weeks. `totals`: product_id, store_id, units (over
    `weeks`), category; `promoted`: the promoted (product_id, store_id,
    week_start)s; `promoted_units`: their weekly rows (no row = 0 units)."""
    if totals.empty or promoted.empty:
        return {}
    pair = ["product_id", "store_id"]
    flags = promoted[[*pair, "week_start"]].assign(week_start=lambda f: pd.to_datetime(f["week_start"]))
    flags = flags.drop_duplicates()
    sold = promoted_units[[*pair, "week_start", "units"]].assign(week_start=lambda f: pd.to_datetime(f["week_start"]))
    promo = flags.merge(sold, on=[*pair, "week_start"], how="left").fillna({"units": 0})
    per_pair = promo.groupby(pair).agg(promo_units=("units", "sum"), promo_weeks=("units", "size")).reset_index()
    base = totals[[*pair, "units", "category"]].merge(per_pair, on=pair, how="inner")
    base["base_rate"] = (base["units"] - base["promo_units"]) / np.maximum(len(weeks) - base["promo_weeks"], 1)
    promo = promo.merge(base[[*pair, "base_rate", "category"]], on=pair, how="inner")
    promo = promo[(promo["base_rate"] > 0) & promo["category"].notna()]
    out: dict[str, float] = {}
    for category, ratios in (promo["units"] / promo["base_rate"]).groupby(promo["category"]):
        out[str(category)] = float(np.clip(ratios.median(), 1.0, 5.0)) if len(ratios) >= MIN_LIFT_WEEKS else 1.0
    return out


def lift_ahead(target_woc: float, promoted_ahead: np.ndarray, lift: np.ndarray) -> np.ndarray:
    """The weeks of cover a line's target covers with a promotion ahead (§4.6):
    Σ over the next ceil(target_woc) weeks of (lift if promoted else 1), the last
    week pro rata. `promoted_ahead`: (lines × ceil(target_woc)) booleans."""
    weeks = max(math.ceil(round(target_woc, 6)), 1)
    weight = np.ones(weeks)
    weight[-1] = target_woc - (weeks - 1)
    factor = np.where(np.asarray(promoted_ahead, dtype=bool), np.asarray(lift, dtype="float64")[:, None], 1.0)
    return (factor * weight[None, :]).sum(axis=1)


def need_with_lift(rate: np.ndarray, cover_weeks: np.ndarray) -> np.ndarray:
    """ceil(round(rate × the lifted cover, 6))."""
    return _ceil6(np.asarray(rate, dtype="float64") * np.asarray(cover_weeks, dtype="float64"))
