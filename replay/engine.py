"""Replay (SPEC §13): what a distribution policy would have done on history. Pure, no Django.

Two sets of rules (``ReplayInputs.rules``). **v3** (the default) puts every
policy on equal footing: one start stock for all (the default policy's steady
state at t0 − 1, SKUs without sales before t0 at 0), a CD that starts with two
weeks of the network's sales and *buys* with a supplier lead time
(``cd_mode = purchase``; ``history`` keeps receiving last week's sales),
deliveries that reach each store after its lead time, and a policy judged by
fill *and* the stock it holds (`dominance`). **v2** keeps the replay below
exactly:

    policies = policies_parse(["base:model=SMA2", "alto:model=SMA3,target_woc=3"])
    results = replay(ReplayInputs(...), policies)

Every simulated week runs the **same** generator as real runs
(`distribution.engine.generate`): this module holds no copy of its rules. It
only keeps the books around it:

- start (week t0): store stock = what the policy plans at t0 − 1 with empty
  stores and no CD limit (``ceil(target_woc × rate)`` for a selling SKU: a plan
  in steady state); CD stock 0;
- each week t: the CD receives ``floor(cd_supply × network units sold in t − 1)``
  per SKU; the generator runs with as-of t − 1 on history up to t − 1, the
  simulated store and CD stock and CD limiting on; its allocations arrive
  before week t sells; demand = the macro units of week t (negatives → 0);
  ``served = min(stock, demand)``, ``lost = demand − served``, ``stock −= served``.

Everything is vectorised per week (DataFrames keyed by product and store):
there is no Python loop per (SKU, store).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from distribution import engine as generator
from distribution.engine import DistributionParams, ParamsError

RULES = ("v3", "v2")
CD_MODES = ("purchase", "history")
MAX_SUPPLIER_LEAD_WEEKS = 12
START_CD_WEEKS = 2  # v3: the CD starts with this many weeks of the network's sales
MAX_POLICIES = 4
MAX_NAME = 40
KEYS = ["product_id", "store_id"]
TRUE = {"1", "true", "t", "yes", "y", "si", "sí", "on", "verdadero"}
FALSE = {"0", "false", "f", "no", "n", "off", "falso"}
# Columns of the per-week metrics (one row per replayed week).
WEEKLY_COLUMNS = [
    "week_start",
    "demand_units",
    "served_units",
    "lost_units",
    "fill_rate",
    "stockouts",
    "closing_stock",
    "cover_weeks",
    "units_shipped",
    "lines",
    "cd_received",
    "cd_closing",
    "cd_ordered",
    "in_transit",
]

# The CD's purchase forecast (v3, cd_mode purchase): units (n_sku × n_weeks, the
# last column the as-of week), their Mondays, the horizon, each SKU's category
# code (−1 none) → units per SKU and future week (n_sku × horizon).
CdForecast = Callable[[np.ndarray, list[dt.date], int, np.ndarray], np.ndarray]


class PolicyError(ValueError):
    """A policy that cannot be replayed; `message` (a code and its parameters,
    replay/messages.py words it) names the policy and the key."""

    def __init__(self, code: str, **params: Any) -> None:
        self.message = msg(code, **params)
        super().__init__(f"{code} {params}")  # the log's form; pages render `message`


def msg(code: str, **params: Any) -> dict[str, Any]:
    """A message in its stored form (fastdso.messages renders it; an engine imports no Django)."""
    return {"code": code, "params": params}


# ---------------------------------------------------------------------------
# Policies: "NAME:key=value,key=value" with keys = DistributionParams fields
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    name: str
    params: DistributionParams
    overrides: dict[str, Any] = field(default_factory=dict)  # the keys the planner gave, typed

    @property
    def text(self) -> str:
        """The policy back in the command's syntax."""
        pairs = ",".join(f"{k}={_value_text(v)}" for k, v in self.overrides.items())
        return f"{self.name}:{pairs}" if pairs else self.name


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(getattr(value, "value", value))


def policy_fields() -> dict[str, Any]:
    """The policy keys: every init field of DistributionParams with its type.
    Read from the dataclass, so a parameter added to the generator is a
    policy key at once."""
    hints = typing.get_type_hints(DistributionParams)
    return {f.name: hints.get(f.name, str) for f in dataclasses.fields(DistributionParams) if f.init}


def _coerce(kind: Any, raw: str) -> Any:
    """Text → the field's type; ValueError with the expected kind in Spanish."""
    origin = typing.get_origin(kind)
    if origin is typing.Literal:
        allowed = [str(a) for a in typing.get_args(kind)]
        if raw not in allowed:
            raise ValueError("use " + " | ".join(allowed))
        return typing.get_args(kind)[allowed.index(raw)]
    if kind is bool:
        lowered = raw.lower()
        if lowered in TRUE:
            return True
        if lowered in FALSE:
            return False
        raise ValueError("se espera true o false")
    if kind is int:
        try:
            number = float(raw)
        except ValueError:
            raise ValueError("se espera un número entero") from None
        if not math.isfinite(number) or not number.is_integer():
            raise ValueError("se espera un número entero")
        return int(number)
    if kind is float:
        try:
            number = float(raw)
        except ValueError:
            raise ValueError("se espera un número") from None
        if not math.isfinite(number):
            raise ValueError("se espera un número finito")
        return number
    if kind is str:
        return raw
    try:  # enums and other one-argument types
        return kind(raw)
    except Exception as exc:  # noqa: BLE001 - any refusal is a bad value
        raise ValueError(str(exc) or "valor no válido") from None


def policy_parse(text: str, *, rules: str = "v3") -> Policy:
    """`"alto:model=SMA3,target_woc=3"` → Policy. Raises PolicyError naming the key.
    `rules = v2` (the v2 replay) starts from the generator's v2 defaults."""
    text = str(text or "").strip()
    name, _sep, rest = text.partition(":")
    name = " ".join(name.split())
    if not name:
        raise PolicyError("replay.policy_without_name", policy=text)
    if len(name) > MAX_NAME:
        raise PolicyError("replay.policy_name_too_long", policy=name[:MAX_NAME], max=MAX_NAME)
    fields = policy_fields()
    overrides: dict[str, Any] = {}
    for item in (part.strip() for part in rest.split(",")):
        if not item:
            continue
        key, eq, raw = item.partition("=")
        key = key.strip().lower().replace("-", "_")
        raw = raw.strip()
        if not eq or not key:
            raise PolicyError("replay.policy_not_key_value", policy=name, item=item)
        if key not in fields:
            raise PolicyError("replay.policy_unknown_key", policy=name, key=key, valid=", ".join(fields))
        if key in overrides:
            raise PolicyError("replay.policy_repeated_key", policy=name, key=key)
        try:
            overrides[key] = _coerce(fields[key], raw)
        except ValueError as exc:
            raise PolicyError("replay.policy_bad_value", policy=name, key=key, value=raw, detail=str(exc)) from None
    if overrides.get("limit_by_cd") is False:
        raise PolicyError("replay.policy_limit_by_cd", policy=name)
    base: dict[str, Any] = {"rules": rules} if rules == "v2" and "rules" in fields and "rules" not in overrides else {}
    try:
        params = DistributionParams(**base, **overrides)
    except ParamsError as exc:
        raise PolicyError("replay.policy_params", policy=name, detail=exc.message) from None
    return Policy(name=name, params=params, overrides=overrides)


def policies_parse(texts: Sequence[str], *, rules: str = "v3") -> list[Policy]:
    """1–4 policies with distinct names."""
    texts = [t for t in (str(t or "").strip() for t in texts) if t]
    if not texts:
        raise PolicyError("replay.no_policy")
    if len(texts) > MAX_POLICIES:
        raise PolicyError("replay.too_many_policies", max=MAX_POLICIES, n=len(texts))
    policies = [policy_parse(t, rules=rules) for t in texts]
    seen: set[str] = set()
    for policy in policies:
        if policy.name.casefold() in seen:
            raise PolicyError("replay.policy_name_twice", policy=policy.name)
        seen.add(policy.name.casefold())
    return policies


def history_weeks(policies: Sequence[Policy]) -> int:
    """Weeks of history before t0 the replay needs (the longest lookback or category window)."""
    return max(max(p.params.lookback_weeks, p.params.category_window_weeks, p.params.window) for p in policies)


# ---------------------------------------------------------------------------
# The simulation
# ---------------------------------------------------------------------------


@dataclass
class ReplayInputs:
    """`sales`: product_id, store_id, week_start, units of the scope SKUs from
    t0 − history_weeks to the last replayed week; `category_weekly`: category,
    product_id, store_id, week_start, units (the weekly rows of the categories a
    cold start may need); `weeks`: the replayed Mondays, oldest first."""

    scope: pd.DataFrame
    sales: pd.DataFrame
    category_weekly: pd.DataFrame
    stores: pd.DataFrame
    weeks: list[dt.date]
    cd_supply: float = 1.0
    rules: str = "v3"
    cd_mode: str = "purchase"
    supplier_lead_weeks: int = 2
    # v3: weeks a delivery takes to reach each store (its lead time in days
    # rounded up to weeks); a store absent here receives the same week.
    store_lead_weeks: dict[int, int] = field(default_factory=dict)
    # v3: what the CD orders with (cd_mode purchase); the service passes the
    # §6 seasonal forecast.
    cd_forecast: CdForecast | None = None
    # v3: network units per SKU and week (product_id, week_start, units) for
    # the purchase forecast, reaching further back than `sales`; default: `sales`
    # summed over the stores.
    network_history: pd.DataFrame | None = None
    # v3: the policy whose steady state every policy starts from.
    start_params: DistributionParams | None = None

    def __post_init__(self) -> None:
        if self.rules not in RULES:
            raise ValueError(f"rules must be one of {RULES}")
        if self.cd_mode not in CD_MODES:
            raise ValueError(f"cd_mode must be one of {CD_MODES}")
        if not 0 <= self.supplier_lead_weeks <= MAX_SUPPLIER_LEAD_WEEKS:
            raise ValueError(f"supplier_lead_weeks must be within 0..{MAX_SUPPLIER_LEAD_WEEKS}")
        if self.rules == "v3" and self.cd_mode == "purchase" and self.cd_forecast is None:
            raise ValueError("cd_mode purchase needs a cd_forecast")

    @property
    def v3(self) -> bool:
        return self.rules == "v3"


@dataclass
class PolicyResult:
    policy: Policy
    totals: dict[str, Any]
    weekly: pd.DataFrame  # WEEKLY_COLUMNS
    start_stock: int = 0
    plans: list[pd.DataFrame] = field(default_factory=list)  # each week's generator lines (keep_plans)
    dominated: bool = False  # v3: another policy fills as well or better with no more stock


Progress = Callable[[int, int, int], None]  # (policy index, week k (1-based), weeks)


@dataclass
class _Prepared:
    sales: pd.DataFrame  # product_id, store_id, week_start (datetime64), units
    demand: pd.DataFrame  # product_id, store_id, week_start, units ≥ 0
    category_weekly: pd.DataFrame
    # The generator's own per-(SKU, store) summary of the lookback window, by
    # (as-of, lookback): shared by the policies and by start and first week.
    summaries: dict[tuple[dt.date, int], pd.DataFrame] = field(default_factory=dict)

    def summary(self, as_of: dt.date, lookback: int) -> pd.DataFrame:
        key = (as_of, lookback)
        if key not in self.summaries:
            history = _span(self.sales, as_of, lookback)
            self.summaries[key] = generator.summarise_weekly(history, as_of, lookback, max(generator.MODELS.values()))
        return self.summaries[key]


def _prepare(inputs: ReplayInputs) -> _Prepared:
    sales = inputs.sales[["product_id", "store_id", "week_start", "units"]].astype(
        {"product_id": "int64", "store_id": "int64", "units": "int64"}
    )
    sales = sales.assign(week_start=pd.to_datetime(sales["week_start"]))
    sales = sales.groupby([*KEYS, "week_start"], as_index=False)["units"].sum()
    demand = sales.assign(units=sales["units"].clip(lower=0))
    demand = demand[demand["units"] > 0]
    cats = inputs.category_weekly
    if cats.empty:
        cats = pd.DataFrame(
            {
                "category": pd.Series(dtype=object),
                "product_id": pd.Series(dtype="int64"),
                "store_id": pd.Series(dtype="int64"),
                "week_start": pd.Series(dtype="datetime64[ns]"),
                "units": pd.Series(dtype="int64"),
            }
        )
    else:
        cats = cats[["category", "product_id", "store_id", "week_start", "units"]].astype(
            {"product_id": "int64", "store_id": "int64", "units": "int64"}
        )
        cats = cats.assign(week_start=pd.to_datetime(cats["week_start"]))
    return _Prepared(sales=sales, demand=demand, category_weekly=cats)


def _span(frame: pd.DataFrame, end: dt.date, weeks: int) -> pd.DataFrame:
    """Rows of the `weeks` weeks ending at `end` (inclusive)."""
    last = pd.Timestamp(end)
    first = last - pd.Timedelta(weeks=weeks - 1)
    return frame[(frame["week_start"] >= first) & (frame["week_start"] <= last)]


def week_inputs(
    prepared: _Prepared,
    inputs: ReplayInputs,
    params: DistributionParams,
    as_of: dt.date,
    store_stock: pd.DataFrame,
    cd_stock: pd.DataFrame,
) -> generator.EngineInputs:
    """The generator's inputs for one simulated week: history up to `as_of`
    only (the lookback window), the category units of the window, the stock."""
    history = prepared.summary(as_of, params.lookback_weeks)
    cats = _span(prepared.category_weekly, as_of, params.category_window_weeks)
    # Per (category, store): the window's units and how many of the category's
    # SKUs sold there (window units > 0) — what the service reads from the database.
    per_sku = cats.groupby(["category", "store_id", "product_id"], as_index=False)["units"].sum()
    category_units = (
        per_sku.assign(skus=(per_sku["units"] > 0).astype("int64"))
        .groupby(["category", "store_id"], as_index=False)[["units", "skus"]]
        .sum()
    )
    return generator.EngineInputs(
        scope=inputs.scope,
        sales=history,
        category_units=category_units,
        store_stock=store_stock,
        cd_stock=cd_stock,
        stores=inputs.stores,
        as_of_week=as_of,
    )


def week_plan(
    inputs: ReplayInputs,
    params: DistributionParams,
    as_of: dt.date,
    store_stock: pd.DataFrame,
    cd_stock: pd.DataFrame,
    *,
    prepared: _Prepared | None = None,
) -> generator.EngineResult:
    """The plan the generator makes at `as_of` with the given stock, CD limiting on."""
    prepared = prepared or _prepare(inputs)
    plan_params = dataclasses.replace(params, limit_by_cd=True)
    return generator.generate(week_inputs(prepared, inputs, plan_params, as_of, store_stock, cd_stock), plan_params)


def start_stock(
    inputs: ReplayInputs,
    params: DistributionParams,
    *,
    prepared: _Prepared | None = None,
    sales_based_only: bool = False,
) -> pd.DataFrame:
    """Store stock at the start of t0: the policy's plan at t0 − 1 for empty
    stores, without CD limit (a plan in steady state). `sales_based_only`
    (v3): a SKU without sales before t0 starts at 0 (no cold-start stock)."""
    prepared = prepared or _prepare(inputs)
    as_of = inputs.weeks[0] - dt.timedelta(weeks=1)
    empty = pd.DataFrame({c: pd.Series(dtype="int64") for c in [*KEYS, "units"]})
    no_cd = pd.DataFrame({c: pd.Series(dtype="int64") for c in ["product_id", "units"]})
    free = dataclasses.replace(params, limit_by_cd=False)
    result = generator.generate(week_inputs(prepared, inputs, free, as_of, empty, no_cd), free)
    lines = result.store_lines
    if sales_based_only:
        lines = lines[lines["model_name"].isin(list(generator.MODELS))]
    stock = lines[KEYS].astype("int64").assign(units=lines["allocated_qty"].astype("int64").to_numpy())
    return stock[stock["units"] > 0].reset_index(drop=True)


def _by_pair(frame: pd.DataFrame, column: str = "units") -> pd.Series:
    if frame.empty:
        return pd.Series(dtype="int64", index=pd.MultiIndex.from_arrays([[], []], names=KEYS))
    return frame.groupby(KEYS)[column].sum().astype("int64")


def _by_sku(frame: pd.DataFrame, column: str = "units") -> pd.Series:
    if frame.empty:
        return pd.Series(dtype="int64", index=pd.Index([], name="product_id", dtype="int64"))
    return frame.groupby("product_id")[column].sum().astype("int64")


def _stock_frame(series: pd.Series) -> pd.DataFrame:
    series = series[series > 0]
    frame = series.rename("units").reset_index()
    return frame.astype({"product_id": "int64", "store_id": "int64", "units": "int64"})


def common_start(inputs: ReplayInputs, prepared: _Prepared) -> pd.Series:
    """v3: the store stock every policy starts from, by (product, store): the
    steady state of the default policy at t0 − 1 (``ceil(target_woc × rate)``
    of its sales-based lines); a SKU without sales before t0 starts at 0."""
    params = inputs.start_params or DistributionParams()
    return _by_pair(start_stock(inputs, params, prepared=prepared, sales_based_only=True))


def cd_start(inputs: ReplayInputs, prepared: _Prepared) -> pd.Series:
    """v3: the CD's stock at t0, by product: the network's sales of the
    `START_CD_WEEKS` weeks before t0."""
    last = pd.Timestamp(inputs.weeks[0] - dt.timedelta(weeks=1))
    first = last - pd.Timedelta(weeks=START_CD_WEEKS - 1)
    demand = prepared.demand
    return _by_sku(demand[(demand["week_start"] >= first) & (demand["week_start"] <= last)])


@dataclass
class _Network:
    """v3 purchasing: network units per scope SKU and week, oldest first."""

    product_ids: np.ndarray
    units: np.ndarray  # (n_sku, n_weeks)
    weeks: list[dt.date]
    codes: np.ndarray  # category code per SKU, −1 none

    def upto(self, as_of: dt.date) -> int:
        """Columns [0, upto) are the weeks ≤ as_of: no look-ahead."""
        return int(np.searchsorted(np.array(self.weeks, dtype="datetime64[D]"), np.datetime64(as_of), side="right"))


def network_series(inputs: ReplayInputs, prepared: _Prepared) -> _Network:
    """The scope's network weekly units (negatives as 0) on every Monday from
    the first week of history to the last replayed week."""
    history = inputs.network_history
    if history is None:
        history = prepared.demand
    frame = history[["product_id", "week_start", "units"]].assign(week_start=pd.to_datetime(history["week_start"]))
    ids = inputs.scope["product_id"].astype("int64").to_numpy()
    first = frame["week_start"].min() if len(frame) else pd.Timestamp(inputs.weeks[0])
    mondays = list(pd.date_range(min(first, pd.Timestamp(inputs.weeks[0])), pd.Timestamp(inputs.weeks[-1]), freq="7D"))
    units = np.zeros((len(ids), len(mondays)))
    row = pd.Index(ids).get_indexer(frame["product_id"].astype("int64"))
    col = pd.DatetimeIndex(mondays).get_indexer(frame["week_start"])
    keep = (row >= 0) & (col >= 0)
    np.add.at(units, (row[keep], col[keep]), frame["units"].clip(lower=0).to_numpy("float64")[keep])
    categories = inputs.scope["category"].astype(object).where(inputs.scope["category"].notna(), None)
    names = sorted({str(c) for c in categories if c})
    codes = np.array([names.index(str(c)) if c else -1 for c in categories], dtype=np.int64)
    return _Network(product_ids=ids, units=units, weeks=[m.date() for m in mondays], codes=codes)


def cd_order(inputs: ReplayInputs, network: _Network, as_of: dt.date, position: pd.Series) -> pd.Series:
    """v3: what the CD orders at the start of the week after `as_of`, by
    product: the forecast over the supplier lead time + 1 week of review,
    less what the network holds or has coming (`position`: CD, on order,
    store stock, in transit), never below 0; `cd_supply` scales what the
    supplier delivers (below 1: a short supplier)."""
    assert inputs.cd_forecast is not None  # checked by ReplayInputs
    upto = network.upto(as_of)
    horizon = inputs.supplier_lead_weeks + 1
    if upto == 0 or not len(network.product_ids):
        return pd.Series(dtype="int64", index=pd.Index([], name="product_id", dtype="int64"))
    forecast = inputs.cd_forecast(network.units[:, :upto], network.weeks[:upto], horizon, network.codes)
    need = generator.ceil6(np.asarray(forecast, dtype="float64").sum(axis=1))
    held = position.reindex(network.product_ids, fill_value=0).to_numpy("int64")
    order = np.floor(np.round(np.maximum(need - held, 0) * inputs.cd_supply, 6)).astype("int64")
    return pd.Series(order, index=pd.Index(network.product_ids, name="product_id")).loc[lambda s: s > 0]


def replay_policy(
    inputs: ReplayInputs,
    policy: Policy,
    *,
    prepared: _Prepared | None = None,
    on_week: Callable[[int], None] | None = None,
    keep_plans: bool = False,
    shared: _Shared | None = None,
) -> PolicyResult:
    """Simulate one policy over `inputs.weeks` and measure it (module docstring)."""
    prepared = prepared or _prepare(inputs)
    if inputs.v3:
        return _replay_v3(inputs, policy, prepared, shared or shared_start(inputs, prepared), on_week, keep_plans)
    return _replay_v2(inputs, policy, prepared, on_week, keep_plans)


def _replay_v2(
    inputs: ReplayInputs,
    policy: Policy,
    prepared: _Prepared,
    on_week: Callable[[int], None] | None,
    keep_plans: bool,
) -> PolicyResult:
    """v2: each policy starts from its own steady state; the CD receives
    `cd_supply` × last week's sales; deliveries arrive before the week sells."""
    stock = _by_pair(start_stock(inputs, policy.params, prepared=prepared))
    opening = int(stock.sum())
    cd = _no_sku()
    rows: list[dict[str, Any]] = []
    plans: list[pd.DataFrame] = []
    for k, week in enumerate(inputs.weeks, start=1):
        as_of = week - dt.timedelta(weeks=1)
        received = _history_supply(inputs, prepared, as_of)
        cd = cd.add(received, fill_value=0).astype("int64")
        plan = week_plan(
            inputs, policy.params, as_of, _stock_frame(stock), cd.rename("units").reset_index(), prepared=prepared
        )
        shipped = plan.store_lines[plan.store_lines["allocated_qty"] > 0]
        if keep_plans:
            plans.append(plan.lines)
        allocated = _by_pair(shipped, "allocated_qty")
        cd = cd.sub(_by_sku(shipped, "allocated_qty"), fill_value=0).astype("int64")
        stock = stock.add(allocated, fill_value=0).astype("int64")
        stock, demand, served = _sell(prepared, week, stock)
        rows.append(
            _week_row(week, demand, served, int(stock.sum()), allocated, len(shipped))
            | {
                "stockouts": int(((demand > 0) & (stock == 0)).sum()),
                "cd_received": int(received.sum()),
                "cd_closing": int(cd.sum()),
                "cd_ordered": 0,
                "in_transit": 0,
            }
        )
        stock = stock[stock > 0]
        if on_week:
            on_week(k)
    weekly = pd.DataFrame(rows, columns=WEEKLY_COLUMNS)
    return PolicyResult(policy=policy, totals=totals(weekly), weekly=weekly, start_stock=opening, plans=plans)


def _sell(prepared: _Prepared, week: dt.date, stock: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """The week sells: ``served = min(stock, demand)``; (stock after, demand, served), aligned by pair."""
    demand = _by_pair(prepared.demand[prepared.demand["week_start"] == pd.Timestamp(week)])
    stock, demand = stock.align(demand, fill_value=0)
    served = np.minimum(stock, demand)
    return (stock - served).astype("int64"), demand, served


def _no_sku() -> pd.Series:
    return pd.Series(dtype="int64", index=pd.Index([], name="product_id", dtype="int64"))


def _history_supply(inputs: ReplayInputs, prepared: _Prepared, as_of: dt.date) -> pd.Series:
    """cd_mode history: ``floor(cd_supply × network units sold in the week `as_of`)`` per SKU."""
    sold_before = _by_sku(prepared.demand[prepared.demand["week_start"] == pd.Timestamp(as_of)])
    return np.floor((sold_before.astype("float64") * inputs.cd_supply).round(6)).astype("int64")


def _week_row(
    week: dt.date, demand: pd.Series, served: pd.Series, closing: int, allocated: pd.Series, lines: int
) -> dict[str, Any]:
    week_demand, week_served = int(demand.sum()), int(served.sum())
    return {
        "week_start": week,
        "demand_units": week_demand,
        "served_units": week_served,
        "lost_units": week_demand - week_served,
        "fill_rate": week_served / week_demand if week_demand else None,
        "closing_stock": closing,
        "cover_weeks": closing / week_demand if week_demand else None,
        "units_shipped": int(allocated.sum()),
        "lines": lines,
    }


@dataclass
class _Shared:
    """v3: what every policy starts from (one start for all)."""

    stock: pd.Series  # by (product, store)
    cd: pd.Series  # by product
    network: _Network | None  # cd_mode purchase


def shared_start(inputs: ReplayInputs, prepared: _Prepared) -> _Shared:
    network = network_series(inputs, prepared) if inputs.cd_mode == "purchase" else None
    return _Shared(stock=common_start(inputs, prepared), cd=cd_start(inputs, prepared), network=network)


def _add(book: dict[int, pd.Series], week: int, units: pd.Series) -> None:
    if len(units):
        book[week] = units if week not in book else book[week].add(units, fill_value=0).astype("int64")


def _total(book: dict[int, pd.Series], empty: pd.Series) -> pd.Series:
    parts = [s for s in book.values() if len(s)]
    return pd.concat(parts).groupby(level=empty.index.names).sum().astype("int64") if parts else empty


def _replay_v3(
    inputs: ReplayInputs,
    policy: Policy,
    prepared: _Prepared,
    shared: _Shared,
    on_week: Callable[[int], None] | None,
    keep_plans: bool,
) -> PolicyResult:
    """v3: the shared start, a CD that buys (or receives history), store lead times."""
    stock, cd = shared.stock.copy(), shared.cd.copy()
    on_order: dict[int, pd.Series] = {}  # week index → units arriving at the CD
    transit: dict[int, pd.Series] = {}  # week index → units arriving at stores
    lead = pd.Series(inputs.store_lead_weeks, dtype="int64")
    rows: list[dict[str, Any]] = []
    plans: list[pd.DataFrame] = []
    for i, week in enumerate(inputs.weeks):
        as_of = week - dt.timedelta(weeks=1)
        received, ordered = _cd_week(inputs, prepared, shared, i, as_of, cd, stock, on_order, transit)
        cd = cd.add(received, fill_value=0).astype("int64")
        coming = _total(transit, _by_pair(stock.iloc[:0].rename("units").reset_index()))
        plan = week_plan(
            inputs,
            policy.params,
            as_of,
            _stock_frame(stock.add(coming, fill_value=0)),
            cd.rename("units").reset_index(),
            prepared=prepared,
        )
        shipped = plan.store_lines[plan.store_lines["allocated_qty"] > 0]
        if keep_plans:
            plans.append(plan.lines)
        allocated = _by_pair(shipped, "allocated_qty")
        cd = cd.sub(_by_sku(shipped, "allocated_qty"), fill_value=0).astype("int64")
        weeks_away = lead.reindex(allocated.index.get_level_values("store_id"), fill_value=0).to_numpy()
        for away in np.unique(weeks_away):
            _add(transit, i + int(away), allocated[weeks_away == away])
        stock = stock.add(transit.pop(i, _no_pair()), fill_value=0).astype("int64")
        stock, demand, served = _sell(prepared, week, stock)
        rows.append(
            _week_row(week, demand, served, int(stock.sum()), allocated, len(shipped))
            | {
                "stockouts": int((demand > served).sum()),
                "cd_received": int(received.sum()),
                "cd_closing": int(cd.sum()),
                "cd_ordered": int(ordered.sum()),
                "in_transit": int(sum(int(s.sum()) for s in transit.values())),
            }
        )
        stock = stock[stock > 0]
        if on_week:
            on_week(i + 1)
    weekly = pd.DataFrame(rows, columns=WEEKLY_COLUMNS)
    return PolicyResult(
        policy=policy, totals=totals(weekly), weekly=weekly, start_stock=int(shared.stock.sum()), plans=plans
    )


def _no_pair() -> pd.Series:
    return pd.Series(dtype="int64", index=pd.MultiIndex.from_arrays([[], []], names=KEYS))


def _cd_week(
    inputs: ReplayInputs,
    prepared: _Prepared,
    shared: _Shared,
    i: int,
    as_of: dt.date,
    cd: pd.Series,
    stock: pd.Series,
    on_order: dict[int, pd.Series],
    transit: dict[int, pd.Series],
) -> tuple[pd.Series, pd.Series]:
    """(received, ordered) by product at the start of week `i`. History mode
    receives last week's sales × cd_supply. Purchase mode receives what was
    ordered `supplier_lead_weeks` ago and orders by the forecast (an order
    with no lead time arrives at once)."""
    if inputs.cd_mode == "history" or shared.network is None:
        return _history_supply(inputs, prepared, as_of), _no_sku()
    received = on_order.pop(i, _no_sku())
    in_transit = _total(transit, _no_pair())
    position = (
        cd.add(received, fill_value=0)
        .add(_total(on_order, _no_sku()), fill_value=0)
        .add(stock.groupby(level="product_id").sum(), fill_value=0)
        .add(in_transit.groupby(level="product_id").sum(), fill_value=0)
    )
    ordered = cd_order(inputs, shared.network, as_of, position)
    if inputs.supplier_lead_weeks == 0:
        return received.add(ordered, fill_value=0).astype("int64"), ordered
    _add(on_order, i + inputs.supplier_lead_weeks, ordered)
    return received, ordered


def totals(weekly: pd.DataFrame) -> dict[str, Any]:
    """A policy's figures over the replayed weeks (the SPEC §9 CSV row, and more).

    fill_rate = Σ served / Σ demand; avg_cover_weeks = average closing stock in
    weeks of the average weekly demand (Σ closing stock / Σ demand): the same
    demand divides every policy's stock, so covers compare like stock."""
    n = len(weekly)
    demand = int(weekly["demand_units"].sum())
    served = int(weekly["served_units"].sum())
    closing = int(weekly["closing_stock"].sum())
    return {
        "fill_rate": served / demand if demand else None,
        "served_units": served,
        "demand_units": demand,
        "lost_units": demand - served,
        "stockout_weeks": int(weekly["stockouts"].sum()),
        "avg_cover_weeks": closing / demand if demand else None,
        "avg_closing_stock": closing / n if n else 0.0,
        "units_shipped": int(weekly["units_shipped"].sum()),
        "lines_per_week": float(weekly["lines"].sum()) / n if n else 0.0,
        "cd_received": int(weekly["cd_received"].sum()),
    }


def replay(inputs: ReplayInputs, policies: Sequence[Policy], progress: Progress | None = None) -> list[PolicyResult]:
    """Every policy over the same weeks, on the same history."""
    prepared = _prepare(inputs)
    shared = shared_start(inputs, prepared) if inputs.v3 else None
    results = []
    for index, policy in enumerate(policies):

        def on_week(k: int, index: int = index) -> None:
            if progress:
                progress(index, k, len(inputs.weeks))

        results.append(replay_policy(inputs, policy, prepared=prepared, on_week=on_week, shared=shared))
    if inputs.v3:
        for result, dominated in zip(results, dominance(results), strict=True):
            result.dominated = dominated
    return results


def cold_categories(
    scope: pd.DataFrame, sales: pd.DataFrame, weeks: Sequence[dt.date], policies: Sequence[Policy]
) -> list[str]:
    """The categories whose weekly units the cold start may need: those of scope
    SKUs that have no sale in some policy's lookback window before some
    replayed week (asked of the generator's own `cold_start_categories`)."""
    rows = sales[["product_id", "week_start", "units"]].assign(week_start=pd.to_datetime(sales["week_start"]))
    wanted: set[str] = set()
    as_ofs = [weeks[0] - dt.timedelta(weeks=1), *(w - dt.timedelta(weeks=1) for w in weeks)]
    for lookback in {p.params.lookback_weeks for p in policies}:
        for as_of in dict.fromkeys(as_ofs):
            wanted.update(generator.cold_start_categories(scope, _span(rows, as_of, lookback)))
    return sorted(wanted)


def dominance(results: Sequence[PolicyResult]) -> list[bool]:
    """v3: a policy is *dominated* when another has a higher-or-equal fill
    rate with lower-or-equal average stock, one of them strictly: it buys its
    service with stock another policy does without."""

    def point(r: PolicyResult) -> tuple[float, float]:
        return float(r.totals["fill_rate"] or 0.0), float(r.totals["avg_closing_stock"])

    points = [point(r) for r in results]
    return [
        any(f2 >= f1 and s2 <= s1 and (f2 > f1 or s2 < s1) for j, (f2, s2) in enumerate(points) if j != i)
        for i, (f1, s1) in enumerate(points)
    ]


def best_policies(results: Sequence[PolicyResult]) -> dict[str, str | None]:
    """The policy with the best fill rate and the one with the lowest stock
    (first on ties); in v3, among the undominated policies only."""
    results = [r for r in results if not r.dominated]
    filled = [r for r in results if r.totals["fill_rate"] is not None]
    best_fill = max(filled, key=lambda r: r.totals["fill_rate"], default=None)
    lowest = min(results, key=lambda r: r.totals["avg_closing_stock"], default=None)
    return {
        "best_fill": best_fill.policy.name if best_fill else None,
        "lowest_stock": lowest.policy.name if lowest else None,
    }
