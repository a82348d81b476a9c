"""A small synthetic retailer for the forecast's accuracy check and bench.

Pure numpy, seeded: `synthetic_sales(...)` returns a SKU × week matrix of
weekly units (network totals) with what a December-selling retailer has —
categories with a Christmas peak of different heights (toys highest), a
summer bump in some, Poisson noise, SKUs that launch during the history,
and end-of-life SKUs whose demand stops (true demand 0 afterwards) while the
stores still hold their stock. The last `held_out` weeks are the truth a
forecast made at the as-of week is judged against.

The realistic shared scenario (benchmarks/scenario.py, issue 26) is the
acceptance check; this one keeps the forecast's own tests and bench honest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

# The as-of week of the default scenario: the held-out weeks are December.
AS_OF = dt.date(2026, 11, 23)


@dataclass(frozen=True)
class Synthetic:
    units: np.ndarray  # (n_sku, history + held_out) weekly units
    weeks: list[dt.date]  # Mondays of the columns
    history: int  # columns up to and including the as-of week
    skus: list[str]
    categories: list[str]
    eol: np.ndarray  # (n_sku,) bool: demand stopped before the as-of week (true future demand 0)
    store_stock: np.ndarray  # (n_sku,) units the stores still hold

    @property
    def as_of(self) -> dt.date:
        return self.weeks[self.history - 1]


def _season(woy: np.ndarray, peak: float, summer: float) -> np.ndarray:
    """Christmas peak (weeks 47–52, highest in week 51) plus a summer bump."""
    christmas = np.exp(-(((woy - 51.0) / 2.2) ** 2)) + 0.35 * np.exp(-(((woy - 48.0) / 1.5) ** 2))
    summer_bump = np.exp(-(((woy - 28.0) / 4.0) ** 2))
    return 1.0 + peak * christmas + summer * summer_bump


def synthetic_sales(
    n_sku: int = 2_000,
    n_categories: int = 10,
    history: int = 104,
    held_out: int = 4,
    *,
    as_of: dt.date = AS_OF,
    eol_share: float = 0.1,
    new_share: float = 0.05,
    seed: int = 28,
) -> Synthetic:
    rng = np.random.default_rng(seed)
    width = history + held_out
    first = as_of - dt.timedelta(weeks=history - 1)
    weeks = [first + dt.timedelta(weeks=i) for i in range(width)]
    woy = np.array([min(w.isocalendar()[1], 52) for w in weeks], dtype="float64")
    names = [f"Cat{c:02d}" for c in range(n_categories)]
    # Category 0 is "toys": the highest Christmas peak.
    peaks = np.concatenate([[4.0], rng.uniform(0.2, 2.0, n_categories - 1)]) if n_categories > 1 else np.array([4.0])
    summers = rng.uniform(0.0, 0.5, n_categories)
    seasons = np.stack([_season(woy, peaks[c], summers[c]) for c in range(n_categories)])
    codes = rng.integers(0, n_categories, n_sku)
    base = rng.lognormal(mean=1.2, sigma=0.9, size=n_sku)  # ~3.3 units a week, long tail
    trend = 1.0 + rng.normal(0.0, 0.002, n_sku)[:, None] * np.arange(width)[None, :]
    demand = base[:, None] * seasons[codes] * np.clip(trend, 0.3, None)

    alive = np.ones((n_sku, width), dtype=bool)
    kind = rng.random(n_sku)
    eol = kind < eol_share
    # End of life: demand stops 9–40 weeks before the as-of week.
    stop = history - rng.integers(9, 41, n_sku)
    alive &= ~(eol[:, None] & (np.arange(width)[None, :] >= stop[:, None]))
    new = (kind >= eol_share) & (kind < eol_share + new_share)
    launch = history - rng.integers(6, 30, n_sku)
    alive &= ~(new[:, None] & (np.arange(width)[None, :] < launch[:, None]))
    units = rng.poisson(np.where(alive, demand, 0.0)).astype("float64")
    store_stock = np.where(eol, rng.integers(5, 60, n_sku), rng.integers(0, 30, n_sku))
    return Synthetic(
        units=units,
        weeks=weeks,
        history=history,
        skus=[f"{i:08d}" for i in range(n_sku)],
        categories=[names[c] for c in codes],
        eol=eol,
        store_stock=store_stock,
    )
