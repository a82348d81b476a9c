"""A planning scenario with held-out truth (issue 26; CONVENTIONS §17).

Pure numpy/pandas, deterministic for (size, seed): the same call gives the
same frames on every machine. Nothing here touches the database;
`benchmarks.scenario_load.scenario_load` writes a scenario into it.

    from benchmarks.scenario import generate
    sc = generate("small", seed=26)        # sizes: SIZES ("small" for tests, "default" ≈ the study)

The network (``SIZES``: stores, SKUs, categories, weeks, held-out weeks …):

- ``sc.weeks``: every week's Monday (64 by default); the last
  ``sc.held_out`` (4) are the **held-out truth**, never loaded;
  ``sc.as_of_week`` is the Monday of the last loaded week (its Sunday,
  ``sc.snapshot_date``, is the stock snapshots' date); ``sc.loaded_weeks``
  and ``sc.held_out_weeks`` split ``sc.weeks``.
- ``sc.stores``: store, code, opened_on, like_store, size_factor,
  lead_time_days, active, kind (``regular`` | ``opening`` — opens in the
  first held-out week or 3 weeks before it, with a like store and a size
  factor — | ``inactive`` — a closing store: history and stock, no demand
  ahead).
- ``sc.products``: sku (8-digit text), product_name, category, pack_size
  (1/6/12/24), display_min, kind (``regular`` | ``new`` — no history, a
  like SKU — | ``launching`` — first sales 2 weeks before the as-of week, at
  the category's top 10 stores only — | ``eol`` — demand stopped 4–10 weeks
  ago, stores still hold stock), like_sku, launch_factor, cd_short (the CD
  holds 25–55% of the packs the stores want, at least one per empty
  shelf), promo_last_week (promoted in the
  as-of week only; pack 1, no display minimum, so the inflation metric
  measures the promotion alone), promo_ahead (promoted in the first held-out
  week).
- ``sc.request``: the distribution request file (sku, category, like_sku,
  launch_factor): every SKU of the catalogue; new and launching SKUs name
  their like SKU.
- ``sc.promotions``: sku, store (None: every store), start_date, end_date,
  name — history, the as-of week and the first held-out week.
- ``sc.cd_stock`` (sku, quantity) and ``sc.store_stock`` (sku, store,
  quantity; only quantities > 0) at ``sc.snapshot_date``.
- ``sc.sales_frame()``: observed weekly sales of the loaded weeks (sku, store,
  week_start, units > 0). Observed = min(demand, stock): stores that ran out
  sold less (censored), some pairs are out of stock for their last weeks.
- ``sc.truth``: one row per ranged (sku, store): demand (realised units over
  the held-out weeks), rate (expected units a week over them), base_rate
  (expected units in the as-of week without a promotion's lift), stock (at
  the snapshot), oos_weeks (trailing loaded weeks out of stock: demand
  expected, nothing on the shelf, so nothing sold).
  A pair absent from it has no demand.
- ``sc.weekly_truth(level="sku" | "pair", held_out_only=True)``: true
  demand (realised ``demand`` and ``expected``) per SKU and week, or per
  (SKU, store) and week; SKU level also has ``observed`` (sales loaded,
  NaN in held-out weeks). For the forecast and replay evaluations.
  Pair level over every week is pairs × weeks rows (≈ 11M on the default
  size): ask for the held-out weeks unless you need the history.
- ``sc.skus_of(*kinds)`` / ``sc.stores_of(*kinds)``: the SKUs / stores of
  those kinds, e.g. ``sc.skus_of("new", "launching")``.
- ``daily_split(units, rng)``: a weekly quantity spread over Mon…Sun.

Demand: ``rate(sku, store, week) = base × season(category, week) × lift
(promoted weeks) × life (launch, end of life, store open/closing)``;
realised demand is Poisson. Stock follows an order-up-to replenishment
(1.5–3.5 weeks of the expected rate, packs rounded up, display minimum),
with 4% of deliveries missed and 5% of pairs no longer replenished from a
week among the last 12 (they run out: censored stock-outs).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

# Monday of the as-of week (the last loaded week): a fixed date, so a seed
# gives the same scenario whatever the day it runs. The held-out weeks are
# the four after it: December, the peak.
AS_OF_WEEK = dt.date(2026, 11, 23)

SIZES: dict[str, dict[str, int]] = {
    "small": {
        "stores": 12,
        "skus": 160,
        "categories": 4,
        "weeks": 64,
        "held_out": 4,
        "opening": 2,
        "inactive": 1,
        "new": 4,
        "launching": 2,
    },
    "default": {
        "stores": 150,
        "skus": 3000,
        "categories": 20,
        "weeks": 64,
        "held_out": 4,
        "opening": 4,
        "inactive": 3,
        "new": 60,
        "launching": 30,
    },
}
CATEGORIES = [
    "Juguetes",
    "Audio",
    "Hogar",
    "Deportes",
    "Videojuegos",
    "Papelería",
    "Iluminación",
    "Herramientas",
    "Cuidado personal",
    "Mascotas",
    "Jardín",
    "Camping",
    "Bebé",
    "Oficina",
    "Telefonía",
    "Computación",
    "Fotografía",
    "Libros",
    "Relojes",
    "Smart Home",
]
PACKS = (1, 6, 12, 24)
PACK_P = (0.45, 0.3, 0.17, 0.08)
WEEKDAY_P = np.array([0.11, 0.11, 0.12, 0.13, 0.16, 0.20, 0.17])
LAUNCH_TOP_STORES = 10  # launching SKUs were sent to the category's top 10 stores (v2 cold start)
MISSED_DELIVERY = 0.04
STUCK_SHARE = 0.05  # pairs no longer replenished from a week among the last 12
SHARES = {"eol": 0.03, "promo_last": 0.03, "promo_ahead": 0.02, "cd_short": 0.05, "history_promo": 0.15}


@dataclass
class Scenario:
    size: str
    seed: int
    weeks: list[dt.date]
    held_out: int
    stores: pd.DataFrame
    products: pd.DataFrame
    request: pd.DataFrame
    promotions: pd.DataFrame
    cd_stock: pd.DataFrame
    store_stock: pd.DataFrame
    truth: pd.DataFrame
    # Internal arrays, one row per ranged pair (pair_sku, pair_store index the frames).
    pair_sku: np.ndarray = field(repr=False)
    pair_store: np.ndarray = field(repr=False)
    expected: np.ndarray = field(repr=False)  # pairs × weeks
    demand: np.ndarray = field(repr=False)  # pairs × weeks (realised)
    sales: np.ndarray = field(repr=False)  # pairs × loaded weeks (observed)

    @property
    def loaded_weeks(self) -> list[dt.date]:
        return self.weeks[: -self.held_out]

    @property
    def held_out_weeks(self) -> list[dt.date]:
        return self.weeks[-self.held_out :]

    @property
    def as_of_week(self) -> dt.date:
        return self.loaded_weeks[-1]

    @property
    def snapshot_date(self) -> dt.date:
        return self.as_of_week + dt.timedelta(days=6)

    def skus_of(self, *kinds: str) -> list[str]:
        return self.products.loc[self.products["kind"].isin(kinds), "sku"].tolist()

    def stores_of(self, *kinds: str) -> list[str]:
        return self.stores.loc[self.stores["kind"].isin(kinds), "store"].tolist()

    def sales_frame(self) -> pd.DataFrame:
        """Observed weekly sales of the loaded weeks: sku, store, week_start, units (> 0 only)."""
        pair, week = np.nonzero(self.sales)
        return pd.DataFrame(
            {
                "sku": self.products["sku"].to_numpy()[self.pair_sku[pair]],
                "store": self.stores["store"].to_numpy()[self.pair_store[pair]],
                "week_start": np.array(self.loaded_weeks, dtype="datetime64[D]")[week],
                "units": self.sales[pair, week].astype(np.int64),
            }
        )

    def weekly_truth(self, level: str = "sku", *, held_out_only: bool = True) -> pd.DataFrame:
        """True demand per week: level "sku" (network totals, with `observed`) or "pair"."""
        first = len(self.weeks) - self.held_out if held_out_only else 0
        weeks = np.array(self.weeks[first:], dtype="datetime64[D]")
        demand, expected = self.demand[:, first:], self.expected[:, first:]
        if level == "pair":
            n = demand.shape[1]
            return pd.DataFrame(
                {
                    "sku": np.repeat(self.products["sku"].to_numpy()[self.pair_sku], n),
                    "store": np.repeat(self.stores["store"].to_numpy()[self.pair_store], n),
                    "week_start": np.tile(weeks, len(self.pair_sku)),
                    "demand": demand.ravel().astype(np.int64),
                    "expected": expected.ravel().astype(np.float64),
                }
            )
        if level != "sku":
            raise ValueError("level must be 'sku' or 'pair'")
        n_sku = len(self.products)
        frames = {"demand": demand, "expected": expected}
        observed = np.full((len(self.pair_sku), demand.shape[1]), np.nan)
        loaded = len(self.weeks) - self.held_out - first
        if loaded > 0:
            observed[:, :loaded] = self.sales[:, first:]
        frames["observed"] = observed
        sums = {k: _sum_rows(v, self.pair_sku, n_sku) for k, v in frames.items()}
        sums["observed"][:, max(loaded, 0) :] = np.nan
        return pd.DataFrame(
            {
                "sku": np.repeat(self.products["sku"].to_numpy(), len(weeks)),
                "week_start": np.tile(weeks, n_sku),
                "demand": sums["demand"].ravel().round().astype(np.int64),
                "expected": sums["expected"].ravel(),
                "observed": sums["observed"].ravel(),
            }
        )


def _sum_rows(values: np.ndarray, groups: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros((n, values.shape[1]))
    np.add.at(out, groups, np.nan_to_num(values.astype(np.float64)))
    return out


def daily_split(units: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Weekly units (≥ 0) spread over Monday…Sunday (busier weekends): rows × 7, summing to `units`."""
    return rng.multinomial(np.asarray(units, dtype=np.int64), WEEKDAY_P).astype(np.int32)


# ---------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------


@dataclass
class _Build:
    """Intermediate state of one generation."""

    rng: np.random.Generator
    dims: dict[str, int]
    weeks: list[dt.date]
    stores: pd.DataFrame = field(default_factory=pd.DataFrame)
    products: pd.DataFrame = field(default_factory=pd.DataFrame)
    base: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # skus × stores, expected units/week
    cat_season: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # categories × weeks
    cat_lift: np.ndarray = field(default_factory=lambda: np.zeros(0))
    promo: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=bool))  # skus × weeks, every store
    store_promos: list[tuple[int, int, int]] = field(default_factory=list)  # (sku, store, week)
    promo_rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def loaded(self) -> int:
        return self.dims["weeks"] - self.dims["held_out"]


def generate(size: str = "small", *, seed: int = 26, as_of_week: dt.date = AS_OF_WEEK) -> Scenario:
    """The scenario of `size` (SIZES) for `seed`; `as_of_week` must be a Monday."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}: use one of {sorted(SIZES)}")
    if as_of_week.weekday() != 0:
        raise ValueError("as_of_week must be a Monday")
    dims = SIZES[size]
    loaded = dims["weeks"] - dims["held_out"]
    first = as_of_week - dt.timedelta(weeks=loaded - 1)
    weeks = [first + dt.timedelta(weeks=i) for i in range(dims["weeks"])]
    b = _Build(rng=np.random.default_rng(seed), dims=dims, weeks=weeks)
    _stores(b)
    _products(b)
    _base_rates(b)
    _seasons(b)
    _promotions(b)
    return _simulate(b, size, seed)


def _stores(b: _Build) -> None:
    n, rng = b.dims["stores"], b.rng
    size = rng.lognormal(0, 0.45, n)
    size /= size.mean()
    kind = np.array(["regular"] * n, dtype=object)
    picks = rng.permutation(n)
    opening = picks[: b.dims["opening"]]
    kind[opening] = "opening"
    kind[picks[b.dims["opening"] : b.dims["opening"] + b.dims["inactive"]]] = "inactive"
    regular = np.flatnonzero(kind == "regular")
    like = np.full(n, -1)
    factor = np.ones(n)
    opened_week = np.full(n, -10_000)  # week index the store opened (regular: long ago)
    for i, store in enumerate(opening):
        like[store] = regular[np.argmin(np.abs(size[regular] - size[store]))]
        factor[store] = round(float(rng.uniform(0.7, 1.3)), 2)
        size[store] = size[like[store]] * factor[store]
        opened_week[store] = b.loaded if i % 2 == 0 else b.loaded - 3
    names = np.array([f"Tienda {i + 1:03d}" for i in range(n)], dtype=object)
    opened_on = [
        b.weeks[0] + dt.timedelta(weeks=int(w)) if w > -10_000 else dt.date(2010 + int(rng.integers(0, 14)), 3, 1)
        for w in opened_week
    ]
    b.stores = pd.DataFrame(
        {
            "store": names,
            "code": [f"T{i + 1:03d}" for i in range(n)],
            "opened_on": opened_on,
            "like_store": [names[j] if j >= 0 else None for j in like],
            "size_factor": factor,
            "lead_time_days": rng.integers(1, 5, n),
            "active": kind != "inactive",
            "kind": kind,
            "size": size,
            "like_index": like,
            "opened_week": opened_week,
        }
    )


def _products(b: _Build) -> None:
    n, rng, dims = b.dims["skus"], b.rng, b.dims
    cats = np.array(CATEGORIES[: dims["categories"]], dtype=object)
    cat_p = rng.dirichlet(np.full(len(cats), 4.0))
    category = rng.choice(len(cats), n, p=cat_p)
    popularity = rng.lognormal(-1.2, 1.1, n)  # units a week at an average store: a long tail
    pack = rng.choice(PACKS, n, p=PACK_P)
    display = np.where(rng.random(n) < 0.2, rng.integers(2, 5, n), 0)
    kind = np.array(["regular"] * n, dtype=object)
    order = rng.permutation(n)
    cut = np.cumsum([dims["new"], dims["launching"], max(1, round(SHARES["eol"] * n))])
    kind[order[: cut[0]]] = "new"
    kind[order[cut[0] : cut[1]]] = "launching"
    kind[order[cut[1] : cut[2]]] = "eol"
    b.products = pd.DataFrame(
        {
            "sku": [f"{100000 + i * 7:08d}" for i in range(n)],
            "product_name": [f"{cats[c]} {i:05d}" for i, c in enumerate(category)],
            "category": cats[category],
            "cat_index": category,
            "pack_size": pack.astype(np.int64),
            "display_min": display.astype(np.int64),
            "kind": kind,
            "popularity": popularity,
            "like_sku": None,
            "like_index": -1,
            "launch_factor": 1.0,
        }
    )
    _flags(b)
    _likes(b)


def _flags(b: _Build) -> None:
    """Promoted last week, promoted ahead, CD short: disjoint sets of regular SKUs."""
    p, rng, n = b.products, b.rng, b.dims["skus"]
    regular = np.flatnonzero(p["kind"].to_numpy() == "regular")
    popular = regular[np.argsort(-p["popularity"].to_numpy()[regular])][: max(4, int(0.4 * len(regular)))]
    count = {k: max(2, round(SHARES[k] * n)) for k in ("promo_last", "promo_ahead", "cd_short")}
    short = rng.choice(popular, min(count["cd_short"], len(popular)), replace=False)
    rest = rng.permutation(np.setdiff1d(regular, short))
    last = rest[: count["promo_last"]]
    ahead = rest[count["promo_last"] : count["promo_last"] + count["promo_ahead"]]
    for name, rows in (("cd_short", short), ("promo_last_week", last), ("promo_ahead", ahead)):
        p[name] = False
        p.loc[rows, name] = True
    p.loc[last, "pack_size"] = 1
    p.loc[last, "display_min"] = 0


def _likes(b: _Build) -> None:
    """New and launching SKUs get a like SKU: a regular SKU of their category
    of similar popularity; the request may say it sells more or less."""
    p, rng = b.products, b.rng
    regular = p.index[(p["kind"] == "regular") & ~p["promo_last_week"]]
    for row in p.index[p["kind"].isin(["new", "launching"])]:
        same = regular[p.loc[regular, "cat_index"] == p.at[row, "cat_index"]]
        pool = same if len(same) else regular
        like = pool[np.argmin(np.abs(np.log(p.loc[pool, "popularity"]) - np.log(p.at[row, "popularity"])))]
        p.at[row, "like_index"] = int(like)
        p.at[row, "like_sku"] = p.at[like, "sku"]
        p.at[row, "launch_factor"] = float(rng.choice([1.0, 1.0, 1.0, 0.7, 1.5]))


def _base_rates(b: _Build) -> None:
    """Expected units a week of every (SKU, store) before season and promotions; 0 = not ranged."""
    p, s, rng = b.products, b.stores, b.rng
    n_sku, n_store = len(p), len(s)
    pop = p["popularity"].to_numpy()
    q = pop.argsort().argsort() / max(n_sku - 1, 1)  # popularity percentile
    size = s["size"].to_numpy()
    ranged_p = np.clip(0.1 + 0.55 * q[:, None] + 0.2 * (size[None, :] - 1), 0.04, 0.97)
    ranged = rng.random((n_sku, n_store)) < ranged_p
    affinity = rng.lognormal(-0.125, 0.5, (n_sku, n_store))
    base = np.where(ranged, pop[:, None] * size[None, :] * affinity, 0.0)
    for row in p.index[p["like_index"] >= 0]:  # a new SKU sells where its like SKU does, about as much
        like = base[p.at[row, "like_index"]]
        keep = (like > 0) & (rng.random(n_store) < 0.9)
        extra = (like == 0) & (rng.random(n_store) < 0.05)
        noise = rng.lognormal(0, 0.3, n_store)
        typical = like[like > 0].mean() if (like > 0).any() else 0.0
        base[row] = np.where(keep, like * noise, 0.0) + np.where(extra, typical * noise, 0.0)
        base[row] *= p.at[row, "launch_factor"] * rng.lognormal(0, 0.15)
    for store in s.index[s["like_index"] >= 0]:  # an opening store sells like its like store, to its size
        like = base[:, s.at[store, "like_index"]]
        base[:, store] = like * s.at[store, "size_factor"] * rng.lognormal(0, 0.2, n_sku)
    b.base = base


def _seasons(b: _Build) -> None:
    """Season index per category and week: a December peak of 1× (flat) to 3×, and each category's promotion lift."""
    n_cat = b.dims["categories"]
    peak = b.rng.choice([1.0, 1.4, 2.0, 3.0], n_cat, p=[0.25, 0.3, 0.3, 0.15])
    peak_day = np.array([(w + dt.timedelta(days=3)).timetuple().tm_yday for w in b.weeks], dtype=float)
    distance = np.minimum(np.abs(peak_day - 355), 365 - np.abs(peak_day - 355)) / 7  # weeks from Dec 21
    bump = np.exp(-0.5 * (distance / 2.5) ** 2)
    b.cat_season = 1 + (peak[:, None] - 1) * bump[None, :]
    b.cat_lift = b.rng.uniform(1.6, 2.6, n_cat)


def _promotions(b: _Build) -> None:
    """The promotions calendar: history (every store, a few one store), the as-of week, the first held-out week."""
    p, rng, loaded = b.products, b.rng, b.loaded
    b.promo = np.zeros((len(p), len(b.weeks)), dtype=bool)
    regular = p.index[(p["kind"] == "regular") & ~p["promo_last_week"] & ~p["promo_ahead"]]
    historic = regular[rng.random(len(regular)) < SHARES["history_promo"]]
    n_store = len(b.stores)
    for row in historic:
        start = int(rng.integers(0, loaded - 3))
        length = int(rng.integers(1, 3))
        store = int(rng.integers(0, n_store)) if rng.random() < 0.1 else None
        _promo_add(b, int(row), start, length, store)
    for row in p.index[p["promo_last_week"]]:
        _promo_add(b, int(row), loaded - 1, 1, None)
    for row in p.index[p["promo_ahead"]]:
        _promo_add(b, int(row), loaded, 1, None)


def _promo_add(b: _Build, row: int, start: int, length: int, store: int | None) -> None:
    weeks = range(start, min(start + length, len(b.weeks)))
    if store is None:
        b.promo[row, list(weeks)] = True
    else:
        b.store_promos += [(row, store, w) for w in weeks]
    b.promo_rows.append(
        {
            "sku": b.products.at[row, "sku"],
            "store": None if store is None else b.stores.at[store, "store"],
            "start_date": b.weeks[start],
            "end_date": b.weeks[weeks[-1]] + dt.timedelta(days=6),
            "name": f"Promo {b.products.at[row, 'sku']} {b.weeks[start]:%Y-%m-%d}",
        }
    )


# ---------------------------------------------------------------------------
# Demand and stock over time
# ---------------------------------------------------------------------------


def _life(b: _Build) -> tuple[np.ndarray, np.ndarray]:
    """(SKU × week, store × week) factors: 0 before a launch or an opening, after an end of life or a closing."""
    p, s, rng = b.products, b.stores, b.rng
    n_weeks, loaded = len(b.weeks), b.loaded
    w = np.arange(n_weeks)
    sku_life = np.ones((len(p), n_weeks))
    kind = p["kind"].to_numpy()
    sku_life[kind == "new"] = (w >= loaded).astype(float)
    sku_life[kind == "launching"] = (w >= loaded - 2).astype(float)
    eol_rows = np.flatnonzero(kind == "eol")
    eol_week = rng.integers(loaded - 10, loaded - 3, len(eol_rows))
    sku_life[eol_rows] = (w[None, :] < eol_week[:, None]).astype(float)
    p["first_week"] = None
    p["eol_week"] = None
    p.loc[kind == "launching", "first_week"] = b.weeks[loaded - 2]
    p.loc[kind == "new", "first_week"] = b.weeks[loaded]
    p.loc[eol_rows, "eol_week"] = [b.weeks[int(e)] for e in eol_week]
    store_life = (w[None, :] >= s["opened_week"].to_numpy()[:, None]).astype(float)
    store_life[~s["active"].to_numpy(), loaded:] = 0.0
    return sku_life, store_life


def _simulate(b: _Build, size: str, seed: int) -> Scenario:
    sku_life, store_life = _life(b)
    pair_sku, pair_store = np.nonzero(b.base > 0)
    cat = b.products["cat_index"].to_numpy()[pair_sku]
    no_lift = b.base[pair_sku, pair_store][:, None] * b.cat_season[cat] * sku_life[pair_sku] * store_life[pair_store]
    lift = np.where(b.promo[pair_sku], b.cat_lift[cat][:, None], 1.0)
    pair_of = {(int(k), int(s)): i for i, (k, s) in enumerate(zip(pair_sku, pair_store, strict=True))}
    for k, s, w in b.store_promos:
        if (k, s) in pair_of:
            lift[pair_of[(k, s)], w] = b.cat_lift[cat[pair_of[(k, s)]]]
    expected = no_lift * lift
    demand = b.rng.poisson(expected).astype(np.int32)
    # Stores stock to the expected rate, promotions included, except the
    # as-of week's: that promotion sold from normal stock (the inflation
    # metric then compares the plan with a plain replenishment at the base rate).
    promo_last = b.products["promo_last_week"].to_numpy()[pair_sku]
    planned = np.where(promo_last[:, None], no_lift, expected)
    sales, stock, oos_weeks = _stock_run(b, pair_sku, pair_store, planned, demand)
    loaded = b.loaded
    truth = pd.DataFrame(
        {
            "sku": b.products["sku"].to_numpy()[pair_sku],
            "store": b.stores["store"].to_numpy()[pair_store],
            "demand": demand[:, loaded:].sum(axis=1).astype(np.int64),
            "rate": expected[:, loaded:].mean(axis=1),
            "base_rate": no_lift[:, loaded - 1],
            "stock": stock.astype(np.int64),
            "oos_weeks": oos_weeks.astype(np.int64),
        }
    )
    cd = _cd_stock(b, pair_sku, pair_store, truth)
    return Scenario(
        size=size,
        seed=seed,
        weeks=b.weeks,
        held_out=b.dims["held_out"],
        stores=b.stores.drop(columns=["like_index", "opened_week"]),
        products=b.products.drop(columns=["cat_index", "like_index", "popularity"]),
        request=b.products[["sku", "category", "like_sku", "launch_factor"]].copy(),
        promotions=pd.DataFrame(b.promo_rows, columns=["sku", "store", "start_date", "end_date", "name"]),
        cd_stock=cd,
        store_stock=truth.loc[truth["stock"] > 0, ["sku", "store", "stock"]]
        .rename(columns={"stock": "quantity"})
        .reset_index(drop=True),
        truth=truth,
        pair_sku=pair_sku,
        pair_store=pair_store,
        expected=expected,
        demand=demand,
        sales=sales,
    )


def _order_up_to(b: _Build, pair_sku: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Order-up-to level per pair and loaded week: 1.5–3.5 weeks of the expected
    rate, at least the display minimum and one unit, in whole packs; 0 when no
    demand is expected (not launched, ended, store not open)."""
    pack = b.products["pack_size"].to_numpy()[pair_sku][:, None]
    display = b.products["display_min"].to_numpy()[pair_sku][:, None]
    cover = b.rng.uniform(1.5, 3.5, len(pair_sku))[:, None]
    rate = expected[:, : b.loaded]
    units = np.maximum(np.maximum(np.ceil(cover * rate), display), 1)
    level = pack * np.ceil(units / pack)
    return np.where(rate > 0, level, 0).astype(np.int64)


def _stock_run(
    b: _Build, pair_sku: np.ndarray, pair_store: np.ndarray, planned: np.ndarray, demand: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weekly replenishment to `planned` rates and sales over the loaded weeks. Returns observed
    sales (pairs × loaded weeks), the stock at the snapshot and the trailing
    weeks out of stock (demand expected, nothing to sell)."""
    rng, loaded = b.rng, b.loaded
    level = _order_up_to(b, pair_sku, planned)
    # Launching SKUs were sent only to their category's top stores (the v2 cold start).
    launching = b.products["kind"].to_numpy()[pair_sku] == "launching"
    if launching.any():
        top = _category_top_stores(b)
        cat = b.products["cat_index"].to_numpy()[pair_sku]
        at_top = np.array([s in top[c] for c, s in zip(cat, pair_store, strict=True)])
        level[launching & ~at_top] = 0
    stuck_from = np.where(
        (rng.random(len(pair_sku)) < STUCK_SHARE) & (b.products["kind"].to_numpy()[pair_sku] == "regular"),
        rng.integers(loaded - 12, loaded - 1, len(pair_sku)),
        loaded + 1,
    )
    promo_last = b.products["promo_last_week"].to_numpy()[pair_sku]
    stuck_from[promo_last] = loaded + 1  # the promotion measure needs them stocked
    stock = level[:, 0].copy()
    sales = np.zeros((len(pair_sku), loaded), dtype=np.int32)
    zero_run = np.zeros(len(pair_sku), dtype=np.int64)
    for w in range(loaded):
        if w:
            deliver = (rng.random(len(pair_sku)) >= MISSED_DELIVERY) & (w < stuck_from)
            stock = np.where(deliver & (level[:, w] > stock), level[:, w], stock)
        sales[:, w] = np.minimum(demand[:, w], stock)
        # A week lost to a stock-out: demand was expected and there was nothing to sell.
        zero_run = np.where((stock == 0) & (planned[:, w] > 0), zero_run + 1, 0)
        stock = stock - sales[:, w]
    return sales, stock, zero_run


def _category_top_stores(b: _Build) -> dict[int, set[int]]:
    cat = b.products["cat_index"].to_numpy()
    out = {}
    for c in range(b.dims["categories"]):
        volume = b.base[cat == c].sum(axis=0) * (b.stores["kind"].to_numpy() == "regular")
        out[c] = set(np.argsort(-volume, kind="stable")[:LAUNCH_TOP_STORES].tolist())
    return out


def _cd_stock(b: _Build, pair_sku: np.ndarray, pair_store: np.ndarray, truth: pd.DataFrame) -> pd.DataFrame:
    """CD units per SKU: what the network needs (2 weeks of the base rate less
    store stock, plus 2–5 weeks of the held-out rate), in packs. CD-short SKUs
    get 25–55% of the packs their stores want (one pack at least per store
    that wants any), never less than one pack per empty shelf (stock 0,
    demand expected at an active store): a rule that fills empty shelves
    first can then fill them all. New and launching SKUs get 3–5 weeks of
    their rate, ended SKUs nothing."""
    p, rng = b.products, b.rng
    n = len(p)
    pack = p["pack_size"].to_numpy()
    stock = truth["stock"].to_numpy()
    need_pair = np.maximum(np.ceil(2 * truth["base_rate"].to_numpy()) - stock, 0)
    need = np.bincount(pair_sku, weights=need_pair, minlength=n)
    weekly = np.bincount(pair_sku, weights=truth["rate"].to_numpy(), minlength=n)
    units = need + np.ceil(weekly * rng.uniform(2, 5, n))
    kind = p["kind"].to_numpy()
    launch = np.isin(kind, ["new", "launching"])
    units = np.where(launch, np.ceil(weekly * rng.uniform(3, 5, n)), units)
    units = pack * np.ceil(units / pack)
    wanted = np.bincount(pair_sku, weights=np.ceil(need_pair / pack[pair_sku]), minlength=n)
    active = b.stores["active"].to_numpy()[pair_store]
    empty = np.bincount(pair_sku, weights=(stock <= 0) & (truth["rate"].to_numpy() > 0) & active, minlength=n)
    short_packs = np.maximum(np.floor(wanted * rng.uniform(0.25, 0.55, n)), empty)
    units = np.where(p["cd_short"].to_numpy(), pack * short_packs, units)
    units = np.where(kind == "eol", 0, units)
    return pd.DataFrame({"sku": p["sku"], "quantity": units.astype(np.int64)})
