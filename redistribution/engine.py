"""Store-to-store redistribution engine (SPEC §7). Pure: DataFrames in, DataFrames out.

Rules, per SKU and store, from the macro layer and each store's latest stock:

- demand = units over `history_weeks` / `history_weeks` (negatives clamped to 0);
- share(store) = category units of the store / category units of all eligible
  stores; network(sku) = Σ demand over eligible stores (0 → the category's
  average weekly units per selling SKU);
  blended = sku_weight × demand + (1 − sku_weight) × share × network;
  scope "category" uses blended, scope "skus" uses demand where > 0, else blended;
- destination need = max(0, ceil(round(target_woc × d − stock, 6))), 0 when
  stock ≥ max_woc × d; urgent when stock < min_woc × d;
- donor retain = max(ceil(max_retain_woc × d), min_store_stock); excess = max(0, stock − retain);
- a move is min(need_left, excess_left, cap_left); below min_fill it is raised
  to min_fill only if the donor's excess allows, the destination is urgent and
  its cover after the move stays within max_woc (stock + min_fill ≤ max_woc × d),
  else dropped;
- v3 (default; `rules = "v2"` restores v2 exactly): a move is made only if
  qty ≥ min_move_units (after the min_fill bump) and either the destination
  is urgent and the donor is not, or d_destination ≥ min_gain × d_donor, or
  the donor's cover after the move stays above max_woc (a donor that fails
  the gain test is skipped for this destination; the next one may pass);
  inactive stores only donate;
- destinations are served urgent first, then by higher demand, then by the
  store's higher category rank; donors give largest excess first; a store is
  never donor and destination of the same SKU; caps: MAX_ROWS, MAX_UNITS_PER_SKU_PER_DEST,
  optional MAX_UNITS.

The greedy loop runs per SKU over small numpy arrays (one entry per store):
each move either fills a destination, empties a donor or hits a cap, so a SKU
costs O((destinations + donors) log donors).
"""

from __future__ import annotations

import heapq
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

SCOPE_SKUS = "skus"
SCOPE_CATEGORY = "category"

# Rule sets (SPEC v3 §7): v3 adds the "moves worth a truck" gate; v2 is kept one flag away.
RULES_V2 = "v2"
RULES_V3 = "v3"
RULES = (RULES_V2, RULES_V3)
SMALL_MOVE_UNITS = 3  # the summary's "moves under 3 units"

# How quantities are decided (assisted manual mode can hand them to the file).
QTY_SYSTEM = "system"  # the rules decide; a file's qty is ignored
QTY_FILE_MAX = "file_max"  # the file's qty is a ceiling on what the rules decide
QTY_OVERRIDE = "override"  # the file's qty is the need (hard); the donor floor still holds

# Reasons on a line.
REASON_URGENT = "URGENT"  # destination below min_woc
REASON_BELOW_TARGET = "BELOW_TARGET"  # destination below target_woc
REASON_MIN_FILL = "MIN_FILL"  # raised to min_fill (urgent destination)
REASON_FILE_QTY = "FILE_QTY"  # file qty as ceiling
REASON_OVERRIDE = "FILE_QTY_OVERRIDE"  # file qty as hard need

# Why a destination is still short.
SHORT_NO_DONOR = "NO_DONOR_EXCESS"
SHORT_MIN_FILL = "BELOW_MIN_FILL"
SHORT_CAP_DEST = "MAX_UNITS_PER_SKU_PER_DEST"
SHORT_MAX_ROWS = "MAX_ROWS"
SHORT_MAX_UNITS = "MAX_UNITS"
SHORT_MIN_MOVE = "BELOW_MIN_MOVE_UNITS"  # v3: what is left is less than min_move_units
SHORT_NO_GAIN = "NO_WORTHWHILE_DONOR"  # v3: no donor passes the demand-gain test

LINE_COLUMNS = [
    "product_id",
    "sku",
    "category",
    "origin_store_id",
    "origin_store",
    "destination_store_id",
    "destination_store",
    "qty",
    "origin_stock",
    "origin_retain",
    "origin_demand",
    "origin_excess",
    "destination_stock",
    "destination_demand",
    "destination_need",
    "cover_before",
    "cover_after",
    "urgent",
    "reason",
]
NO_CAP = 2**62  # "no global units cap"
SHORT_COLUMNS = ["product_id", "sku", "store_id", "store", "need", "moved", "short", "urgent", "reason"]


def msg(code: str, **params: Any) -> dict[str, Any]:
    """A message in its stored form (fastdso.messages renders it; an engine imports no Django)."""
    return {"code": code, "params": params}


@dataclass(frozen=True)
class RedistParams:
    """The parameters of SPEC §7, with its defaults."""

    history_weeks: int = 8
    min_woc: float = 1.0
    target_woc: float = 2.0
    max_woc: float = 4.0
    max_retain_woc: float = 2.0
    min_store_stock: int = 1
    min_fill: int = 2
    sku_weight: float = 0.70
    top_n: int = 20
    max_rows: int = 2000
    max_units_per_sku_per_dest: int = 20
    max_units: int | None = None
    # SPEC v3 §7: moves worth a truck. Ignored under rules = "v2".
    rules: str = RULES_V3
    min_move_units: int = 3
    min_gain: float = 1.25

    @property
    def v3(self) -> bool:
        return self.rules == RULES_V3

    def errors(self) -> list[dict[str, Any]]:
        """What is wrong with these parameters, as messages (code and
        parameters: redistribution/messages.py words them; empty: all fine)."""
        problems: list[dict[str, Any]] = []
        for name, value, low, high in (
            ("history_weeks", self.history_weeks, 1, 104),
            ("sku_weight", self.sku_weight, 0, 1),
            ("top_n", self.top_n, 1, 5000),
            ("min_move_units", self.min_move_units, 1, 1000),
            ("min_gain", self.min_gain, 0, 100),
        ):
            if not low <= value <= high:
                problems.append(msg("redistribution.param_between", name=name, low=low, high=high))
        for name, value in (
            ("min_woc", self.min_woc),
            ("max_retain_woc", self.max_retain_woc),
            ("min_store_stock", self.min_store_stock),
        ):
            if value < 0:
                problems.append(msg("redistribution.param_negative", name=name))
        if self.target_woc < self.min_woc:
            problems.append(msg("redistribution.param_at_least_other", name="target_woc", other="min_woc"))
        if self.max_woc < self.target_woc:
            problems.append(msg("redistribution.param_at_least_other", name="max_woc", other="target_woc"))
        for name, value in (
            ("min_fill", self.min_fill),
            ("MAX_ROWS", self.max_rows),
            ("MAX_UNITS_PER_SKU_PER_DEST", self.max_units_per_sku_per_dest),
        ):
            if value < 1:
                problems.append(msg("redistribution.param_at_least_one", name=name))
        if self.max_units is not None and self.max_units < 1:
            problems.append(msg("redistribution.max_units_at_least_one"))
        if self.rules not in RULES:
            problems.append(msg("redistribution.rules_unknown"))
        return problems

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PlanTarget:
    """What to plan: scope, destination (None = all stores), donors, who decides quantities."""

    scope: str = SCOPE_SKUS
    destination: int | None = None
    origin: int | None = None
    # With an origin: False → only the origin gives; True → the origin gives
    # first and the other stores complete. Without an origin donors are always picked.
    auto_pick_donors: bool = True
    qty_mode: str = QTY_SYSTEM


@dataclass
class PlanInputs:
    """Everything the engine reads, already loaded in bulk.

    skus: product_id, sku, category, [file_qty] (nullable ints; only with a file)
    stores: store_id, name, [active] — the eligible stores (no `active`: all active)
    sales: product_id, store_id, units — rows in the history window (summed here)
    stock: product_id, store_id, units — latest stock (absent: 0)
    category_store: category, store_id, units — category units per store in the window
    category_sku: category, product_id, units — units per SKU of the categories
        (for the network fallback of SKUs with no sales)
    """

    skus: pd.DataFrame
    stores: pd.DataFrame
    sales: pd.DataFrame
    stock: pd.DataFrame
    category_store: pd.DataFrame
    category_sku: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({"category": [], "product_id": [], "units": []})
    )


@dataclass
class PlanResult:
    lines: pd.DataFrame
    shortfalls: pd.DataFrame
    summary: dict[str, Any]
    cap_hit: str | None = None


def top_skus(category_sku: pd.DataFrame, n: int) -> pd.DataFrame:
    """The Top N SKUs by category demand: units > 0, most units first, ties by SKU."""
    selling = category_sku[category_sku["units"] > 0]
    return selling.sort_values(["units", "sku"], ascending=[False, True], kind="stable").head(n).reset_index(drop=True)


def category_avg_per_selling_sku(category_sku: pd.DataFrame, weeks: int) -> dict[str, float]:
    """The category's average weekly units per selling SKU (units > 0 in the window)."""
    selling = category_sku[category_sku["units"] > 0]
    if selling.empty:
        return {}
    grouped = selling.groupby("category")["units"].agg(["sum", "count"])
    return {str(cat): float(row["sum"]) / float(row["count"]) / weeks for cat, row in grouped.iterrows()}


def _ceil6(values: np.ndarray) -> np.ndarray:
    """ceil(round(x, 6)): 2 × 1.15 = 2.3 stays 3, 0.1 × 30 = 3.0000000000000004 stays 3."""
    return np.ceil(np.round(values, 6))


@dataclass
class Matrices:
    """Dense SKU × store arrays (rows follow `skus`, columns follow `stores`)."""

    demand: np.ndarray  # the demand the rules use (blended or own)
    own_demand: np.ndarray  # units / weeks
    stock: np.ndarray
    cat_units: np.ndarray  # the SKU's category units at each store (category rank)


def demand_matrices(inputs: PlanInputs, params: RedistParams, scope: str) -> Matrices:
    """Own and category-aware demand, stock and category strength, per SKU × store."""
    skus, stores = inputs.skus, inputs.stores
    n_sku, n_store = len(skus), len(stores)
    sku_index = pd.Index(skus["product_id"].to_numpy())
    store_index = pd.Index(stores["store_id"].to_numpy())

    def dense(frame: pd.DataFrame, value: str) -> np.ndarray:
        out = np.zeros((n_sku, n_store), dtype="float64")
        if frame.empty:
            return out
        rows = sku_index.get_indexer(frame["product_id"].to_numpy())
        cols = store_index.get_indexer(frame["store_id"].to_numpy())
        keep = (rows >= 0) & (cols >= 0)
        np.add.at(out, (rows[keep], cols[keep]), frame[value].to_numpy(dtype="float64")[keep])
        return out

    weeks = params.history_weeks
    own = np.maximum(dense(inputs.sales, "units"), 0.0) / weeks
    stock = dense(inputs.stock, "units")

    # Category strength of each store, as a row per SKU (by the SKU's category).
    categories = skus["category"].fillna("").astype(str).to_numpy()
    cat_store = inputs.category_store
    cat_units = np.zeros((n_sku, n_store), dtype="float64")
    if not cat_store.empty:
        cat_store = cat_store[cat_store["store_id"].isin(store_index)]
        pivot = cat_store.pivot_table(index="category", columns="store_id", values="units", aggfunc="sum")
        pivot = pivot.reindex(columns=store_index, fill_value=0).fillna(0).clip(lower=0)
        row_of = pd.Index(pivot.index.astype(str)).get_indexer(categories)
        has = row_of >= 0
        cat_units[has] = pivot.to_numpy(dtype="float64")[row_of[has]]
    totals = cat_units.sum(axis=1, keepdims=True)
    share = np.divide(cat_units, totals, out=np.zeros_like(cat_units), where=totals > 0)

    network = own.sum(axis=1)
    fallback = category_avg_per_selling_sku(inputs.category_sku, weeks)
    no_sales = network <= 0
    if no_sales.any():
        network = network.copy()
        network[no_sales] = [fallback.get(c, 0.0) for c in categories[no_sales]]
    w = params.sku_weight
    blended = w * own + (1.0 - w) * share * network[:, None]
    demand = blended if scope == SCOPE_CATEGORY else np.where(own > 0, own, blended)
    return Matrices(demand=demand, own_demand=own, stock=stock, cat_units=cat_units)


class Line(NamedTuple):
    """One proposed move (a row of `PlanResult.lines`)."""

    product_id: int
    sku: str
    category: str | None
    origin_store_id: int
    origin_store: str
    destination_store_id: int
    destination_store: str
    qty: int
    origin_stock: int
    origin_retain: int
    origin_demand: float
    origin_excess: int
    destination_stock: int
    destination_demand: float
    destination_need: int
    cover_before: float | None
    cover_after: float | None
    urgent: bool
    reason: str


class Short(NamedTuple):
    """A destination left short of its need (a row of `PlanResult.shortfalls`)."""

    product_id: int
    sku: str
    store_id: int
    store: str
    need: int
    moved: int
    short: int
    urgent: bool
    reason: str


@dataclass
class _Stores:
    """The eligible stores as arrays, and where the target's stores sit in them."""

    ids: np.ndarray
    names: np.ndarray
    name_rank: np.ndarray  # alphabetical rank: the last tie-break
    dest_pos: int | None
    origin_pos: int | None
    only_origin: bool  # only the chosen origin gives
    receives: np.ndarray  # may be a destination (v3: active stores only; inactive ones only donate)


@dataclass
class _Rules:
    """The rules' arrays, per SKU × store (rows follow the SKUs, columns the stores)."""

    m: Matrices
    need: np.ndarray
    urgent: np.ndarray
    retain: np.ndarray
    excess: np.ndarray
    override: np.ndarray  # per SKU: the file's qty is the need
    file_capped: np.ndarray  # per SKU: the file's qty caps the need


@dataclass
class _Plan:
    """What the greedy loop has built so far."""

    lines: list[Line] = field(default_factory=list)
    shorts: list[Short] = field(default_factory=list)
    units_total: int = 0
    cap_hit: str | None = None


def _eligible_stores(stores: pd.DataFrame, target: PlanTarget, params: RedistParams) -> _Stores:
    ids = stores["store_id"].to_numpy()
    names = stores["name"].astype(str).to_numpy()
    name_rank = np.empty(len(stores), dtype="int64")
    name_rank[np.argsort(names, kind="stable")] = np.arange(len(stores))
    position = {int(s): i for i, s in enumerate(ids)}
    dest_pos = position.get(target.destination) if target.destination is not None else None
    origin_pos = position.get(target.origin) if target.origin is not None else None
    if target.destination is not None and dest_pos is None:
        raise ValueError("the destination store is not among the eligible stores")
    if target.origin is not None and origin_pos is None:
        raise ValueError("the origin store is not among the eligible stores")
    only_origin = origin_pos is not None and not target.auto_pick_donors
    receives = np.ones(len(stores), dtype=bool)
    if params.v3 and "active" in stores.columns:
        receives = stores["active"].fillna(True).astype(bool).to_numpy()
    return _Stores(ids, names, name_rank, dest_pos, origin_pos, only_origin, receives)


def _rules(inputs: PlanInputs, skus: pd.DataFrame, params: RedistParams, target: PlanTarget) -> _Rules:
    """Need, urgency, retain floor and excess of every SKU × store, and the file's quantities."""
    m = demand_matrices(inputs, params, target.scope)
    demand, stock = m.demand, m.stock
    need = np.maximum(_ceil6(params.target_woc * demand - stock), 0.0)
    need[stock >= params.max_woc * demand] = 0.0
    urgent = stock < params.min_woc * demand
    retain = np.maximum(_ceil6(params.max_retain_woc * demand), float(params.min_store_stock))
    excess = np.maximum(stock - retain, 0.0)
    override = np.zeros(len(skus), dtype=bool)
    file_capped = np.zeros(len(skus), dtype=bool)
    if target.qty_mode != QTY_SYSTEM and "file_qty" in skus.columns:
        file_qty = pd.to_numeric(skus["file_qty"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        given = ~np.isnan(file_qty)
        if target.qty_mode == QTY_OVERRIDE:
            need[given] = np.maximum(file_qty[given], 0.0)[:, None]
            override = given
        elif target.qty_mode == QTY_FILE_MAX:
            need[given] = np.minimum(need[given], np.maximum(file_qty[given], 0.0)[:, None])
            file_capped = given
    return _Rules(m, need, urgent, retain, excess, override, file_capped)


def _roles(i: int, rules: _Rules, stores: _Stores) -> tuple[np.ndarray, list[tuple[int, float, int, int]]]:
    """SKU i's destinations in serving order, and its donors as a heap (the chosen
    origin first, then largest excess). Donors first, destinations among the
    rest: a store is never both for one SKU."""
    n_store = len(stores.ids)
    excess, need = rules.excess[i], rules.need[i]
    if stores.only_origin:
        donor_mask = np.zeros(n_store, dtype=bool)
        donor_mask[stores.origin_pos] = excess[stores.origin_pos] > 0
    else:
        donor_mask = excess > 0
    if stores.dest_pos is not None:
        donor_mask[stores.dest_pos] = False
        dest_mask = np.zeros(n_store, dtype=bool)
        dest_mask[stores.dest_pos] = True
    else:
        dest_mask = ~donor_mask
        if stores.origin_pos is not None:
            dest_mask[stores.origin_pos] = False
    dest_mask &= (need > 0) & stores.receives
    if not dest_mask.any():
        return np.empty(0, dtype="int64"), []
    all_stores = np.arange(n_store)
    dests = all_stores[dest_mask]
    order = np.lexsort(
        (stores.name_rank[dests], -rules.m.cat_units[i, dests], -rules.m.demand[i, dests], ~rules.urgent[i, dests])
    )
    heap = [
        (0 if j == stores.origin_pos else 1, -float(excess[j]), int(stores.name_rank[j]), int(j))
        for j in all_stores[donor_mask]
    ]
    heapq.heapify(heap)
    return dests[order], heap


def _reason(rules: _Rules, i: int, dest: int, bumped: bool) -> str:
    if rules.override[i]:
        return REASON_OVERRIDE
    if bumped:
        return REASON_MIN_FILL
    if rules.file_capped[i]:
        return REASON_FILE_QTY
    if rules.urgent[i, dest]:
        return REASON_URGENT
    return REASON_BELOW_TARGET


def _cap_left(plan: _Plan, params: RedistParams, received: int) -> tuple[int, int, str]:
    """(units this destination may still get, the global units left, the cap that stops it or "")."""
    if len(plan.lines) >= params.max_rows:
        plan.cap_hit = SHORT_MAX_ROWS
        return 0, 0, SHORT_MAX_ROWS
    per_left = params.max_units_per_sku_per_dest - received
    global_left = params.max_units - plan.units_total if params.max_units is not None else NO_CAP
    if global_left <= 0:
        plan.cap_hit = SHORT_MAX_UNITS
        return 0, 0, SHORT_MAX_UNITS
    if per_left <= 0:
        return 0, 0, SHORT_CAP_DEST
    return per_left, global_left, ""


def _within_max(i: int, dest: int, received: int, rules: _Rules, params: RedistParams) -> bool:
    """A min_fill bump keeps the destination's cover within max_woc (SPEC §7):
    stock + received + min_fill ≤ max_woc × demand."""
    after = float(rules.m.stock[i][dest]) + received + params.min_fill
    return round(after, 6) <= round(params.max_woc * float(rules.m.demand[i][dest]), 6)


def _serve(
    i: int,
    dest: int,
    heap: list,
    sku: tuple[Any, str, Any],
    rules: _Rules,
    stores: _Stores,
    params: RedistParams,
    plan: _Plan,
) -> None:
    """Serve destination `dest` of SKU i from the donors' heap until its need is
    met, the donors run out or a cap or min_fill stops it (then it is short)."""
    need_i, urgent = int(rules.need[i, dest]), bool(rules.urgent[i, dest])
    need_left, received = need_i, 0
    reason_short = plan.cap_hit or ""
    aside: list[tuple] = []
    no_gain = False  # v3: a donor was skipped for this destination by the gain test
    while need_left > 0 and not reason_short:
        per_left, global_left, reason_short = _cap_left(plan, params, received)
        if reason_short:
            break
        cap_left = min(per_left, global_left)
        if not heap:
            reason_short = SHORT_NO_GAIN if no_gain else SHORT_NO_DONOR
            break
        priority, neg_excess, rank, donor = heap[0]
        donor_excess = int(-neg_excess)
        qty = min(need_left, donor_excess, cap_left)
        bumped = False
        if qty < params.min_fill and not rules.override[i]:
            if (
                urgent
                and donor_excess >= params.min_fill
                and cap_left >= params.min_fill
                and _within_max(i, dest, received, rules, params)
            ):
                qty, bumped = params.min_fill, True
            elif priority == 0:
                # The chosen origin cannot make a worthwhile move here: the others may.
                aside.append(heapq.heappop(heap))
                continue
            elif cap_left < need_left and cap_left <= donor_excess:
                reason_short = SHORT_CAP_DEST if per_left <= global_left else SHORT_MAX_UNITS
                break
            else:
                reason_short = SHORT_MIN_FILL
                break
        verdict = _not_worth_a_truck(i, donor, dest, qty, donor_excess, rules, params)
        if verdict == SHORT_NO_GAIN or (verdict and priority == 0):
            no_gain |= verdict == SHORT_NO_GAIN
            aside.append(heapq.heappop(heap))  # another donor may be worth it
            continue
        if verdict:
            reason_short = verdict  # the largest donor cannot make it bigger: nor can the rest
            break
        heapq.heappop(heap)
        plan.lines.append(_line(i, donor, dest, qty, donor_excess, received, bumped, sku, rules, stores))
        received += qty
        plan.units_total += qty
        need_left = max(0, need_left - qty)
        if donor_excess - qty > 0:
            heapq.heappush(heap, (priority, -float(donor_excess - qty), rank, donor))
    for entry in aside:
        heapq.heappush(heap, entry)
    if need_left > 0:
        dest_id, dest_name = int(stores.ids[dest]), stores.names[dest]
        reason = reason_short or SHORT_NO_DONOR
        plan.shorts.append(Short(sku[0], sku[1], dest_id, dest_name, need_i, received, need_left, urgent, reason))


def _not_worth_a_truck(
    i: int, donor: int, dest: int, qty: int, donor_excess: int, rules: _Rules, params: RedistParams
) -> str:
    """SPEC v3 §7, moves worth a truck: "" when the move is made, else why not —
    SHORT_MIN_MOVE (fewer than min_move_units) or SHORT_NO_GAIN (the destination
    is not urgent against a calm donor, does not sell min_gain × the donor,
    and the donor would not stay above max_woc). v2 and file overrides: always ""."""
    if not params.v3 or rules.override[i]:
        return ""
    if qty < params.min_move_units:
        return SHORT_MIN_MOVE
    d_dest, d_donor = float(rules.m.demand[i, dest]), float(rules.m.demand[i, donor])
    donor_stock = float(rules.retain[i, donor]) + donor_excess  # what the donor holds before this move
    donor_urgent = donor_stock < params.min_woc * d_donor
    if bool(rules.urgent[i, dest]) and not donor_urgent:
        return ""
    if round(d_dest, 6) >= round(params.min_gain * d_donor, 6):
        return ""
    if round(donor_stock - qty, 6) > round(params.max_woc * d_donor, 6):
        return ""
    return SHORT_NO_GAIN


def _line(
    i: int,
    donor: int,
    dest: int,
    qty: int,
    donor_excess: int,
    received: int,
    bumped: bool,
    sku: tuple[Any, str, Any],
    rules: _Rules,
    stores: _Stores,
) -> Line:
    """The move of `qty` units of SKU i from `donor` to `dest`, with the figures that explain it."""
    stock, demand = rules.m.stock[i], rules.m.demand[i]
    d = float(demand[dest])
    stock_before = stock[dest] + received
    return Line(
        sku[0],
        sku[1],
        sku[2],
        int(stores.ids[donor]),
        stores.names[donor],
        int(stores.ids[dest]),
        stores.names[dest],
        int(qty),
        int(stock[donor]),
        int(rules.retain[i, donor]),
        float(demand[donor]),
        donor_excess,
        int(stock[dest]),
        d,
        int(rules.need[i, dest]),
        stock_before / d if d > 0 else None,
        (stock_before + qty) / d if d > 0 else None,
        bool(rules.urgent[i, dest]),
        _reason(rules, i, dest, bumped),
    )


def plan_transfers(inputs: PlanInputs, params: RedistParams, target: PlanTarget) -> PlanResult:
    """Propose store-to-store transfers for the SKUs of `inputs`, by the rules above:
    per SKU (most demanded first: they matter most when a global cap bites), serve
    its destinations in order from its donors' heap."""
    skus = inputs.skus.reset_index(drop=True)
    stores = _eligible_stores(inputs.stores.reset_index(drop=True), target, params)
    rules = _rules(inputs, skus, params, target)
    sku_col = skus["sku"].astype(str).to_numpy()
    pid_col = skus["product_id"].to_numpy()
    cat_col = skus["category"].to_numpy()
    plan = _Plan()
    for i in np.lexsort((sku_col, -rules.m.demand.sum(axis=1))):
        dests, heap = _roles(i, rules, stores)
        for dest in dests:
            _serve(i, int(dest), heap, (pid_col[i], sku_col[i], cat_col[i]), rules, stores, params, plan)
    line_frame = pd.DataFrame(plan.lines, columns=LINE_COLUMNS)
    short_frame = pd.DataFrame(plan.shorts, columns=SHORT_COLUMNS)
    summary = summarise(line_frame, short_frame, considered=len(skus), cap_hit=plan.cap_hit)
    return PlanResult(lines=line_frame, shortfalls=short_frame, summary=summary, cap_hit=plan.cap_hit)


def summarise(lines: pd.DataFrame, shorts: pd.DataFrame, *, considered: int, cap_hit: str | None) -> dict[str, Any]:
    """The plan's summary: moves, units (and the moves under 3 units: how many,
    what share), SKUs, stores affected, destinations still short."""
    origins = set(lines["origin_store_id"].tolist())
    destinations = set(lines["destination_store_id"].tolist())
    short_stores = set(shorts["store_id"].tolist())
    reasons = shorts["reason"].value_counts().to_dict() if not shorts.empty else {}
    small = int((lines["qty"] < SMALL_MOVE_UNITS).sum()) if not lines.empty else 0
    return {
        "skus_considered": int(considered),
        "moves": len(lines),
        "units": int(lines["qty"].sum()) if not lines.empty else 0,
        "small_moves": small,
        "small_moves_share": round(small / len(lines), 4) if len(lines) else 0.0,
        "skus_moved": int(lines["sku"].nunique()) if not lines.empty else 0,
        "origin_stores": len(origins),
        "destination_stores": len(destinations),
        "stores_affected": len(origins | destinations),
        "urgent_moves": int(lines["urgent"].sum()) if not lines.empty else 0,
        "destinations_short": len(short_stores),
        "short_pairs": len(shorts),
        "short_units": int(shorts["short"].sum()) if not shorts.empty else 0,
        "short_urgent_pairs": int(shorts["urgent"].sum()) if not shorts.empty else 0,
        "short_reasons": {str(k): int(v) for k, v in reasons.items()},
        "cap_hit": cap_hit or "",
    }
