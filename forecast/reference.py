"""The field's reference forecaster beside ours: statsforecast's AutoETS.

Only when `statsforecast` is installed (requirements-dev; the product runs
without it): importing this module raises ImportError otherwise, and the
evaluation simply leaves the method out. AutoETS fits one model per series
(a Python loop per SKU inside the library), so it is run on at most
`MAX_SKUS` SKUs — the first ones in scope order; the others get no
forecast (NaN) and are not counted in its `n`.
"""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
from statsforecast.models import AutoETS

from forecast import engine

MAX_SKUS = 1_000
SEASON_LENGTH = 52


def autoets_forecast(history: np.ndarray, weeks: list[dt.date], horizon: int) -> np.ndarray:
    """(n_sku, horizon) AutoETS forecasts from each SKU's history since its first sale.

    Weekly seasonality (52) when the SKU has two full years, else non-seasonal
    ETS; fewer than 3 weeks of history: the last value. Negative forecasts → 0."""
    y = np.asarray(history, dtype="float64")
    out = np.full((y.shape[0], horizon), np.nan)
    for i in range(min(y.shape[0], MAX_SKUS)):
        series = y[i]
        sold = np.flatnonzero(series != 0)
        if not len(sold):
            out[i] = 0.0
            continue
        series = series[sold[0] :]
        if len(series) < 3:
            out[i] = series[-1]
            continue
        season = SEASON_LENGTH if len(series) >= 2 * SEASON_LENGTH else 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                mean = AutoETS(season_length=season).forecast(y=series, h=horizon)["mean"]
            except Exception:  # noqa: BLE001 - a fit that fails falls back to the non-seasonal model
                mean = AutoETS(season_length=1).forecast(y=series, h=horizon)["mean"]
        out[i] = np.clip(mean, 0, None)
    return out


def methods() -> dict[str, engine.ExtraMethod]:
    return {engine.AUTOETS: autoets_forecast}
