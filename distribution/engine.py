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

from distribution import rules
from sales.engine import CATEGORY_WINDOW_WEEKS

MODELS: dict[str, int] = {"SMA1": 1, "SMA2": 2, "SMA3": 3}
COLD_START_MODEL = "COLD_START_CATEGORY"
COLD_START_LIKE_MODEL = "COLD_START_LIKE"  # v3: a new SKU planned from its like SKU (§5.3)
NEW_STORE_MODEL = "NEW_STORE_LIKE"  # v3: an opening store planned from its like store (§5.3)
COLD_MODELS = (COLD_START_MODEL, COLD_START_LIKE_MODEL)
# Cold-start basis (SPEC §5.3): the rate a new SKU is planned at.
BASIS_PER_SKU = "per_sku"  # the category's weekly units at the store / its SKUs selling there
BASIS_CATEGORY = "category"  # the category's weekly units at the store (the seeds' literal formula)
COLD_START_BASES = (BASIS_PER_SKU, BASIS_CATEGORY)
# CD rule (SPEC §5.4): how a short CD is shared among a SKU's lines.
CD_PRIORITY = "priority"  # greedily in priority order
CD_FAIR_SHARE = "fair_share"  # in proportion to the suggestions, largest remainders
CD_EQUAL_COVER = "equal_cover"  # v3: empty shelves first, then equal weeks of cover (SPEC §5.4)
CD_RULES = (CD_PRIORITY, CD_FAIR_SHARE, CD_EQUAL_COVER)
# v3 rules (SPEC §5.1): `rules = v2` puts every default below back to v2 at once.
RULES_V3 = "v3"
RULES_V2 = "v2"
RULES = (RULES_V3, RULES_V2)
RATE_IN_STOCK = "in_stock"  # a ranged pair out of stock: rate over its in-stock weeks (§5.2)
RATE_SMA = "sma"  # v2: the plain moving average
RATE_RULES = (RATE_IN_STOCK, RATE_SMA)
PACK_COVER_CAPPED = "cover_capped"  # round up only while the cover stays ≤ max_pack_woc (§5.4a)
PACK_NEAREST = "nearest"  # v2: the nearest pack, at least one
PACK_RULES = (PACK_COVER_CAPPED, PACK_NEAREST)
PROMO_LIFT = "lift"  # promoted weeks skipped in rate windows, lift ahead (§4.6)
PROMO_IGNORE = "ignore"  # v2: promotions not read
PROMO_RULES = (PROMO_LIFT, PROMO_IGNORE)
LAUNCH_LIKE = "like"  # a request row's like_sku plans a new SKU from the like SKU's rates (§5.3)
LAUNCH_CATEGORY = "category"  # v2: the category rule only
LAUNCH_RULES = (LAUNCH_LIKE, LAUNCH_CATEGORY)
# The parameters whose default depends on `rules`; None in the constructor = that default.
RULE_DEFAULTS: dict[str, dict[str, Any]] = {
    RULES_V3: {
        "rate_rule": RATE_IN_STOCK,
        "cd_rule": CD_EQUAL_COVER,
        "pack_rule": PACK_COVER_CAPPED,
        "promo_rule": PROMO_LIFT,
        "launch_rule": LAUNCH_LIKE,
        "launch_weeks": 4,
        "new_store_weeks": 8,
    },
    RULES_V2: {
        "rate_rule": RATE_SMA,
        "cd_rule": CD_PRIORITY,
        "pack_rule": PACK_NEAREST,
        "promo_rule": PROMO_IGNORE,
        "launch_rule": LAUNCH_CATEGORY,
        "launch_weeks": 0,  # no SKU is launching
        "new_store_weeks": 0,  # no store is opening
    },
}

# Line reasons.
SALES_RATE = "SALES_RATE"
CATEGORY_PREFIX = "CATEGORY:"  # cold start: "CATEGORY:Consolas" names the category
OUT_OF_STOCK_RATE = "OUT_OF_STOCK_RATE"  # v3: the in-stock rate raised the SMA of a store that ran out
DISPLAY_MIN = "DISPLAY_MIN"  # v3: the product's display minimum raised the target
LIKE_PREFIX = "LIKE:"  # v3 like item: "LIKE:A-100" names the like SKU
LIKE_STORE_PREFIX = "LIKE_STORE:"  # v3 opening store: "LIKE_STORE:Tienda 3" names the like store
PROMO_PREFIX = "PROMO:"  # v3: a promotion ahead raised the target: "PROMO:Navidad" names it
PACK_EXCEEDS_COVER = "PACK_EXCEEDS_COVER"  # v3: an empty store left out: one pack > max_pack_woc of cover
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
    PACK_EXCEEDS_COVER,
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
    # v3 (SPEC §5.2–§5.4a, §4.6)
    "window_weeks",  # weeks the SMA averaged (fewer than k when promoted weeks were skipped; 0 = k)
    "in_stock_units",  # out of stock: units of the window up to its last week with a sale
    "in_stock_weeks",  # … and the (non-promoted) weeks counted up to it
    "display_min",  # the product's display minimum
    "promo_weeks",  # promoted weeks among the weeks of cover ahead
]
# Numbers stored as floats (v3): the promotion lift, the launch or size factor.
EXPLAIN_FLOATS = ["promo_lift", "factor"]
# Text (v3): the like SKU of a launch line, the like store of an opening store's line.
EXPLAIN_TEXTS = ["like_name"]
LINE_COLUMNS += EXPLAIN_COLUMNS + EXPLAIN_FLOATS + EXPLAIN_TEXTS


class ParamsError(ValueError):
    """Parameters that cannot produce a meaningful run. `message` (a code and
    its parameters; distribution/messages.py words it) lists the problems,
    each a message of its own."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        self.problems = problems
        self.message = msg("distribution.params_invalid", problems=problems)
        super().__init__("distribution.params_invalid " + "; ".join(f"{p['code']} {p['params']}" for p in problems))


def msg(code: str, **params: Any) -> dict[str, Any]:
    """A message in its stored form (fastdso.messages renders it; an engine imports no Django)."""
    return {"code": code, "params": params}


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


def params_out_of_range(params: object) -> list[dict[str, Any]]:
    """The numbers of `params` above their maximum or not finite, each naming its key (messages)."""
    problems = []
    for key, maximum in PARAM_MAXIMA.items():
        value = getattr(params, key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(msg("distribution.param_not_a_number", key=key, value=str(value)[:40]))
        elif not math.isfinite(value) or value > maximum:
            problems.append(msg("distribution.param_above_max", key=key, value=f"{value:g}", max=f"{maximum:g}"))
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
    cd_rule: str = None  # type: ignore[assignment]  # None: the default of `rules`
    round_to_pack: bool = True
    # v3 (SPEC §5.1); a None takes the default of `rules` (RULE_DEFAULTS).
    rules: str = RULES_V3
    rate_rule: str = None  # type: ignore[assignment]
    launch_weeks: int = None  # type: ignore[assignment]
    launch_min_rate: float = 0.1
    new_store_weeks: int = None  # type: ignore[assignment]
    pack_rule: str = None  # type: ignore[assignment]
    max_pack_woc: float = 8.0
    promo_rule: str = None  # type: ignore[assignment]
    launch_rule: str = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        defaults = RULE_DEFAULTS.get(self.rules, RULE_DEFAULTS[RULES_V3])
        for name, value in defaults.items():
            if getattr(self, name) is None:
                object.__setattr__(self, name, value)
        problems = self._v3_problems() + self._v2_problems() + params_out_of_range(self)
        if problems:
            raise ParamsError(problems)

    def _v2_problems(self) -> list[dict[str, Any]]:
        problems = []
        if self.model not in MODELS:
            problems.append(msg("distribution.param_unknown_model", value=self.model))
        if self.lookback_weeks < 1:
            problems.append(msg("distribution.param_history_min"))
        elif self.model in MODELS and self.lookback_weeks < MODELS[self.model]:
            problems.append(msg("distribution.param_history_model", model=self.model, k=MODELS[self.model]))
        if self.min_weeks < 1:
            problems.append(msg("distribution.param_min_weeks_min"))
        elif self.min_weeks > self.lookback_weeks >= 1:
            problems.append(msg("distribution.param_min_weeks_history"))
        if not self.target_woc > 0:
            problems.append(msg("distribution.param_target_woc_positive"))
        if self.cold_start_min_fill < 0:
            problems.append(msg("distribution.param_cold_start_min_fill_negative"))
        if self.cold_start_target_woc < 0:
            problems.append(msg("distribution.param_cold_start_woc_negative"))
        if self.cold_start_top_n < 1:
            problems.append(msg("distribution.param_top_n_min"))
        if self.category_window_weeks < 1:
            problems.append(msg("distribution.param_category_window_min"))
        if self.cold_start_basis not in COLD_START_BASES:
            problems.append(msg("distribution.param_unknown_basis", value=self.cold_start_basis))
        if self.cd_rule not in CD_RULES:
            problems.append(msg("distribution.param_unknown_cd_rule", value=self.cd_rule))
        return problems

    def _v3_problems(self) -> list[dict[str, Any]]:
        problems = []
        choices = {
            "rules": (self.rules, RULES),
            "rate_rule": (self.rate_rule, RATE_RULES),
            "pack_rule": (self.pack_rule, PACK_RULES),
            "promo_rule": (self.promo_rule, PROMO_RULES),
            "launch_rule": (self.launch_rule, LAUNCH_RULES),
        }
        for name, (value, allowed) in choices.items():
            if value not in allowed:
                problems.append(msg("distribution.param_unknown_choice", name=name, value=value, allowed=list(allowed)))
        if not 0 <= self.launch_weeks <= 104:
            problems.append(msg("distribution.param_launch_weeks_range"))
        if not 0 <= self.new_store_weeks <= 104:
            problems.append(msg("distribution.param_new_store_weeks_range"))
        if not 0 <= self.launch_min_rate <= 1_000_000:
            problems.append(msg("distribution.param_launch_min_rate_negative"))
        if not 0 < self.max_pack_woc <= 520:
            problems.append(msg("distribution.param_max_pack_woc_positive"))
        return problems

    @property
    def window(self) -> int:
        """k: the weeks the moving average covers."""
        return MODELS[self.model]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DistributionParams:
        """The parameters of a stored run or job. A run stored before v3 has no
        `rules`: it was made with the v2 rules, so its missing keys are v2's."""
        names = cls.__dataclass_fields__
        values = {k: v for k, v in data.items() if k in names}
        values.setdefault("rules", RULES_V2)
        return cls(**values)


@dataclass
class EngineInputs:
    scope: pd.DataFrame
    sales: pd.DataFrame
    category_units: pd.DataFrame
    store_stock: pd.DataFrame
    cd_stock: pd.DataFrame
    stores: pd.DataFrame
    as_of_week: dt.date | None
    # v3 (optional): promotions (product_id, store_id (NaN: every store),
    # start_date, end_date, name) and the lift of each category (SPEC §4.6).
    promotions: pd.DataFrame | None = None
    category_lift: dict[str, float] = field(default_factory=dict)


@dataclass
class EngineResult:
    lines: pd.DataFrame  # LINE_COLUMNS; exception rows have store_id <NA>
    summary: dict[str, Any] = field(default_factory=dict)
    # Request rows whose like_sku could not be used: (sku, like_sku) — the run warns.
    like_fallbacks: list[tuple[str, str]] = field(default_factory=list)

    @property
    def store_lines(self) -> pd.DataFrame:
        """Lines with a store and a suggestion (not a PACK_EXCEEDS_COVER pair)."""
        return self.lines[self.lines["store_id"].notna() & (self.lines["reason"] != PACK_EXCEEDS_COVER)]

    @property
    def exceptions(self) -> pd.DataFrame:
        """SKUs without a line (no store) and pairs left empty by a pack (with store)."""
        return self.lines[self.lines["store_id"].isna() | (self.lines["reason"] == PACK_EXCEEDS_COVER)]


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
    # v3: display minimum (§5.2) and the like item of a launch (§5.3).
    display = scope["display_min"] if "display_min" in scope else pd.Series(0, index=scope.index)
    frame["display_min"] = pd.to_numeric(display, errors="coerce").fillna(0).astype("int64").clip(lower=0)
    like = scope["like_product_id"] if "like_product_id" in scope else pd.Series(pd.NA, index=scope.index)
    frame["like_product_id"] = pd.to_numeric(like, errors="coerce").astype("Int64")
    like_sku = scope["like_sku"] if "like_sku" in scope else pd.Series("", index=scope.index)
    frame["like_sku"] = like_sku.astype(object).where(like_sku.notna(), "").astype(str).str.strip()
    factor = scope["launch_factor"] if "launch_factor" in scope else pd.Series(1.0, index=scope.index)
    frame["launch_factor"] = pd.to_numeric(factor, errors="coerce").fillna(1.0).astype("float64")
    return frame.drop_duplicates("product_id").reset_index(drop=True)


def cold_start_categories(
    scope: pd.DataFrame, sales: pd.DataFrame, params: DistributionParams | None = None
) -> list[str]:
    """The categories the cold start will need: those of scope SKUs without
    sales (no week with units > 0), and with `params` of the launching SKUs
    (§5.3, they keep their cold-start stores). Lets the caller read category
    rates for those categories only, in one query. `sales`: weekly rows or their summary."""
    frame = _prepare_scope(scope)
    positive = sales["selling_weeks"] > 0 if "selling_weeks" in sales.columns else sales["units"] > 0
    selling = set(sales.loc[positive, "product_id"].astype("int64"))
    cold = ~frame["product_id"].isin(selling)
    if params is not None and "first_week" in sales.columns:
        cold |= frame["product_id"].isin(launching_ids(frame, sales, params))
    return sorted(frame.loc[cold, "category"].dropna().unique().tolist())


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


def store_facts(stores: pd.DataFrame) -> pd.DataFrame:
    """v3 facts of the stores (§4.7), defaults where the frame lacks them:
    store_id, active, like_store_id, size_factor, sales_weeks (weeks with any sale)."""
    frame = pd.DataFrame({"store_id": stores["store_id"].astype("int64")})
    active = stores["active"] if "active" in stores else pd.Series(True, index=stores.index)
    frame["active"] = active.fillna(True).astype(bool).to_numpy()
    like = stores["like_store_id"] if "like_store_id" in stores else pd.Series(pd.NA, index=stores.index)
    frame["like_store_id"] = pd.to_numeric(like, errors="coerce").astype("Int64").to_numpy()
    size = stores["size_factor"] if "size_factor" in stores else pd.Series(1.0, index=stores.index)
    frame["size_factor"] = pd.to_numeric(size, errors="coerce").fillna(1.0).astype("float64").to_numpy()
    weeks = stores["sales_weeks"] if "sales_weeks" in stores else pd.Series(np.iinfo("int32").max, index=stores.index)
    frame["sales_weeks"] = pd.to_numeric(weeks, errors="coerce").fillna(0).astype("int64").to_numpy()
    return frame.drop_duplicates("store_id").reset_index(drop=True)


def opening_stores(stores: pd.DataFrame, new_store_weeks: int) -> pd.DataFrame:
    """SPEC §4.7: (store_id, like_store_id, size_factor) of the stores with fewer
    than `new_store_weeks` weeks with any sale that name an active like store
    with sales."""
    facts = store_facts(stores)
    weeks = facts.set_index("store_id")["sales_weeks"]
    like = facts["like_store_id"]
    opening = (
        (facts["sales_weeks"] < new_store_weeks)
        & like.notna()
        & (like.fillna(-1).astype("int64") != facts["store_id"])
        & (like.map(weeks).fillna(0) > 0)
    )
    out = facts.loc[opening, ["store_id", "like_store_id", "size_factor"]].copy()
    out["like_store_id"] = out["like_store_id"].astype("int64")
    return out.reset_index(drop=True)


def _with_stock(pairs: pd.DataFrame, store_stock: pd.DataFrame) -> pd.DataFrame:
    stock = store_stock[["product_id", "store_id", "units"]].astype("int64")
    stock = stock.groupby(["product_id", "store_id"], as_index=False)["units"].sum()
    out = pairs.merge(stock.rename(columns={"units": "store_stock"}), on=["product_id", "store_id"], how="left")
    out["store_stock"] = out["store_stock"].fillna(0).astype("int64")
    return out


SUMMARY_V3 = ["first_week", "last_week", "units_to_last", "weeks_to_last"]


def summarise_weekly(
    sales: pd.DataFrame,
    as_of_week: dt.date,
    lookback_weeks: int,
    recent: int,
    promoted: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Weekly rows → one row per (product, store) with selling_weeks (weeks with
    units > 0), units, and recent_1..recent_N (units of the as-of week, the week
    before, …; no row = 0) over the lookback window. The same frame as
    `sales.queries.weekly_sales_summary` returns from the database.

    v3 columns: first_week / last_week, the window's first and last weeks with
    units > 0 (0 = the window's first week; -1: none), units_to_last (units up
    to and including last_week) and weeks_to_last (weeks counted up to it).
    With `promoted` (product_id, store_id, week_start: SPEC §4.6) promoted weeks
    are skipped: recent_i are the last non-promoted weeks (window_weeks of
    them), and the in-stock sums count non-promoted weeks only."""
    recent_columns = [f"recent_{i}" for i in range(1, recent + 1)]
    if sales.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64") for c in SUMMARY_BASE + recent_columns + SUMMARY_V3})
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
    week_index = ((rows["week_start"] - start).dt.days // 7).astype("int64")
    rows["first_week"] = week_index.where(rows["units"] > 0, np.iinfo("int64").max)
    rows["last_week"] = week_index.where(rows["units"] > 0, -1)
    keys = ["product_id", "store_id"]
    summary = rows.groupby(keys, as_index=False).agg(
        {
            "selling_weeks": "sum",
            "units": "sum",
            **dict.fromkeys(recent_columns, "sum"),
            "first_week": "min",
            "last_week": "max",
        }
    )
    summary.loc[summary["first_week"] == np.iinfo("int64").max, "first_week"] = -1
    last = rows[keys].merge(summary[[*keys, "last_week"]], on=keys, how="left")["last_week"].to_numpy()
    rows["to_last"] = rows["units"].where(week_index.to_numpy() <= last, 0)
    summary["units_to_last"] = rows.groupby(keys)["to_last"].sum().to_numpy()
    summary["weeks_to_last"] = summary["last_week"] + 1
    summary = summary.astype("int64")
    if promoted is not None and not promoted.empty:
        summary = _skip_promoted(summary, rows, promoted, start, lookback_weeks, recent)
    return summary


def _skip_promoted(
    summary: pd.DataFrame,
    rows: pd.DataFrame,
    promoted: pd.DataFrame,
    start: pd.Timestamp,
    lookback_weeks: int,
    recent: int,
) -> pd.DataFrame:
    """SPEC §4.6 for the pairs with a promoted week in the window: a k-week
    window takes the last k non-promoted weeks (fewer if fewer exist; all
    promoted: the plain window); the in-stock sums skip promoted weeks."""
    keys = ["product_id", "store_id"]
    flags = promoted[[*keys, "week_start"]].astype({"product_id": "int64", "store_id": "int64"})
    flags = flags.assign(week=((pd.to_datetime(flags["week_start"]) - start).dt.days // 7).astype("int64"))
    flags = flags[(flags["week"] >= 0) & (flags["week"] < lookback_weeks)].drop_duplicates([*keys, "week"])
    pairs = summary[keys].merge(flags[keys].drop_duplicates(), on=keys)
    if pairs.empty:
        return summary
    # A dense (pair × week) grid of the promoted pairs only.
    pairs = pairs.reset_index(drop=True)
    grid_pair = np.repeat(np.arange(len(pairs)), lookback_weeks)
    grid = pd.DataFrame(
        {
            "product_id": pairs["product_id"].to_numpy()[grid_pair],
            "store_id": pairs["store_id"].to_numpy()[grid_pair],
            "week": np.tile(np.arange(lookback_weeks), len(pairs)),
        }
    )
    weekly = rows.assign(week=((rows["week_start"] - start).dt.days // 7).astype("int64"))[[*keys, "week", "units"]]
    grid = grid.merge(weekly, on=[*keys, "week"], how="left").fillna({"units": 0})
    grid = grid.merge(flags[[*keys, "week"]].assign(promo=True), on=[*keys, "week"], how="left")
    grid["promo"] = grid["promo"].fillna(False).astype(bool)
    grid = grid.sort_values([*keys, "week"], ascending=[True, True, False]).reset_index(drop=True)
    base = grid[~grid["promo"]].copy()
    base["nth"] = base.groupby(keys).cumcount()
    out = pairs.copy()
    for i in range(recent):
        units = base[base["nth"] == i].set_index(keys)["units"]
        out[f"recent_{i + 1}"] = out.set_index(keys).index.map(units).fillna(0).astype("int64")
    counts = base.groupby(keys).size()
    out["window_weeks"] = np.minimum(out.set_index(keys).index.map(counts).fillna(0).astype("int64"), recent)
    merged = summary.merge(out, on=keys, how="left", suffixes=("", "_promo"))
    usable = merged["window_weeks"].fillna(0) > 0
    for i in range(recent):
        column = f"recent_{i + 1}"
        merged[column] = merged[f"{column}_promo"].where(usable, merged[column])
    merged["window_weeks"] = merged["window_weeks"].where(usable, 0)
    # In-stock sums over non-promoted weeks up to the last sale (none left: plain).
    base = base.merge(summary[[*keys, "last_week"]], on=keys)
    upto = base[base["week"] <= base["last_week"]]
    sums = upto.groupby(keys).agg(u=("units", "sum"), w=("week", "size")).reset_index()
    merged = merged.merge(sums, on=keys, how="left")
    keep = merged["w"].fillna(0) > 0
    merged["units_to_last"] = merged["u"].where(keep, merged["units_to_last"])
    merged["weeks_to_last"] = merged["w"].where(keep, merged["weeks_to_last"])
    drop = [c for c in merged.columns if c.endswith("_promo") or c in ("u", "w")]
    merged = merged.drop(columns=drop)
    # Ranging and the lookback rate (the like SKU's, §5.3) over the non-promoted weeks too.
    plain = grid[~grid["promo"]].assign(sold=lambda g: (g["units"] > 0).astype("int64"))
    rest = plain.groupby(keys).agg(base_units=("units", "sum"), base_weeks=("week", "size"), ranged=("sold", "sum"))
    merged = merged.merge(rest.reset_index(), on=keys, how="left").fillna({"window_weeks": 0, "base_weeks": 0})
    some = merged["base_weeks"] > 0
    merged["ranged_weeks"] = merged["ranged"].where(some, merged["selling_weeks"])
    merged["base_units"] = merged["base_units"].where(some, merged["units"])
    return merged.drop(columns="ranged").fillna(0).astype("int64")


def ranged_weeks(summary: pd.DataFrame) -> pd.Series:
    """The weeks that range a pair (§5.2: selling weeks, promoted weeks skipped when
    the summary skipped them), beside the plain selling weeks."""
    if "ranged_weeks" not in summary.columns:
        return summary["selling_weeks"]
    return summary["ranged_weeks"].where(summary["ranged_weeks"].notna(), summary["selling_weeks"]).astype("int64")


def lookback_rate(summary: pd.DataFrame, lookback_weeks: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(units, weeks, rate): a pair's units over its non-promoted lookback weeks and
    their number (§4.6; every week when none was skipped), and units ÷ weeks ≥ 0."""
    units = summary["units"].to_numpy("int64")
    weeks = np.full(len(summary), lookback_weeks, dtype="int64")
    if "base_weeks" in summary.columns:
        skipped = summary["base_weeks"].fillna(0).to_numpy("int64")
        some = skipped > 0
        units = np.where(some, summary["base_units"].fillna(0).to_numpy("int64"), units)
        weeks = np.where(some, skipped, weeks)
    return units, weeks, np.maximum(units, 0) / np.maximum(weeks, 1)


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

    # Ranged (§5.2): min_weeks selling weeks, promoted weeks skipped (§4.6).
    candidates = rows[ranged_weeks(rows.rename(columns={"weeks_with_sales": "selling_weeks"})) >= params.min_weeks]
    candidates = candidates.copy()
    # The last k weeks: recent_1 is the as-of week, recent_2 the week before…
    recent = [f"recent_{i}" for i in range(1, k + 1)]
    extra = [c for c in (*SUMMARY_V3, "window_weeks") if c in candidates.columns]
    candidates = candidates[["product_id", "store_id", "weeks_with_sales", *recent, *extra]]
    candidates = candidates.astype({c: "int64" for c in recent})
    if "window_weeks" not in candidates:
        candidates["window_weeks"] = 0
    # Promoted weeks skipped (§4.6): the SMA of the last window_weeks non-promoted weeks.
    weeks = candidates["window_weeks"].where(candidates["window_weeks"] > 0, k).astype("int64")
    candidates["rate"] = np.maximum(candidates[recent].sum(axis=1).to_numpy() / weeks.to_numpy(), 0.0)
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
    elif params.cd_rule == CD_EQUAL_COVER:
        lines["cd_available"] = lines["cd_stock"]
        allocated = pd.Series(
            rules.equal_cover(
                lines["product_id"].to_numpy(),
                lines["priority"].to_numpy(),
                lines["suggested_qty"].to_numpy(),
                pack.to_numpy(),
                lines["cd_stock"].to_numpy(),
                lines["store_stock"].to_numpy(),
                lines["rate"].to_numpy(),
            ),
            index=lines.index,
        )
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
    base = lines["base_reason"].astype(object)
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
    pack_exceeds: set[int] | None = None,
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
        ~has_sales & missing["category"].isna() & no_candidates,
        ~has_sales & no_candidates,
        has_sales & no_candidates,
        missing["product_id"].isin(pack_exceeds or set()),
        has_sales & (missing["max_need"].fillna(0) <= 0),
        ~no_candidates,
    ]
    reasons = [
        NO_CATEGORY,
        NO_CATEGORY_SALES,
        SALES_BELOW_MIN_WEEKS,
        PACK_EXCEEDS_COVER,
        NO_RECENT_SALES,
        STOCK_COVERS_NEED,
    ]
    missing["reason"] = np.select(conditions, reasons, default=UNKNOWN)
    # A SKU without sales has 0 selling weeks: its explanation speaks of cold start.
    missing["weeks_with_sales"] = missing["best_weeks"].fillna(0).astype("int64")
    missing["candidate_stores"] = missing["stores"].fillna(0).astype("int64")
    return missing


def _summary(inputs: EngineInputs, params: DistributionParams) -> pd.DataFrame:
    """The per-(product, store) sales summary, from the inputs' summary or weekly rows."""
    k = params.window
    sales = inputs.sales
    if inputs.as_of_week is None:
        summary = summarise_weekly(sales.iloc[0:0], dt.date(1970, 1, 5), params.lookback_weeks, k)
    elif "selling_weeks" in sales.columns:
        summary = sales.astype({c: "int64" for c in sales.columns if c != "sku"})
    else:
        promoted = None
        if params.promo_rule == PROMO_LIFT and inputs.promotions is not None and not inputs.promotions.empty:
            weeks = [inputs.as_of_week - dt.timedelta(weeks=i) for i in range(params.lookback_weeks)]
            grid = rules.promoted_grid(inputs.promotions, weeks)
            promoted = rules.promoted_pairs(grid, sales[["product_id", "store_id"]].drop_duplicates())
        summary = summarise_weekly(sales, inputs.as_of_week, params.lookback_weeks, k, promoted)
    missing = [f"recent_{i}" for i in range(1, k + 1) if f"recent_{i}" not in summary.columns]
    if missing:
        raise ValueError(f"the sales summary lacks {missing} for {params.model}")
    return summary


def launching_ids(scope: pd.DataFrame, summary: pd.DataFrame, params: DistributionParams) -> set[int]:
    """SPEC §5.3: scope SKUs whose first week with units > 0 (at any store, in the
    lookback window) is within the last `launch_weeks` weeks. A SKU that sold in
    the window's first week may have sold before it: never launching (with a
    lookback no longer than `launch_weeks`, every selling SKU was otherwise)."""
    if params.launch_weeks <= 0 or "first_week" not in summary.columns:
        return set()
    rows = summary[summary["product_id"].isin(scope["product_id"]) & (summary["first_week"] >= 0)]
    first = rows.groupby("product_id")["first_week"].min()
    return set(first[first >= max(1, params.lookback_weeks - params.launch_weeks)].index.astype("int64"))


def _like_candidates(
    cold: pd.DataFrame, summary: pd.DataFrame, stores: pd.DataFrame, params: DistributionParams
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """SPEC §5.3 like item: (pairs of the SKUs planned from their like SKU, the
    cold SKUs left to the category rule). rate = launch_factor × like_rate at
    every store where it reaches launch_min_rate; the top N by rate get the
    minimum fill."""
    empty = pd.DataFrame(columns=["product_id", "store_id"])
    if params.launch_rule != LAUNCH_LIKE or cold.empty or not cold["like_product_id"].notna().any():
        return empty, cold
    ranged = summary[ranged_weeks(summary) >= params.min_weeks]["product_id"].unique()
    usable = cold["like_product_id"].notna() & cold["like_product_id"].isin(ranged)
    like = cold[usable]
    if like.empty:
        return empty, cold
    like_sales = summary[summary["product_id"].isin(like["like_product_id"].astype("int64"))]
    # like_rate: the like SKU's units over its non-promoted lookback weeks ÷ their number (§5.3).
    units, weeks, like_rate = lookback_rate(like_sales, params.lookback_weeks)
    like_sales = pd.DataFrame(
        {
            "like_product_id": like_sales["product_id"].to_numpy("int64"),
            "store_id": like_sales["store_id"].to_numpy("int64"),
            "category_units": units,
            "window_weeks": np.where(weeks == params.lookback_weeks, 0, weeks),
            "category_rate": like_rate,
        }
    )
    pairs = like[["product_id", "like_product_id", "launch_factor", "like_sku"]].astype({"like_product_id": "int64"})
    pairs = pairs.merge(like_sales, on="like_product_id")
    pairs["rate"] = pairs["launch_factor"] * pairs["category_rate"]
    pairs = pairs[(pairs["rate"] >= params.launch_min_rate) & (pairs["rate"] > 0)]
    pairs = pairs.merge(stores[["store_id", "store_key"]], on="store_id", how="left")
    pairs["store_key"] = pairs["store_key"].fillna(np.iinfo("int64").max).astype("int64")
    pairs = pairs.sort_values(["product_id", "rate", "store_key"], ascending=[True, False, True])
    pairs["category_rank"] = pairs.groupby("product_id").cumcount() + 1
    pairs["category_stores"] = pairs.groupby("product_id")["store_id"].transform("size")
    pairs["category_skus"] = 0
    pairs["need"] = _ceil6(params.cold_start_target_woc * pairs["rate"])
    top = pairs["category_rank"] <= params.cold_start_top_n
    pairs["base"] = np.where(top, np.maximum(pairs["need"], params.cold_start_min_fill), pairs["need"])
    pairs["kind"] = "like"
    pairs["factor"] = pairs["launch_factor"]
    pairs["like_name"] = pairs["like_sku"]
    columns = ["product_id", "store_id", "category_units", "category_skus", "category_rate", "rate"]
    pairs = pairs[
        [*columns, "category_rank", "category_stores", "need", "base", "kind", "factor", "like_name", "window_weeks"]
    ]
    return pairs, cold[~usable]


def _cold_start(
    cold: pd.DataFrame,
    summary: pd.DataFrame,
    category_units: pd.DataFrame,
    stores: pd.DataFrame,
    params: DistributionParams,
) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """Cold-start candidates: the like item where it can plan (v3), the category
    rule for the others; and the request rows whose like_sku fell back."""
    like_pairs, rest = _like_candidates(cold, summary, stores, params)
    fallbacks: list[tuple[str, str]] = []
    if params.launch_rule == LAUNCH_LIKE:
        asked = rest[rest["like_sku"] != ""]
        fallbacks = list(zip(asked["sku"].astype(str), asked["like_sku"].astype(str), strict=True))
    category_pairs = _cold_candidates(rest, category_units, stores, params)
    frames = [f for f in (like_pairs, category_pairs) if not f.empty]
    pairs = pd.concat(frames, ignore_index=True) if frames else category_pairs
    return pairs, fallbacks


def _candidates(
    scope: pd.DataFrame, summary: pd.DataFrame, inputs: EngineInputs, stores: pd.DataFrame, params: DistributionParams
) -> tuple[pd.DataFrame, pd.DataFrame, set[int], list[tuple[str, str]]]:
    """Every (SKU, store) that may get a line, with its rate and need, before stock."""
    sales_pairs, facts = _sales_candidates(scope, summary, params)
    selling_ids = set(facts["product_id"].astype("int64"))
    launching = launching_ids(scope, summary, params)
    cold_scope = scope[~scope["product_id"].isin(selling_ids) | scope["product_id"].isin(launching)]
    category_units = inputs.category_units
    inactive = _inactive(inputs.stores, params)
    if inactive and len(category_units):
        category_units = category_units[~category_units["store_id"].isin(inactive)]
    cold_pairs, fallbacks = _cold_start(cold_scope, summary, category_units, stores, params)
    if launching and not cold_pairs.empty:
        # A launching SKU keeps its cold-start stores where it is not ranged yet (§5.3).
        ranged = sales_pairs[["product_id", "store_id"]].assign(ranged=True)
        cold_pairs = cold_pairs.merge(ranged, on=["product_id", "store_id"], how="left")
        cold_pairs = cold_pairs[cold_pairs["ranged"].isna()].drop(columns="ranged")
    sales_pairs = sales_pairs.assign(model_name=params.model)
    sales_pairs["base"] = sales_pairs["need"]
    # A cold-start line's rate is the cat_rate it is planned at (SPEC §5.3).
    like_kind = cold_pairs["kind"] == "like" if len(cold_pairs) else pd.Series(dtype=bool)
    cold_pairs = cold_pairs.assign(model_name=np.where(like_kind, COLD_START_LIKE_MODEL, COLD_START_MODEL))
    candidates = pd.concat([sales_pairs, cold_pairs], ignore_index=True)
    candidates = candidates.merge(scope, on="product_id", how="left")
    candidates = _with_store(candidates, stores)
    candidates = _with_stock(candidates, inputs.store_stock)
    return candidates, facts, selling_ids, fallbacks


def _inactive(stores: pd.DataFrame, params: DistributionParams) -> set[int]:
    """The inactive stores (§4.7), which receive no lines; none under `rules = v2`,
    which knew no inactive stores (its outputs stay identical)."""
    if "active" not in stores or params.rules == RULES_V2:
        return set()
    facts = store_facts(stores)
    return set(facts.loc[~facts["active"], "store_id"].astype("int64"))


def _with_store(candidates: pd.DataFrame, stores: pd.DataFrame) -> pd.DataFrame:
    candidates = candidates.merge(stores, on="store_id", how="left")
    candidates["store_name"] = candidates["store_name"].fillna(candidates["store_id"].astype(str))
    candidates["store_key"] = candidates["store_key"].fillna(np.iinfo("int64").max).astype("int64")
    return candidates


def _base_reasons(candidates: pd.DataFrame) -> pd.Series:
    """Each candidate's reason before the CD: the rule that made its number."""
    kind = candidates["kind"]
    reason = pd.Series(SALES_RATE, index=candidates.index, dtype=object)
    reason = reason.where(kind != "cold", CATEGORY_PREFIX + candidates["category"].astype(str))
    if (kind == "like").any():
        reason = reason.where(kind != "like", LIKE_PREFIX + candidates["like_sku"].astype(str))
    return reason


def _sales_v3(candidates: pd.DataFrame, inputs: EngineInputs, params: DistributionParams) -> pd.DataFrame:
    """§5.2 in_stock and display minimum, §4.6 lift ahead, on the sales lines (their stock known)."""
    c = candidates
    for column in ("in_stock_units", "in_stock_weeks", "display_min_used", "promo_weeks"):
        c[column] = 0
    c["promo_lift"] = 0.0
    sales = (c["kind"] == "sales").to_numpy()
    if not sales.any():
        return c
    rate = c["rate"].to_numpy("float64").copy()
    if params.rate_rule == RATE_IN_STOCK and "weeks_to_last" in c:
        s = c[sales]
        new, raised = rules.in_stock_rate(
            s["rate"].to_numpy(), s["units_to_last"].fillna(0), s["weeks_to_last"].fillna(0), s["store_stock"]
        )
        rate[sales] = new
        where = np.flatnonzero(sales)[raised]
        c.loc[c.index[where], "in_stock_units"] = s["units_to_last"].fillna(0).to_numpy()[raised]
        c.loc[c.index[where], "in_stock_weeks"] = s["weeks_to_last"].fillna(0).to_numpy()[raised]
        c.loc[c.index[where], "base_reason"] = OUT_OF_STOCK_RATE
    c["rate"] = rate
    need = c["need"].to_numpy("int64").copy()
    need[sales] = ceil6(params.target_woc * rate[sales])
    need = _promotions_ahead(c, need, sales, inputs, params)
    base = need.copy()
    if params.rate_rule == RATE_IN_STOCK:
        # The display minimum fills an empty shelf (measured: topping up shelves that
        # still hold stock buried slow stores, docs/planning.md).
        minimum = rules.display_minimum(c["display_min"].fillna(0), c["store_stock"])
        target, raised = rules.display_target(need[sales], minimum[sales])
        base[sales] = target
        c.loc[c.index[np.flatnonzero(sales)], "display_min_used"] = minimum[sales]
        where = np.flatnonzero(sales)[raised]
        c.loc[c.index[where], "base_reason"] = DISPLAY_MIN
    c["need"] = need
    c["base"] = np.where(sales, base, c["base"].to_numpy("int64"))
    return c


def _promotions_ahead(
    c: pd.DataFrame, need: np.ndarray, sales: np.ndarray, inputs: EngineInputs, params: DistributionParams
) -> np.ndarray:
    """§4.6: a promotion covering any of the next ceil(target_woc) weeks raises
    the target of those weeks by the category's lift."""
    promotions = inputs.promotions
    if params.promo_rule != PROMO_LIFT or promotions is None or promotions.empty or inputs.as_of_week is None:
        return need
    horizon = max(int(np.ceil(round(params.target_woc, 6))), 1)
    weeks = [inputs.as_of_week + dt.timedelta(weeks=i) for i in range(1, horizon + 1)]
    grid = rules.promoted_grid(promotions, weeks)
    if grid.empty:
        return need
    s = c[sales]
    promoted = rules.promoted_pairs(grid, s[["product_id", "store_id"]])
    if promoted.empty:
        return need
    promoted["i"] = ((promoted["week_start"] - pd.Timestamp(weeks[0])).dt.days // 7).astype("int64")
    key = s["product_id"].astype("int64").to_numpy() * (1 << 32) + s["store_id"].astype("int64").to_numpy()
    flags = np.zeros((len(s), horizon), dtype=bool)
    pkey = (
        promoted["product_id"].astype("int64").to_numpy() * (1 << 32) + promoted["store_id"].astype("int64").to_numpy()
    )
    position = pd.Series(np.arange(len(s)), index=key)
    rows = position.reindex(pkey).to_numpy()
    flags[rows.astype("int64"), promoted["i"].to_numpy()] = True
    lift = s["category"].map(inputs.category_lift).fillna(1.0).to_numpy("float64")
    any_promo = flags.any(axis=1) & (lift > 1.0)
    cover = rules.lift_ahead(params.target_woc, flags, lift)
    lifted = rules.need_with_lift(s["rate"].to_numpy(), cover)
    idx = np.flatnonzero(sales)
    out = need.copy()
    out[idx[any_promo]] = lifted[any_promo]
    names = promoted.drop_duplicates(["product_id", "store_id"]).set_index(["product_id", "store_id"])["name"]
    named = s.set_index(["product_id", "store_id"]).index.map(names)
    rows_idx = c.index[idx[any_promo]]
    c.loc[rows_idx, "promo_weeks"] = flags.sum(axis=1)[any_promo]
    c.loc[rows_idx, "promo_lift"] = lift[any_promo]
    c.loc[rows_idx, "base_reason"] = (
        PROMO_PREFIX + pd.Series(named, dtype=object).fillna("").astype(str).to_numpy()[any_promo]
    )
    return out


def _opening(c: pd.DataFrame, inputs: EngineInputs, stores: pd.DataFrame, params: DistributionParams) -> pd.DataFrame:
    """§5.3 opening stores: every SKU at size_factor × the like store's rate (the
    rate the like store's own line uses, before its stock); the opening
    store's own lines give way."""
    if params.new_store_weeks <= 0 or c.empty:
        return c
    opening = opening_stores(inputs.stores, params.new_store_weeks)
    opening = opening[opening["store_id"].isin(stores["store_id"])]
    if opening.empty:
        return c
    own = c[~c["store_id"].isin(opening["store_id"])]
    like = c.merge(opening.rename(columns={"store_id": "new_store_id", "like_store_id": "store_id"}), on="store_id")
    if like.empty:
        return own
    like_names = like["store_name"].astype(str)
    like["rate"] = like["rate"] * like["size_factor"]
    like["factor"] = like["size_factor"]
    sales = (like["kind"] == "sales").to_numpy()
    woc = np.where(sales, params.target_woc, params.cold_start_target_woc)
    need = ceil6(woc * like["rate"].to_numpy("float64"))
    filled = (like["base"].to_numpy("int64") > like["need"].to_numpy("int64")) & ~sales
    like["need"] = need
    like["base"] = np.where(filled, np.maximum(need, params.cold_start_min_fill), need)
    like["model_name"] = NEW_STORE_MODEL
    like["base_reason"] = LIKE_STORE_PREFIX + like_names
    like["like_name"] = like_names
    like["store_id"] = like["new_store_id"]
    like = like.drop(columns=["new_store_id", "size_factor", "store_name", "store_key", "store_stock"])
    like = _with_stock(_with_store(like, stores), inputs.store_stock)
    # Its sales lines: the display minimum where the opening store's shelf is empty (§5.2).
    if params.rate_rule == RATE_IN_STOCK:
        minimum = np.where(sales, rules.display_minimum(like["display_min"].fillna(0), like["store_stock"]), 0)
        like["display_min_used"] = minimum
        like["base"] = np.maximum(like["base"].to_numpy("int64"), minimum)
    return pd.concat([own, like], ignore_index=True)


def _to_packs(candidates: pd.DataFrame, params: DistributionParams) -> pd.DataFrame:
    """Base − stock, then whole packs by the pack rule (§5.4a)."""
    candidates["base"] = candidates["base"].astype("int64")
    candidates["need_for_reason"] = candidates["base"]
    unrounded = (candidates["base"] - candidates["store_stock"].clip(lower=0)).clip(lower=0)
    candidates["unrounded_qty"] = unrounded
    candidates["pack_size"] = candidates["pack_size"].fillna(1).astype("int64")
    candidates["pack_exceeds"] = False
    if params.round_to_pack:
        candidates["cd_pack"] = candidates["pack_size"]
        # A launch line (cold start, like item, and an opening store's line from one) may hold
        # one pack for longer: rules.LAUNCH_PACK_FACTOR × max_pack_woc weeks (§5.4a, measured).
        launch = candidates["kind"].isin(["cold", "like"]).to_numpy()
        packed = rules.PACK_RULE_OBJECTS[params.pack_rule].apply(
            unrounded.to_numpy(),
            candidates["pack_size"].to_numpy(),
            candidates["store_stock"].to_numpy(),
            candidates["rate"].to_numpy(),
            np.where(launch, rules.LAUNCH_PACK_FACTOR * params.max_pack_woc, params.max_pack_woc),
        )
        candidates["suggested_qty"] = packed.suggested
        candidates["pack_exceeds"] = packed.exceeds
    else:
        candidates["cd_pack"] = 1
        candidates["suggested_qty"] = unrounded
    return candidates


def generate(inputs: EngineInputs, params: DistributionParams) -> EngineResult:
    """One vectorised pass: candidates → stock → v3 rates → opening stores →
    packs → CD limiting → lines + exceptions."""
    scope = _prepare_scope(inputs.scope)
    stores = _store_key(inputs.stores)
    summary = _summary(inputs, params)
    candidates, facts, selling_ids, fallbacks = _candidates(scope, summary, inputs, stores, params)
    candidates["priority_rate"] = candidates["rate"]
    candidates["base_reason"] = _base_reasons(candidates)
    candidates = _sales_v3(candidates, inputs, params)
    candidates = _opening(candidates, inputs, stores, params)
    inactive = _inactive(inputs.stores, params)
    if inactive:
        candidates = candidates[~candidates["store_id"].isin(inactive)].reset_index(drop=True)
    candidates["priority_rate"] = candidates["rate"]
    candidates = _to_packs(candidates, params)

    lines = candidates[candidates["suggested_qty"] > 0].copy()
    lines = _allocate(lines, inputs.cd_stock, params)
    lines["reason"] = _line_reasons(lines, params)
    lines["store_id"] = lines["store_id"].astype("Int64")
    exceeds = _pack_exceeds_rows(candidates)

    exceptions = _exceptions(
        scope, candidates, facts, selling_ids, set(lines["product_id"].astype("int64")), set(exceeds["product_id"])
    )
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
    for frame in (lines, exceeds):
        if not frame.empty:
            frame["display_min"] = frame["display_min_used"]
    frames = [f.reindex(columns=LINE_COLUMNS) for f in (lines, exceeds, exceptions) if not f.empty]
    if frames:
        result = pd.concat(frames, ignore_index=True)
    else:
        result = pd.DataFrame({c: pd.Series(dtype=object) for c in LINE_COLUMNS})
    result = _finish_types(result)
    summary_out = summarise(result, scope_count=len(scope), limit_by_cd=params.limit_by_cd)
    return EngineResult(lines=result, summary=summary_out, like_fallbacks=fallbacks)


def _pack_exceeds_rows(candidates: pd.DataFrame) -> pd.DataFrame:
    """§5.4a: the empty pairs left with nothing because one pack exceeds the
    cover cap, as rows with their store, 0 quantities and reason PACK_EXCEEDS_COVER."""
    rows = candidates[candidates["pack_exceeds"]].copy()
    if rows.empty:
        return rows
    rows["reason"] = PACK_EXCEEDS_COVER
    rows["allocated_qty"] = 0
    rows["priority"] = 0
    rows["cd_stock"] = 0
    rows["store_id"] = rows["store_id"].astype("Int64")
    return rows


def _finish_types(frame: pd.DataFrame) -> pd.DataFrame:
    """Column types of the result, in place (`frame` is generate's own, fresh from
    concat: a defensive copy of 300,000 lines cost 1.5 s in the wide run's profile)."""
    frame["store_id"] = frame["store_id"].astype("Int64")
    integers = ("product_id", "store_stock", "cd_stock", "suggested_qty", "allocated_qty", "priority")
    for column in (*integers, *EXPLAIN_COLUMNS):
        frame[column] = frame[column].fillna(0).astype("int64")
    for column in EXPLAIN_FLOATS:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").fillna(0.0).astype("float64")
    frame["pack_size"] = frame["pack_size"].clip(lower=1)
    frame["rate"] = frame["rate"].fillna(0.0).astype("float64")
    frame["category_rate"] = frame["category_rate"].astype("float64")
    for column in ("sku", "store_name", "model_name", "reason", *EXPLAIN_TEXTS):
        frame[column] = frame[column].astype(object).fillna("").astype(str)
    frame["category"] = frame["category"].astype(object).where(frame["category"].notna(), None)
    return frame.sort_values(["sku", "priority"], kind="stable").reset_index(drop=True)


def _reason_codes(reasons: pd.Series) -> pd.Series:
    """Lines per reason code (the text before ":"), sorted by code. Counted on
    the distinct reasons first: splitting 300,000 strings cost the replay a
    third of each week's plan (issue 29)."""
    counts = reasons.value_counts()
    codes = counts.index.astype(str).str.split(":").str[0]
    return counts.groupby(codes).sum().sort_index()


def summarise(lines: pd.DataFrame, *, scope_count: int, limit_by_cd: bool = True) -> dict[str, Any]:
    """The run summary (SPEC §5.5), computed from the lines alone, so that a
    run's summary always equals its lines."""
    exceeds = lines["reason"] == PACK_EXCEEDS_COVER
    store_lines = lines[lines["store_id"].notna() & ~exceeds]
    exceptions = lines[lines["store_id"].isna()]
    sales = store_lines[store_lines["model_name"].isin(list(MODELS))]
    cold = store_lines[store_lines["model_name"].isin(COLD_MODELS)]
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
        # v3: lines by model and by reason (reasons that name a category, SKU,
        # store or promotion are counted under their code: "CATEGORY", "LIKE"…).
        "lines_by_model": {str(k): int(v) for k, v in store_lines["model_name"].value_counts().sort_index().items()},
        "lines_by_reason": {str(k): int(v) for k, v in _reason_codes(store_lines["reason"]).items()},
        "pack_exceeds_pairs": int(exceeds.sum()),
        "new_store_lines": int((store_lines["model_name"] == NEW_STORE_MODEL).sum()),
    }
