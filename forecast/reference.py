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
MIN_WEEKS = 8


def autoets_forecast(history: np.ndarray, weeks: list[dt.date], horizon: int) -> np.ndarray:
    """(n_sku, horizon) AutoETS forecasts from each SKU's history since its first sale.

    Weekly seasonality (52) when the SKU has two full years, else non-seasonal
    ETS; a series ETS refuses (too short): the mean of its last weeks. Negative forecasts → 0."""
    y = np.asarray(history, dtype="float64")
    out = np.full((y.shape[0], horizon), np.nan)
    for i in range(min(y.shape[0], MAX_SKUS)):
        series = y[i]
        sold = np.flatnonzero(series != 0)
        if not len(sold):
            out[i] = 0.0
            continue
        series = series[sold[0] :]
        season = SEASON_LENGTH if len(series) >= 2 * SEASON_LENGTH else 1
        mean = np.full(horizon, series[-MIN_WEEKS:].mean())  # too short for ETS: the recent mean
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for length in dict.fromkeys((season, 1)):
                try:
                    mean = AutoETS(season_length=length).forecast(y=series, h=horizon)["mean"]
                    break
                except Exception:  # noqa: BLE001, S112 - a fit that fails tries the simpler model
                    continue
        out[i] = np.clip(mean, 0, None)
    return out


def methods() -> dict[str, engine.ExtraMethod]:
    return {engine.AUTOETS: autoets_forecast}
