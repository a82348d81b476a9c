"""The replay at full density (issue 29): 2,000 SKUs ranged at every one of
150 stores, with 70 weeks of weekly history, replayed 8 weeks × 3 policies
with the CD buying (`cd_mode = purchase`).

The reference bench (`bench --size reference`) replays the top 2,000 SKUs of
its 80,000-pair history: about 44,000 (SKU, store) pairs, 15% of 2,000 × 150.
This step loads the dense shape instead — 300,000 pairs, each selling in
about half of its weeks, with a yearly season — into the weekly table of the
database Django points at, and times `replay_run_create` on it:

    python manage.py bench --replay-dense [--json FILE]

Destructive for the sales table (it is emptied first); products and stores
are created when missing.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

DENSE = {"skus": 2_000, "stores": 150, "weeks": 70, "categories": 25}
LAST_WEEK = dt.date(2026, 6, 22)


def _catalogue(dims: dict[str, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Product ids, their categories and store ids: the bench retailer's first
    `skus` SKUs and `stores` stores, created when missing."""
    from benchmarks import generate
    from inventory.models import Product, Store, store_name_key

    r = generate.retailer({**generate.REFERENCE, **dims})
    skus, categories = r.skus[: dims["skus"]], r.categories[: dims["skus"]]
    have = set(Product.objects.filter(sku__in=list(skus)).values_list("sku", flat=True))
    Product.objects.bulk_create(
        [
            Product(sku=s, name=f"Producto {s}", category=c)
            for s, c in zip(skus, categories, strict=True)
            if s not in have
        ]
    )
    names = r.stores[: dims["stores"]]
    have = set(Store.objects.filter(name__in=names).values_list("name", flat=True))
    # bulk_create skips save(): the unique name key is set here
    Store.objects.bulk_create([Store(name=n, name_key=store_name_key(n)) for n in names if n not in have])
    products = dict(Product.objects.filter(sku__in=list(skus)).values_list("sku", "id"))
    stores = dict(Store.objects.filter(name__in=names).values_list("name", "id"))
    return (
        np.array([products[s] for s in skus], dtype=np.int64),
        np.array([str(c) for c in categories], dtype=object),
        np.array([stores[n] for n in names], dtype=np.int64),
    )


def dense_frames(
    product_ids: np.ndarray, categories: np.ndarray, store_ids: np.ndarray, weeks: int, seed: int = 29
) -> Iterable[pd.DataFrame]:
    """One frame per week: every (SKU, store) pair draws Poisson units around
    its SKU's and store's level × a yearly season; pairs selling 0 have no row."""
    from benchmarks.run import DAYS

    rng = np.random.default_rng(seed)
    n_sku, n_store = len(product_ids), len(store_ids)
    level = np.outer(rng.lognormal(-0.6, 0.9, n_sku), rng.lognormal(0, 0.35, n_store))
    phase = rng.uniform(0, 2 * np.pi, n_sku)[:, None]
    pid = np.repeat(product_ids, n_store)
    sid = np.tile(store_ids, n_sku)
    cat = np.repeat(categories, n_store)
    first = LAST_WEEK - dt.timedelta(weeks=weeks - 1)
    for k in range(weeks):
        season = 1 + 0.35 * np.sin(2 * np.pi * k / 52 + phase)
        units = rng.poisson(level * season).ravel().astype(np.int32)
        keep = units > 0
        frame = pd.DataFrame(
            {"product_id": pid[keep], "store_id": sid[keep], "week_start": first + dt.timedelta(weeks=k)}
        )
        for name in DAYS:
            frame[name] = 0
        frame["mon"] = units[keep]
        frame["units"] = units[keep]
        frame["category"] = cat[keep]
        yield frame


def _backend_cpu_s() -> float | None:
    """CPU seconds of this connection's PostgreSQL backend so far (None on SQLite)."""
    from django.db import connection

    from benchmarks.top import backend_cpu_s

    return None if connection.vendor != "postgresql" else backend_cpu_s()


def replay_dense(
    dims: dict[str, int] | None = None, *, load: bool = True, out: Callable[[str], None] = print
) -> dict[str, Any]:
    """Load the dense history (unless `load` is False: reuse what is there)
    and time the replay of its SKUs; the figures with load average and CPU time."""
    from django.db import connection

    from benchmarks.run import REPLAY_POLICIES, REPLAY_WEEKS, StageClock, history_load, machine, planner_user
    from replay.services import ReplayRequest, replay_run_create

    dims = {**DENSE, **(dims or {})}
    product_ids, categories, store_ids = _catalogue(dims)
    data: dict[str, Any] = {"dims": dims, "vendor": connection.vendor, "machine": machine()}
    if load:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM sales_salesweeklyagg")
        t = time.perf_counter()
        rows = history_load(dense_frames(product_ids, categories, store_ids, dims["weeks"]))
        data |= {"weekly_rows": rows, "load_s": round(time.perf_counter() - t, 1)}
        out(f"  loaded {rows:,} weekly rows in {data['load_s']} s")
    request = ReplayRequest(
        scope="top", top_n=dims["skus"], weeks=REPLAY_WEEKS, cd_supply=1.0, policies=REPLAY_POLICIES
    )
    clock = StageClock()
    user = planner_user()
    load_before, db_cpu = list(os.getloadavg()), _backend_cpu_s()
    wall, cpu = time.perf_counter(), time.process_time()
    run, _warnings = replay_run_create(request=request, user=user, progress=clock)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    db_after = _backend_cpu_s()
    db_cpu = None if db_cpu is None or db_after is None else round(db_after - db_cpu, 2)
    data |= {
        "replay_s": round(wall, 2),
        "replay_cpu_s": round(cpu, 2),
        # The machine is shared: CPU time (this process + its database backend)
        # is what the replay costs; wall time also holds the waits for a core.
        "db_backend_cpu_s": db_cpu,
        "cpu_total_s": round(cpu + (db_cpu or 0.0), 2),
        "loadavg_before": load_before,
        "loadavg_after": list(os.getloadavg()),
        "skus": run.sku_count,
        "stages_s": clock.done(),
        "totals": {r["name"]: r["totals"] for r in run.results},
    }
    out(
        f"  replay_dense_s {wall:8.2f} (CPU {cpu:.1f} s + database {db_cpu or 0:.1f} s, load {load_before[0]:.1f}) · "
        f"{run.sku_count:,} SKUs × {len(store_ids)} stores × {run.weeks} weeks × {len(run.policies)} policies"
    )
    return data
