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
- ``stores``: store_id, store_name (tie-breaks and explanations).

The result has one line per (SKU, store) with ``suggested_qty > 0`` and one
exception row (``store_id`` empty) per scope SKU that got no line, each with
a ``reason`` and a Spanish ``explanation`` a planner can recompute by hand.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

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
    "explanation",
]


class ParamsError(ValueError):
    """Parameters that cannot produce a meaningful run (message in Spanish)."""


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
    category_window_weeks: int = 12
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


# ---------------------------------------------------------------------------
# Number formatting for explanations (vectorised over a Series)
# ---------------------------------------------------------------------------


def _num(values: pd.Series | np.ndarray, decimals: int = 3) -> pd.Series:
    """12.0 → "12", 5.5 → "5.5", 1.333333 → "1.333" (at most `decimals`)."""
    series = pd.Series(np.asarray(values, dtype="float64")).round(decimals) + 0.0  # -0.0 → 0.0
    codes, uniques = pd.factorize(series)
    texts = np.array([np.format_float_positional(u, precision=decimals, trim="-") for u in uniques], dtype=object)
    return pd.Series(texts[codes] if len(codes) else np.array([], dtype=object), dtype=object)


def _fmt_scalar(value: float) -> str:
    text = np.format_float_positional(round(float(value), 3), precision=3, trim="-")
    return text + ".0" if "." not in text else text


def _ceil6(values: pd.Series) -> pd.Series:
    """ceil(round(x, 6)): 2.0 × 1.5 = 3 exactly, not 4 after float noise."""
    return np.ceil(values.astype("float64").round(6)).astype("int64")


def _cat(*parts: pd.Series | str) -> pd.Series:
    """Concatenate Series of text (and constants) element-wise."""
    index = next(p.index for p in parts if isinstance(p, pd.Series))
    out = pd.Series("", index=index, dtype=object)
    for part in parts:
        out = out + (part.astype(str).to_numpy() if isinstance(part, pd.Series) else part)
    return out


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
    # The last k weeks, oldest first, as columns w0..w{k-1}.
    week_cols = [f"w{i}" for i in range(k)]
    for i, column in enumerate(week_cols):
        candidates[column] = candidates[f"recent_{k - i}"].astype("int64")
    candidates = candidates[["product_id", "store_id", "weeks_with_sales", *week_cols]]
    candidates["rate_raw"] = candidates[week_cols].sum(axis=1) / k
    candidates["rate"] = candidates["rate_raw"].clip(lower=0.0)
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
    if params.cold_start_basis == BASIS_PER_SKU:
        top["rate"] = top["category_rate"] / top["skus"]
    else:
        top["rate"] = top["category_rate"]
    pairs = cold.dropna(subset=["category"]).merge(
        top[["category", "store_id", "units", "skus", "category_rate", "rate", "category_rank", "top_count"]],
        on="category",
        how="inner",
    )
    pairs = pairs.rename(columns={"units": "category_units", "skus": "category_skus"})
    pairs["need"] = _ceil6(params.cold_start_target_woc * pairs["rate"])
    pairs["base"] = np.maximum(pairs["need"], params.cold_start_min_fill)
    pairs["kind"] = "cold"
    columns = ["product_id", "store_id", "category_units", "category_skus", "category_rate", "rate"]
    return pairs[[*columns, "category_rank", "top_count", "need", "base", "kind"]]


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
    Sets `fair_share_exact` (A × s / Σs) and `fair_share_extra` (1 if a leftover
    pack went to the line) for the explanations."""
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
    lines["fair_share_exact"] = (product / total.clip(lower=1)).where(short, wanted.astype("float64"))
    lines["fair_share_extra"] = extra
    lines["fair_share_short"] = short
    lines["fair_share_base"] = share.where(short, wanted)
    lines["fair_share_whole"] = whole
    lines["fair_share_wanted"] = wanted
    lines["fair_share_total"] = total
    packs = (share + extra).where(short, wanted)
    return (packs * pack).astype("int64")


def _line_explanations(lines: pd.DataFrame, params: DistributionParams) -> pd.Series:
    """The line's arithmetic in Spanish: rate, need, stock, packs, CD rule."""
    if lines.empty:
        return pd.Series([], dtype=object, index=lines.index)
    k = params.window
    out = pd.Series("", index=lines.index, dtype=object)
    stock = lines["store_stock"].astype("int64")
    stock_shown = stock.clip(lower=0).astype(str).where(stock >= 0, "0 (stock " + stock.astype(str) + " se toma 0)")
    stock_text = _cat(" − stock ", stock_shown, " = ", lines["unrounded_qty"].astype("int64"))

    sales = lines["kind"] == "sales"
    if sales.any():
        s = lines[sales]
        idx = s.index
        weeks = [s[f"w{i}"].astype("int64") for i in range(k)]
        terms = [w.astype(str).where(w >= 0, "(" + w.astype(str) + ")") for w in weeks]
        joined = terms[0]
        for term in terms[1:]:
            joined = joined + "+" + term
        if k > 1:
            joined = "(" + joined + ")"
        rate_raw = _num(s["rate_raw"]).set_axis(idx)
        product = (params.target_woc * s["rate"]).round(6)
        ceil_note = pd.Series("", index=idx, dtype=object).where(product == s["need"], " → " + s["need"].astype(str))
        out.loc[idx] = _cat(
            s["model_name"],
            " (venta en ",
            s["weeks_with_sales"].astype("int64"),
            f" de {params.lookback_weeks} sem, mín {params.min_weeks}): ",
            joined,
            f"/{k} = ",
            rate_raw,
            "/sem",
            f" × {_fmt_scalar(params.target_woc)} sem = ",
            _num(product).set_axis(idx),
            ceil_note,
            stock_text[idx],
        )

    cold = ~sales
    if cold.any():
        out.loc[lines.index[cold]] = _cold_explanations(lines[cold], stock_text, params)
    return out + _pack_explanations(lines, params) + _cd_explanations(lines, params)


def _cold_explanations(c: pd.DataFrame, stock_text: pd.Series, params: DistributionParams) -> pd.Series:
    idx = c.index
    product = (params.cold_start_target_woc * c["rate"]).round(6)
    ceil_note = pd.Series("", index=idx, dtype=object).where(product == c["need"], " → " + c["need"].astype(str))
    weekly = _num(c["category_rate"]).set_axis(idx)
    if params.cold_start_basis == BASIS_PER_SKU:
        basis = _cat(
            weekly,
            "/sem ÷ ",
            c["category_skus"].astype("int64"),
            " SKU(s) con venta = ",
            _num(c["rate"]).set_axis(idx),
            "/sem por SKU (base por SKU)",
        )
    else:
        basis = _cat(weekly, "/sem (base categoría: la categoría entera)")
    return _cat(
        "Arranque en frío, categoría «",
        c["category"],
        "» (tienda ",
        c["category_rank"].astype("int64"),
        " de ",
        c["top_count"].astype("int64"),
        f" del top {params.cold_start_top_n}): ",
        c["category_units"].astype("int64"),
        f" u / {params.category_window_weeks} sem = ",
        basis,
        f" × {_fmt_scalar(params.cold_start_target_woc)} sem = ",
        _num(product).set_axis(idx),
        ceil_note,
        f"; máx(mín {params.cold_start_min_fill}, ",
        c["need"].astype("int64"),
        ") = ",
        c["base"].astype("int64"),
        stock_text[idx],
    )


def _pack_explanations(lines: pd.DataFrame, params: DistributionParams) -> pd.Series:
    """Packs (SPEC §5.4a), said only where a pack has more than one unit."""
    out = pd.Series("", index=lines.index, dtype=object)
    boxed = lines[lines["pack_size"] > 1]
    if boxed.empty:
        return out
    pack = boxed["pack_size"].astype("int64")
    if params.round_to_pack:
        out.loc[boxed.index] = _cat(
            "; caja de ",
            pack,
            " u: ",
            boxed["unrounded_qty"].astype("int64"),
            " → ",
            boxed["suggested_qty"] // pack,
            " caja(s) = ",
            boxed["suggested_qty"].astype("int64"),
        )
    else:
        out.loc[boxed.index] = _cat("; caja de ", pack, " u, sin redondeo a cajas")
    return out


def _in_packs(frame: pd.DataFrame) -> pd.Series:
    pack = frame["cd_pack"].astype("int64")
    return pd.Series("", index=frame.index, dtype=object).where(pack <= 1, " en cajas de " + pack.astype(str))


def _cd_explanations(lines: pd.DataFrame, params: DistributionParams) -> pd.Series:
    """CD limiting (SPEC §5.4): which rule applied and with what numbers (each
    text built only for the lines it describes)."""
    if not params.limit_by_cd:
        return _cat("; CD: sin límite → ", lines["allocated_qty"])
    out = pd.Series("; CD: sin stock → 0", index=lines.index, dtype=object)
    stocked = lines[lines["cd_stock"] > 0]
    if stocked.empty:
        return out
    if params.cd_rule == CD_FAIR_SHARE:
        enough = stocked[~stocked["fair_share_short"].astype(bool)]
        if not enough.empty:
            out.loc[enough.index] = _cat(
                "; CD reparto proporcional: alcanza para todas (", enough["cd_stock"], " u) → ", enough["allocated_qty"]
            )
        short = stocked[stocked["fair_share_short"].astype(bool)]
        if not short.empty:
            boxed = short["cd_pack"] > 1
            extra = pd.Series("", index=short.index, dtype=object).where(
                short["fair_share_extra"] == 0, " +1 por mayor resto"
            )
            out.loc[short.index] = _cat(
                "; CD reparto proporcional",
                _in_packs(short),
                ": ",
                short["fair_share_whole"],
                pd.Series("", index=short.index, dtype=object).where(~boxed, " cajas"),
                " × ",
                short["fair_share_wanted"],
                " / ",
                short["fair_share_total"],
                " = ",
                _num(short["fair_share_exact"]).set_axis(short.index),
                " → ",
                short["fair_share_base"],
                extra,
                " = ",
                short["allocated_qty"],
                " u",
            )
        return out
    text = _cat(
        "; CD por prioridad",
        _in_packs(stocked),
        ": ",
        stocked["allocated_qty"],
        " de ",
        stocked["cd_available"],
        " disponibles",
    )
    later = stocked["cd_available"] != stocked["cd_stock"]
    if later.any():
        rest = stocked[later]
        text.loc[rest.index] = _cat(
            text[rest.index], " (stock CD ", rest["cd_stock"], ", prioridad ", rest["priority"], ")"
        )
    out.loc[stocked.index] = text
    return out


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
    params: DistributionParams,
) -> pd.DataFrame:
    missing = scope[~scope["product_id"].isin(with_line)].copy()
    if missing.empty:
        return missing.assign(reason=pd.Series(dtype=object), explanation=pd.Series(dtype=object))
    per_sku = candidates.groupby("product_id").agg(
        stores=("store_id", "size"), max_need=("need_for_reason", "max"), kind=("kind", "first")
    )
    missing = missing.merge(per_sku.reset_index(), on="product_id", how="left")
    missing = missing.merge(facts, on="product_id", how="left")
    has_sales = missing["product_id"].isin(selling_ids)
    no_category = missing["category"].isna()
    no_candidates = missing["stores"].isna()
    lookback = params.lookback_weeks
    category = missing["category"].astype(object).where(missing["category"].notna(), "").astype(str)
    stores = missing["stores"].fillna(0).astype("int64").astype(str)
    best = missing["best_weeks"].fillna(0).astype("int64").astype(str)
    woc = _fmt_scalar(params.target_woc)

    conditions = [
        ~has_sales & no_category,
        ~has_sales & no_candidates,
        has_sales & no_candidates,
        has_sales & (missing["max_need"].fillna(0) <= 0),
        ~no_candidates,
    ]
    reasons = [NO_CATEGORY, NO_CATEGORY_SALES, SALES_BELOW_MIN_WEEKS, NO_RECENT_SALES, STOCK_COVERS_NEED]
    texts = [
        pd.Series(
            f"Sin ventas en las últimas {lookback} semanas y sin categoría (ni en el producto ni en la solicitud): "
            "no se puede hacer arranque en frío. Asigne una categoría y vuelva a generar.",
            index=missing.index,
        ),
        _cat(
            f"Sin ventas en las últimas {lookback} semanas; la categoría «",
            category,
            f"» no tiene ventas en ninguna tienda en las últimas {params.category_window_weeks} semanas.",
        ),
        _cat(
            "Tiene ventas, pero ninguna tienda llega a ",
            str(params.min_weeks),
            f" semanas con venta en {lookback} (la mejor tiene ",
            best,
            ").",
        ),
        _cat(
            f"{params.model}: las últimas {params.window} semana(s) suman 0 unidades o menos (devoluciones) "
            "en las tiendas que califican (",
            stores,
            "): tasa 0, no hay necesidad.",
        ),
        _cat(
            "El stock de las ",
            stores,
            " tiendas candidatas cubre su necesidad (",
            pd.Series(
                np.where(missing["kind"] == "cold", "arranque en frío", f"{woc} sem de cobertura"), index=missing.index
            ),
            "): sugerido 0.",
        ),
    ]
    missing["reason"] = np.select(conditions, reasons, default=UNKNOWN)
    explanation = pd.Series("Sin línea: causa no identificada.", index=missing.index, dtype=object)
    for condition, text in reversed(list(zip(conditions, texts, strict=True))):
        explanation = explanation.where(~condition, text)
    missing["explanation"] = explanation
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
    lines["explanation"] = _line_explanations(lines, params)
    lines["store_id"] = lines["store_id"].astype("Int64")

    exceptions = _exceptions(scope, candidates, facts, selling_ids, set(lines["product_id"].astype("int64")), params)
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
        )
    frames = [f.reindex(columns=LINE_COLUMNS) for f in (lines, exceptions) if not f.empty]
    if frames:
        result = pd.concat(frames, ignore_index=True)
    else:
        result = pd.DataFrame({c: pd.Series(dtype=object) for c in LINE_COLUMNS})
    result = _finish_types(result)
    return EngineResult(lines=result, summary=summarise(result, scope_count=len(scope), limit_by_cd=params.limit_by_cd))


def _finish_types(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["store_id"] = frame["store_id"].astype("Int64")
    for column in ("product_id", "store_stock", "cd_stock", "suggested_qty", "allocated_qty", "priority"):
        frame[column] = frame[column].fillna(0).astype("int64")
    frame["rate"] = frame["rate"].fillna(0.0).astype("float64")
    frame["category_rate"] = frame["category_rate"].astype("float64")
    for column in ("sku", "store_name", "model_name", "reason", "explanation"):
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
