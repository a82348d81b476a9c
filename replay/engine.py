"""Replay (SPEC §13): what a distribution policy would have done on history. Pure, no Django.

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
]


class PolicyError(ValueError):
    """A policy that cannot be replayed; the message (Spanish) names the policy and the key."""


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


def policy_parse(text: str) -> Policy:
    """`"alto:model=SMA3,target_woc=3"` → Policy. Raises PolicyError naming the key."""
    text = str(text or "").strip()
    name, _sep, rest = text.partition(":")
    name = " ".join(name.split())
    if not name:
        raise PolicyError(f"Política «{text}»: falta el nombre (use NOMBRE:clave=valor,…).")
    if len(name) > MAX_NAME:
        raise PolicyError(f"Política «{name[:MAX_NAME]}…»: el nombre supera {MAX_NAME} caracteres.")
    fields = policy_fields()
    overrides: dict[str, Any] = {}
    for item in (part.strip() for part in rest.split(",")):
        if not item:
            continue
        key, eq, raw = item.partition("=")
        key = key.strip().lower().replace("-", "_")
        raw = raw.strip()
        if not eq or not key:
            raise PolicyError(f"Política «{name}»: «{item}» no es clave=valor.")
        if key not in fields:
            raise PolicyError(f"Política «{name}»: parámetro desconocido «{key}» (válidos: {', '.join(fields)}).")
        if key in overrides:
            raise PolicyError(f"Política «{name}»: el parámetro «{key}» aparece dos veces.")
        try:
            overrides[key] = _coerce(fields[key], raw)
        except ValueError as exc:
            raise PolicyError(f"Política «{name}»: valor inválido para «{key}»: «{raw}» ({exc}).") from None
    if overrides.get("limit_by_cd") is False:
        raise PolicyError(
            f"Política «{name}»: «limit_by_cd» no se puede desactivar: el replay siempre limita por el CD "
            "(use cd_supply para un CD más holgado)."
        )
    try:
        params = DistributionParams(**overrides)
    except ParamsError as exc:
        raise PolicyError(f"Política «{name}»: {exc}") from None
    return Policy(name=name, params=params, overrides=overrides)


def policies_parse(texts: Sequence[str]) -> list[Policy]:
    """1–4 policies with distinct names."""
    texts = [t for t in (str(t or "").strip() for t in texts) if t]
    if not texts:
        raise PolicyError("Indique al menos una política (NOMBRE:clave=valor,…).")
    if len(texts) > MAX_POLICIES:
        raise PolicyError(f"Como máximo {MAX_POLICIES} políticas; se indicaron {len(texts)}.")
    policies = [policy_parse(t) for t in texts]
    seen: set[str] = set()
    for policy in policies:
        if policy.name.casefold() in seen:
            raise PolicyError(f"Dos políticas se llaman «{policy.name}»: use nombres distintos.")
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


@dataclass
class PolicyResult:
    policy: Policy
    totals: dict[str, Any]
    weekly: pd.DataFrame  # WEEKLY_COLUMNS
    start_stock: int = 0
    plans: list[pd.DataFrame] = field(default_factory=list)  # each week's generator lines (keep_plans)


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


def start_stock(inputs: ReplayInputs, params: DistributionParams, *, prepared: _Prepared | None = None) -> pd.DataFrame:
    """Store stock at the start of t0: the policy's plan at t0 − 1 for empty
    stores, without CD limit (a plan in steady state)."""
    prepared = prepared or _prepare(inputs)
    as_of = inputs.weeks[0] - dt.timedelta(weeks=1)
    empty = pd.DataFrame({c: pd.Series(dtype="int64") for c in [*KEYS, "units"]})
    no_cd = pd.DataFrame({c: pd.Series(dtype="int64") for c in ["product_id", "units"]})
    free = dataclasses.replace(params, limit_by_cd=False)
    result = generator.generate(week_inputs(prepared, inputs, free, as_of, empty, no_cd), free)
    lines = result.store_lines
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


def replay_policy(
    inputs: ReplayInputs,
    policy: Policy,
    *,
    prepared: _Prepared | None = None,
    on_week: Callable[[int], None] | None = None,
    keep_plans: bool = False,
) -> PolicyResult:
    """Simulate one policy over `inputs.weeks` and measure it (module docstring)."""
    prepared = prepared or _prepare(inputs)
    stock = _by_pair(start_stock(inputs, policy.params, prepared=prepared))
    opening = int(stock.sum())
    cd = pd.Series(dtype="int64", index=pd.Index([], name="product_id", dtype="int64"))
    rows: list[dict[str, Any]] = []
    plans: list[pd.DataFrame] = []
    for k, week in enumerate(inputs.weeks, start=1):
        as_of = week - dt.timedelta(weeks=1)
        sold_before = _by_sku(prepared.demand[prepared.demand["week_start"] == pd.Timestamp(as_of)])
        received = np.floor((sold_before.astype("float64") * inputs.cd_supply).round(6)).astype("int64")
        cd = cd.add(received, fill_value=0).astype("int64")
        plan = week_plan(
            inputs, policy.params, as_of, _stock_frame(stock), cd.rename("units").reset_index(), prepared=prepared
        )
        lines = plan.store_lines
        shipped = lines[lines["allocated_qty"] > 0]
        if keep_plans:
            plans.append(plan.lines)
        allocated = _by_pair(shipped, "allocated_qty")
        cd = cd.sub(_by_sku(shipped, "allocated_qty"), fill_value=0).astype("int64")
        stock = stock.add(allocated, fill_value=0).astype("int64")
        demand = _by_pair(prepared.demand[prepared.demand["week_start"] == pd.Timestamp(week)])
        stock, demand = stock.align(demand, fill_value=0)
        served = np.minimum(stock, demand)
        stock = (stock - served).astype("int64")
        week_demand, week_served = int(demand.sum()), int(served.sum())
        closing = int(stock.sum())
        rows.append(
            {
                "week_start": week,
                "demand_units": week_demand,
                "served_units": week_served,
                "lost_units": week_demand - week_served,
                "fill_rate": week_served / week_demand if week_demand else None,
                "stockouts": int(((demand > 0) & (stock == 0)).sum()),
                "closing_stock": closing,
                "cover_weeks": closing / week_demand if week_demand else None,
                "units_shipped": int(allocated.sum()),
                "lines": len(shipped),
                "cd_received": int(received.sum()),
                "cd_closing": int(cd.sum()),
            }
        )
        stock = stock[stock > 0]
        if on_week:
            on_week(k)
    weekly = pd.DataFrame(rows, columns=WEEKLY_COLUMNS)
    return PolicyResult(policy=policy, totals=totals(weekly), weekly=weekly, start_stock=opening, plans=plans)


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
    results = []
    for index, policy in enumerate(policies):

        def on_week(k: int, index: int = index) -> None:
            if progress:
                progress(index, k, len(inputs.weeks))

        results.append(replay_policy(inputs, policy, prepared=prepared, on_week=on_week))
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


def best_policies(results: Sequence[PolicyResult]) -> dict[str, str | None]:
    """The policy with the best fill rate and the one with the lowest stock (first on ties)."""
    filled = [r for r in results if r.totals["fill_rate"] is not None]
    best_fill = max(filled, key=lambda r: r.totals["fill_rate"], default=None)
    lowest = min(results, key=lambda r: r.totals["avg_closing_stock"], default=None)
    return {
        "best_fill": best_fill.policy.name if best_fill else None,
        "lowest_stock": lowest.policy.name if lowest else None,
    }
