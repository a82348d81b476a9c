"""The Distribution Generator (SPEC §5): pure pandas, no Django.

    result = generate(inputs, DistributionParams(model="SMA2"))

Inputs are DataFrames already limited to the request's SKUs (the scope):

- ``scope``: sku, product_id, category (the product's), optional
  request_category (the request file's, used when the product has none),
  optional pack_size (units per case, default 1, SPEC §5.4a);
- ``sales``: product_id, store_id, week_start, units — weekly macro rows of the
  scope SKUs in the lookback window (a week with no row counts as 0 units) —
  or their per-store summary (see `summarise_weekly`), which the service reads
  already grouped by the database;
- ``category_units``: category, store_id, units, skus — each category's units
  per store over the last ``category_window_weeks``, and how many of its SKUs
  sold (units summed over the window > 0) there (``cold_start_basis=per_sku``);
- ``store_stock``: product_id, store_id, units (absent: 0);
- ``cd_stock``: product_id, units (absent: 0);
- ``stores``: store_id, store_name (tie-breaks in natural name order).

The result has one line per (SKU, store) with ``suggested_qty > 0`` and one
exception row (``store_id`` empty) per scope SKU that got no line, each with
a ``reason`` and the numbers of its explanation (``EXPLAIN_COLUMNS``), which
`distribution.explain` renders when the line is shown, in the viewer's
language: no text is built here.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sales.engine import CATEGORY_WINDOW_WEEKS

MODELS: dict[str, int] = {"SMA1": 1, "SMA2": 2, "SMA3": 3}
COLD_START_MODEL = "COLD_START_CATEGORY"
# Cold-start basis (SPEC §5.3): the rate a new SKU is planned at.
BASIS_PER_SKU = "per_sku"  # the category's weekly units at the store / its SKUs selling there
BASIS_CATEGORY = "category"  # the category's weekly units at the store (the seeds' literal formula)
COLD_START_BASES = (BASIS_PER_SKU, BASIS_CATEGORY)
# CD rule (SPEC §5.4): how a short CD is shared among a SKU's lines.
CD_PRIORITY = "priority"  # greedily in priority order
CD_FAIR_SHARE = "fair_share"  # in proportion to the suggestions, largest remainders
CD_RULES = (CD_PRIORITY, CD_FAIR_SHARE)

# Line reasons.
SALES_RATE = "SALES_RATE"
CATEGORY_PREFIX = "CATEGORY:"  # cold start: "CATEGORY:Consolas" names the category
CD_LIMITED = "CD_LIMITED"  # the CD had less than suggested left: part allocated
CD_EXHAUSTED = "CD_EXHAUSTED"  # the CD was used up by stores with more priority
NO_CD_STOCK = "NO_CD_STOCK"  # the SKU has no CD stock: nothing allocated

# Exception reasons (a SKU with no line).
NO_CATEGORY = "NO_CATEGORY"
NO_CATEGORY_SALES = "NO_CATEGORY_SALES"
SALES_BELOW_MIN_WEEKS = "SALES_BELOW_MIN_WEEKS"
NO_RECENT_SALES = "NO_RECENT_SALES"
STOCK_COVERS_NEED = "STOCK_COVERS_NEED"
UNKNOWN = "UNKNOWN"
EXCEPTION_REASONS = (
    NO_CATEGORY,
    NO_CATEGORY_SALES,
    SALES_BELOW_MIN_WEEKS,
    NO_RECENT_SALES,
    STOCK_COVERS_NEED,
    UNKNOWN,
)

SUMMARY_BASE = ["product_id", "store_id", "selling_weeks", "units"]
LINE_COLUMNS = [
    "sku",
    "product_id",
    "store_id",
    "store_name",
    "category",
    "rate",
    "category_rate",
    "store_stock",
    "cd_stock",
    "suggested_qty",
    "allocated_qty",
    "priority",
    "model_name",
    "reason",
]
# The numbers a line's explanation is rendered from (distribution/explain.py),
# stored with the line beside the ones above (rate, stock, quantities, priority).
EXPLAIN_COLUMNS = [
    "weeks_with_sales",  # weeks with units > 0 at the store (an exception row: at its best store)
    "recent_1",  # units of the as-of week (sales lines)
    "recent_2",  # … of the week before (SMA2, SMA3)
    "recent_3",  # … of two weeks before (SMA3)
    "pack_size",
    "cd_available",  # CD units left when the line's turn came (priority); the CD stock (fair share)
    "cd_wanted",  # Σ suggested of the SKU's lines (fair share: the CD is short when above the stock)
    "category_units",  # cold start: the category's units at the store over the window
    "category_skus",  # … its SKUs selling there
    "category_rank",  # … the store's rank in the category's top
    "category_stores",  # … stores in that top
    "candidate_stores",  # an exception row: stores that qualified (their need was 0)
]
LINE_COLUMNS += EXPLAIN_COLUMNS


class ParamsError(ValueError):
    """Parameters that cannot produce a meaningful run (message in Spanish)."""


# The largest value each number may take, wherever it is given (form, command,
# API, replay policy; issue 33 §6): the form's limits. A lookback of 1e9 weeks
# overflows a date; a cover of 1e308 weeks runs to nonsense.
PARAM_MAXIMA: dict[str, float] = {
    "lookback_weeks": 104,
    "min_weeks": 104,
    "target_woc": 52,
    "cold_start_min_fill": 1000,
    "cold_start_target_woc": 52,
    "cold_start_top_n": 1000,
    "category_window_weeks": 104,
}


def params_out_of_range(params: object) -> list[str]:
    """The numbers of `params` above their maximum or not finite, each naming its key."""
    problems = []
    for key, maximum in PARAM_MAXIMA.items():
        value = getattr(params, key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(f"{key}: «{str(value)[:40]}» no es un número")
        elif not math.isfinite(value) or value > maximum:
            problems.append(f"{key}: «{value:g}» fuera de rango (máximo {maximum:g})")
    return problems


@dataclass(frozen=True)
class DistributionParams:
    """SPEC §5.1 parameters with their defaults."""

    model: str = "SMA2"
    lookback_weeks: int = 12
    min_weeks: int = 1
    target_woc: float = 2.0
    cold_start_min_fill: int = 2
    cold_start_target_woc: float = 1.0
    cold_start_top_n: int = 10
    category_window_weeks: int = CATEGORY_WINDOW_WEEKS
    cold_start_basis: str = BASIS_PER_SKU
    limit_by_cd: bool = True
    cd_rule: str = CD_PRIORITY
    round_to_pack: bool = True

    def __post_init__(self) -> None:
        problems = []
        if self.model not in MODELS:
            problems.append(f"modelo «{self.model}» desconocido (use SMA1, SMA2 o SMA3)")
        if self.lookback_weeks < 1:
            problems.append("las semanas de historia deben ser al menos 1")
        elif self.model in MODELS and self.lookback_weeks < MODELS[self.model]:
            problems.append(
                f"{self.model} promedia {MODELS[self.model]} semanas: la historia debe tener al menos esas semanas"
            )
        if self.min_weeks < 1:
            problems.append("las semanas mínimas con venta deben ser al menos 1")
        elif self.min_weeks > self.lookback_weeks >= 1:
            problems.append("las semanas mínimas con venta no pueden superar las semanas de historia")
        if not self.target_woc > 0:
            problems.append("la cobertura objetivo debe ser mayor que 0")
        if self.cold_start_min_fill < 0:
            problems.append("el mínimo de arranque en frío no puede ser negativo")
        if self.cold_start_target_woc < 0:
            problems.append("la cobertura de arranque en frío no puede ser negativa")
        if self.cold_start_top_n < 1:
            problems.append("el top de tiendas debe ser al menos 1")
        if self.category_window_weeks < 1:
            problems.append("la ventana de categoría debe ser al menos 1 semana")
        if self.cold_start_basis not in COLD_START_BASES:
            problems.append(f"base de arranque en frío «{self.cold_start_basis}» desconocida (use per_sku o category)")
        if self.cd_rule not in CD_RULES:
            problems.append(f"regla de CD «{self.cd_rule}» desconocida (use priority o fair_share)")
        problems += params_out_of_range(self)
        if problems:
            raise ParamsError("Parámetros inválidos: " + "; ".join(problems) + ".")

    @property
    def window(self) -> int:
        """k: the weeks the moving average covers."""
        return MODELS[self.model]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DistributionParams:
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class EngineInputs:
    scope: pd.DataFrame
    sales: pd.DataFrame
    category_units: pd.DataFrame
    store_stock: pd.DataFrame
    cd_stock: pd.DataFrame
    stores: pd.DataFrame
    as_of_week: dt.date | None


@dataclass
class EngineResult:
    lines: pd.DataFrame  # LINE_COLUMNS; exception rows have store_id <NA>
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def store_lines(self) -> pd.DataFrame:
        return self.lines[self.lines["store_id"].notna()]

    @property
    def exceptions(self) -> pd.DataFrame:
        return self.lines[self.lines["store_id"].isna()]


def ceil6(values: pd.Series | np.ndarray) -> np.ndarray:
    """ceil(round(x, 6)): 2.0 × 1.5 = 3 exactly, not 4 after float noise."""
    return np.ceil(np.round(np.asarray(values, dtype="float64"), 6)).astype("int64")


def _ceil6(values: pd.Series) -> pd.Series:
    return pd.Series(ceil6(values), index=values.index)


def sales_rate(units_sum: pd.Series | np.ndarray, k: int) -> np.ndarray:
    """SPEC §5.2: the SMA rate, (units of the last k weeks) / k, negatives clamped to 0."""
    return np.maximum(np.asarray(units_sum, dtype="float64") / k, 0.0)


def cold_rate(
    category_units: pd.Series | np.ndarray, skus: pd.Series | np.ndarray, params: DistributionParams
) -> tuple[np.ndarray, np.ndarray]:
    """SPEC §5.3: (cat_weekly, cat_rate) of a category at a store from its units
    over the window and its SKUs selling there (per_sku basis)."""
    weekly = np.asarray(category_units, dtype="float64") / params.category_window_weeks
    if params.cold_start_basis == BASIS_PER_SKU:
        return weekly, weekly / np.maximum(np.asarray(skus, dtype="int64"), 1)
    return weekly, weekly


# ---------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------


def _prepare_scope(scope: pd.DataFrame) -> pd.DataFrame:
    frame = scope[["sku", "product_id"]].copy()
    frame["sku"] = frame["sku"].astype(str)
    frame["product_id"] = frame["product_id"].astype("int64")
    category = scope["category"] if "category" in scope else pd.Series(pd.NA, index=scope.index)
    category = category.astype(object).where(category.notna(), "").astype(str).str.strip()
    if "request_category" in scope:
        requested = scope["request_category"].astype(object).where(scope["request_category"].notna(), "")
        category = category.where(category != "", requested.astype(str).str.strip())
    frame["category"] = category.replace("", pd.NA)
    pack = scope["pack_size"] if "pack_size" in scope else pd.Series(1, index=scope.index)
    frame["pack_size"] = pd.to_numeric(pack, errors="coerce").fillna(1).astype("int64").clip(lower=1)
    return frame.drop_duplicates("product_id").reset_index(drop=True)


def cold_start_categories(scope: pd.DataFrame, sales: pd.DataFrame) -> list[str]:
    """The categories the cold start will need: those of scope SKUs without
    sales (no week with units > 0). Lets the caller read category rates for
    those categories only, in one query. `sales`: weekly rows or their summary."""
    frame = _prepare_scope(scope)
    positive = sales["selling_weeks"] > 0 if "selling_weeks" in sales.columns else sales["units"] > 0
    selling = set(sales.loc[positive, "product_id"].astype("int64"))
    cold = frame[~frame["product_id"].isin(selling)]
    return sorted(cold["category"].dropna().unique().tolist())


_DIGITS = re.compile(r"(\d+)")


def natural_key(name: str) -> tuple[Any, ...]:
    """ "Tienda 9" before "Tienda 10": digit runs compare as numbers, the rest
    case-insensitively (SPEC §5.4). Text and number parts alternate, text first."""
    parts = _DIGITS.split(str(name).casefold())
    return tuple(int(part) if i % 2 else part for i, part in enumerate(parts))


def _store_key(stores: pd.DataFrame) -> pd.DataFrame:
    """store_id, store_name and store_key: the store's rank in natural name order
    (one Python step per store, never per line)."""
    frame = stores[["store_id", "store_name"]].copy()
    frame["store_id"] = frame["store_id"].astype("int64")
    frame["store_name"] = frame["store_name"].astype(str)
    frame = frame.drop_duplicates("store_id")
    order = sorted(zip(frame["store_name"], frame["store_id"], strict=True), key=lambda p: (natural_key(p[0]), p[1]))
    rank = {store_id: i for i, (_name, store_id) in enumerate(order)}
    frame["store_key"] = frame["store_id"].map(rank).astype("int64")
    return frame


def _with_stock(pairs: pd.DataFrame, store_stock: pd.DataFrame) -> pd.DataFrame:
    stock = store_stock[["product_id", "store_id", "units"]].astype("int64")
    stock = stock.groupby(["product_id", "store_id"], as_index=False)["units"].sum()
    out = pairs.merge(stock.rename(columns={"units": "store_stock"}), on=["product_id", "store_id"], how="left")
    out["store_stock"] = out["store_stock"].fillna(0).astype("int64")
    return out


def summarise_weekly(sales: pd.DataFrame, as_of_week: dt.date, lookback_weeks: int, recent: int) -> pd.DataFrame:
    """Weekly rows → one row per (product, store) with selling_weeks (weeks with
    units > 0), units, and recent_1..recent_N (units of the as-of week, the week
    before, …; no row = 0) over the lookback window. The same frame as
    `sales.queries.weekly_sales_summary` returns from the database."""
    recent_columns = [f"recent_{i}" for i in range(1, recent + 1)]
    if sales.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64") for c in SUMMARY_BASE + recent_columns})
    rows = sales[["product_id", "store_id", "week_start", "units"]].astype(
        {"product_id": "int64", "store_id": "int64", "units": "int64"}
    )
    # Weeks as datetime64 (not date objects): comparing and grouping them is
    # vectorised, which the replay (§13) needs for its many weekly calls.
    rows = rows.assign(week_start=pd.to_datetime(pd.Series(rows["week_start"])))
    start = pd.Timestamp(as_of_week - dt.timedelta(weeks=lookback_weeks - 1))
    rows = rows[(rows["week_start"] >= start) & (rows["week_start"] <= pd.Timestamp(as_of_week))]
    rows = rows.groupby(["product_id", "store_id", "week_start"], as_index=False)["units"].sum()
    rows["selling_weeks"] = (rows["units"] > 0).astype("int64")
    for i, column in enumerate(recent_columns):
        week = as_of_week - dt.timedelta(weeks=i)
        rows[column] = rows["units"].where(rows["week_start"] == pd.Timestamp(week), 0)
    summary = rows.groupby(["product_id", "store_id"], as_index=False)[
        ["selling_weeks", "units", *recent_columns]
    ].sum()
    return summary.astype("int64")


def _sales_candidates(
    scope: pd.DataFrame, summary: pd.DataFrame, params: DistributionParams
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sales-based candidates (every store with ≥ min_weeks selling weeks) and
    per-SKU facts for exceptions (best store's selling weeks)."""
    k = params.window
    rows = summary[summary["product_id"].isin(scope["product_id"]) & (summary["selling_weeks"] > 0)]
    rows = rows.rename(columns={"selling_weeks": "weeks_with_sales"})
    facts = rows.groupby("product_id", as_index=False)["weeks_with_sales"].max()
    facts = facts.rename(columns={"weeks_with_sales": "best_weeks"})

    candidates = rows[rows["weeks_with_sales"] >= params.min_weeks].copy()
    # The last k weeks: recent_1 is the as-of week, recent_2 the week before…
    recent = [f"recent_{i}" for i in range(1, k + 1)]
    candidates = candidates[["product_id", "store_id", "weeks_with_sales", *recent]]
    candidates = candidates.astype({c: "int64" for c in recent})
    candidates["rate"] = sales_rate(candidates[recent].sum(axis=1), k)
    candidates["need"] = _ceil6(params.target_woc * candidates["rate"])
    candidates["kind"] = "sales"
    return candidates, facts


def _cold_candidates(
    cold: pd.DataFrame, category_units: pd.DataFrame, stores: pd.DataFrame, params: DistributionParams
) -> pd.DataFrame:
    """Cold-start candidates (SPEC §5.3): each cold SKU × the top-N stores of its
    category by cat_weekly, planned at cat_rate (per selling SKU, or the whole
    category's weekly units with basis `category`)."""
    cats = category_units.copy()
    if "skus" not in cats.columns:
        if params.cold_start_basis == BASIS_PER_SKU and len(cats):
            raise ValueError("category_units lacks `skus`, which cold_start_basis=per_sku needs")
        cats["skus"] = 1
    cats = cats[["category", "store_id", "units", "skus"]].astype({"store_id": "int64", "units": "int64"})
    cats["skus"] = cats["skus"].fillna(0).astype("int64")
    cats = cats.groupby(["category", "store_id"], as_index=False)[["units", "skus"]].sum()
    cats["category_rate"] = cats["units"] / params.category_window_weeks
    cats = cats[cats["category_rate"] > 0].merge(stores, on="store_id", how="left")
    cats["store_key"] = cats["store_key"].fillna(np.iinfo("int64").max).astype("int64")
    cats = cats.sort_values(["category", "category_rate", "store_key", "store_id"], ascending=[True, False, True, True])
    cats["category_rank"] = cats.groupby("category").cumcount() + 1
    top = cats[cats["category_rank"] <= params.cold_start_top_n].copy()
    top["top_count"] = top.groupby("category")["store_id"].transform("size")
    # A store where the category sold has at least one SKU with units > 0.
    top["skus"] = top["skus"].clip(lower=1)
    top["category_rate"], top["rate"] = cold_rate(top["units"], top["skus"], params)
    pairs = cold.dropna(subset=["category"]).merge(
        top[["category", "store_id", "units", "skus", "category_rate", "rate", "category_rank", "top_count"]],
        on="category",
        how="inner",
    )
    pairs = pairs.rename(columns={"units": "category_units", "skus": "category_skus", "top_count": "category_stores"})
    pairs["need"] = _ceil6(params.cold_start_target_woc * pairs["rate"])
    pairs["base"] = np.maximum(pairs["need"], params.cold_start_min_fill)
    pairs["kind"] = "cold"
    columns = ["product_id", "store_id", "category_units", "category_skus", "category_rate", "rate"]
    return pairs[[*columns, "category_rank", "category_stores", "need", "base", "kind"]]


def round_to_packs(suggested: pd.Series, pack: pd.Series) -> pd.Series:
    """SPEC §5.4a: pack × max(1, floor(suggested / pack + 0.5)) for suggested > 0,
    in integers (half a pack rounds up): 1 → 1 pack, 0.4 pack → 1, 2.5 packs → 3."""
    suggested = suggested.astype("int64")
    pack = pack.astype("int64")
    packs = np.maximum((2 * suggested + pack) // (2 * pack), 1)
    return (pack * packs).where(suggested > 0, 0).astype("int64")


def _allocate(lines: pd.DataFrame, cd: pd.DataFrame, params: DistributionParams) -> pd.DataFrame:
    """CD limiting (SPEC §5.4), per SKU, vectorised (no Python step per line).

    Lines are ranked by priority (rate descending, then store name in natural
    order). `priority`: allocated = min(suggested, whole packs of what the
    stores before it left). `fair_share`: shares of the CD in proportion to
    the suggestions, leftovers by largest remainder — all counted in packs.
    """
    cd = cd[["product_id", "units"]].astype("int64").groupby("product_id", as_index=False)["units"].sum()
    lines = lines.merge(cd.rename(columns={"units": "cd_stock"}), on="product_id", how="left")
    lines["cd_stock"] = lines["cd_stock"].fillna(0).astype("int64").clip(lower=0)
    lines = lines.sort_values(
        ["product_id", "priority_rate", "store_key", "store_id"], ascending=[True, False, True, True]
    ).reset_index(drop=True)
    grouped = lines.groupby("product_id", sort=False)
    lines["priority"] = grouped.cumcount() + 1
    lines["cd_wanted"] = grouped["suggested_qty"].transform("sum")
    pack = lines["cd_pack"]
    if params.cd_rule == CD_FAIR_SHARE:
        lines["cd_available"] = lines["cd_stock"]
        allocated = _fair_share(lines)
    else:
        before = grouped["suggested_qty"].cumsum() - lines["suggested_qty"]
        lines["cd_available"] = (lines["cd_stock"] - before).clip(lower=0)
        allocated = np.minimum(pack * (lines["cd_available"] // pack), lines["suggested_qty"])
    if params.limit_by_cd:
        lines["allocated_qty"] = allocated.astype("int64")
    else:
        lines["allocated_qty"] = lines["suggested_qty"]
    return lines


def _fair_share(lines: pd.DataFrame) -> pd.Series:
    """Largest remainders in packs: each line gets floor(A × s / Σs) packs (A:
    whole packs in the CD, s: the line's suggestion in packs), and the packs
    left over go one each to the largest remainders, ties in priority order.
    A < Σs, so no line ends above its suggestion. Lines are in priority order.
    `distribution.explain` says the same from the line's stock, suggestion and Σs."""
    pack = lines["cd_pack"]
    wanted = lines["suggested_qty"] // pack
    key = lines["product_id"]
    total = wanted.groupby(key).transform("sum")
    whole = lines["cd_stock"] // pack
    short = lines["cd_stock"] < lines["suggested_qty"].groupby(key).transform("sum")
    product = whole * wanted
    share = product // total.clip(lower=1)
    remainder = product - share * total
    left = whole - share.groupby(key).transform("sum")
    order = pd.DataFrame({"key": key, "remainder": remainder, "priority": lines["priority"]})
    order = order.sort_values(["key", "remainder", "priority"], ascending=[True, False, True], kind="stable")
    rank = order.groupby("key", sort=False).cumcount().reindex(lines.index)
    extra = ((rank < left) & (remainder > 0) & short).astype("int64")
    packs = (share + extra).where(short, wanted)
    return (packs * pack).astype("int64")


def _line_reasons(lines: pd.DataFrame, params: DistributionParams) -> pd.Series:
    base = pd.Series(SALES_RATE, index=lines.index, dtype=object)
    cold = lines["kind"] == "cold"
    base = base.where(~cold, CATEGORY_PREFIX + lines["category"].astype(str))
    if not params.limit_by_cd:
        return base
    reason = base.where(lines["allocated_qty"] >= lines["suggested_qty"], CD_LIMITED)
    reason = reason.where(~((lines["allocated_qty"] == 0) & (lines["cd_stock"] > 0)), CD_EXHAUSTED)
    return reason.where(lines["cd_stock"] > 0, NO_CD_STOCK)


def _exceptions(
    scope: pd.DataFrame,
    candidates: pd.DataFrame,
    facts: pd.DataFrame,
    selling_ids: set[int],
    with_line: set[int],
) -> pd.DataFrame:
    """A row per scope SKU without a line: its reason, and the numbers its
    explanation needs (the best store's selling weeks, the candidate stores)."""
    missing = scope[~scope["product_id"].isin(with_line)].copy()
    if missing.empty:
        return missing.assign(reason=pd.Series(dtype=object))
    per_sku = candidates.groupby("product_id").agg(stores=("store_id", "size"), max_need=("need_for_reason", "max"))
    missing = missing.merge(per_sku.reset_index(), on="product_id", how="left")
    missing = missing.merge(facts, on="product_id", how="left")
    has_sales = missing["product_id"].isin(selling_ids)
    no_candidates = missing["stores"].isna()
    conditions = [
        ~has_sales & missing["category"].isna(),
        ~has_sales & no_candidates,
        has_sales & no_candidates,
        has_sales & (missing["max_need"].fillna(0) <= 0),
        ~no_candidates,
    ]
    reasons = [NO_CATEGORY, NO_CATEGORY_SALES, SALES_BELOW_MIN_WEEKS, NO_RECENT_SALES, STOCK_COVERS_NEED]
    missing["reason"] = np.select(conditions, reasons, default=UNKNOWN)
    # A SKU without sales has 0 selling weeks: its explanation speaks of cold start.
    missing["weeks_with_sales"] = missing["best_weeks"].fillna(0).astype("int64")
    missing["candidate_stores"] = missing["stores"].fillna(0).astype("int64")
    return missing


def generate(inputs: EngineInputs, params: DistributionParams) -> EngineResult:
    """One vectorised pass: candidates → stock → CD limiting → lines + exceptions."""
    scope = _prepare_scope(inputs.scope)
    stores = _store_key(inputs.stores)
    k = params.window
    sales = inputs.sales
    if inputs.as_of_week is None:
        summary = summarise_weekly(sales.iloc[0:0], dt.date(1970, 1, 5), params.lookback_weeks, k)
    elif "selling_weeks" in sales.columns:
        summary = sales.astype({c: "int64" for c in sales.columns if c != "sku"})
    else:
        summary = summarise_weekly(sales, inputs.as_of_week, params.lookback_weeks, k)
    missing = [f"recent_{i}" for i in range(1, k + 1) if f"recent_{i}" not in summary.columns]
    if missing:
        raise ValueError(f"the sales summary lacks {missing} for {params.model}")

    sales_pairs, facts = _sales_candidates(scope, summary, params)
    selling_ids = set(facts["product_id"].astype("int64"))
    cold_scope = scope[~scope["product_id"].isin(selling_ids)]
    cold_pairs = _cold_candidates(cold_scope, inputs.category_units, stores, params)

    sales_pairs = sales_pairs.assign(model_name=params.model)
    sales_pairs["base"] = sales_pairs["need"]
    # A cold-start line's rate is the cat_rate it is planned at (SPEC §5.3).
    cold_pairs = cold_pairs.assign(model_name=COLD_START_MODEL)
    candidates = pd.concat([sales_pairs, cold_pairs], ignore_index=True)
    candidates["priority_rate"] = candidates["rate"]
    candidates = candidates.merge(scope, on="product_id", how="left")
    candidates = candidates.merge(stores, on="store_id", how="left")
    candidates["store_name"] = candidates["store_name"].fillna(candidates["store_id"].astype(str))
    candidates["store_key"] = candidates["store_key"].fillna(np.iinfo("int64").max).astype("int64")
    candidates = _with_stock(candidates, inputs.store_stock)
    candidates["base"] = candidates["base"].astype("int64")
    candidates["need_for_reason"] = candidates["base"]
    unrounded = (candidates["base"] - candidates["store_stock"].clip(lower=0)).clip(lower=0)
    candidates["unrounded_qty"] = unrounded
    candidates["pack_size"] = candidates["pack_size"].fillna(1).astype("int64")
    if params.round_to_pack:
        candidates["cd_pack"] = candidates["pack_size"]
        candidates["suggested_qty"] = round_to_packs(unrounded, candidates["pack_size"])
    else:
        candidates["cd_pack"] = 1
        candidates["suggested_qty"] = unrounded

    lines = candidates[candidates["suggested_qty"] > 0].copy()
    lines = _allocate(lines, inputs.cd_stock, params)
    lines["reason"] = _line_reasons(lines, params)
    lines["store_id"] = lines["store_id"].astype("Int64")

    exceptions = _exceptions(scope, candidates, facts, selling_ids, set(lines["product_id"].astype("int64")))
    if not exceptions.empty:
        exceptions = exceptions.assign(
            store_id=pd.array([pd.NA] * len(exceptions), dtype="Int64"),
            store_name="",
            rate=0.0,
            category_rate=np.nan,
            store_stock=0,
            cd_stock=0,
            suggested_qty=0,
            allocated_qty=0,
            priority=0,
            model_name="",
            pack_size=exceptions["pack_size"],
        )
    frames = [f.reindex(columns=LINE_COLUMNS) for f in (lines, exceptions) if not f.empty]
    if frames:
        result = pd.concat(frames, ignore_index=True)
    else:
        result = pd.DataFrame({c: pd.Series(dtype=object) for c in LINE_COLUMNS})
    result = _finish_types(result)
    return EngineResult(lines=result, summary=summarise(result, scope_count=len(scope), limit_by_cd=params.limit_by_cd))


def _finish_types(frame: pd.DataFrame) -> pd.DataFrame:
    """Column types of the result, in place (`frame` is generate's own, fresh from
    concat: a defensive copy of 300,000 lines cost 1.5 s in the wide run's profile)."""
    frame["store_id"] = frame["store_id"].astype("Int64")
    integers = ("product_id", "store_stock", "cd_stock", "suggested_qty", "allocated_qty", "priority")
    for column in (*integers, *EXPLAIN_COLUMNS):
        frame[column] = frame[column].fillna(0).astype("int64")
    frame["pack_size"] = frame["pack_size"].clip(lower=1)
    frame["rate"] = frame["rate"].fillna(0.0).astype("float64")
    frame["category_rate"] = frame["category_rate"].astype("float64")
    for column in ("sku", "store_name", "model_name", "reason"):
        frame[column] = frame[column].fillna("").astype(str)
    frame["category"] = frame["category"].astype(object).where(frame["category"].notna(), None)
    return frame.sort_values(["sku", "priority"], kind="stable").reset_index(drop=True)


def summarise(lines: pd.DataFrame, *, scope_count: int, limit_by_cd: bool = True) -> dict[str, Any]:
    """The run summary (SPEC §5.5), computed from the lines alone, so that a
    run's summary always equals its lines."""
    store_lines = lines[lines["store_id"].notna()]
    exceptions = lines[lines["store_id"].isna()]
    sales = store_lines[store_lines["model_name"] != COLD_START_MODEL]
    cold = store_lines[store_lines["model_name"] == COLD_START_MODEL]
    allocated_by_sku = store_lines.groupby("sku")["allocated_qty"].sum()
    no_cd = store_lines[store_lines["reason"] == NO_CD_STOCK]["sku"].nunique() if limit_by_cd else 0
    by_reason = exceptions["reason"].value_counts().sort_index()
    return {
        "scope_skus": int(scope_count),
        "sales_based_skus": int(sales["sku"].nunique()),
        "cold_start_skus": int(cold["sku"].nunique()),
        "skipped_skus": int(exceptions["sku"].nunique()),
        "skipped_by_reason": {str(k): int(v) for k, v in by_reason.items()},
        "no_cd_stock_skus": int(no_cd),
        "skus_without_allocation": int((allocated_by_sku == 0).sum() + exceptions["sku"].nunique()),
        "line_count": int(len(store_lines)),
        "store_count": int(store_lines["store_id"].nunique()),
        "total_suggested": int(store_lines["suggested_qty"].sum()),
        "total_allocated": int(store_lines["allocated_qty"].sum()),
        "sales_based_allocated": int(sales["allocated_qty"].sum()),
        "cold_start_allocated": int(cold["allocated_qty"].sum()),
    }
