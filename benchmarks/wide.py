"""The wide cold-start run on its own (SPEC v2 §11a): 2,000 SKUs × 150 stores.

    DJANGO_SETTINGS_MODULE=fastdso.settings python -m benchmarks.wide [--skus 2000] [--repeat 3]

Builds (once) a small retailer in the configured database: 150 stores, one
category whose 5 selling SKUs sold at every store in the last 12 weeks, and
`--skus` new SKUs of that category without sales; then times
`distribution_run_create` of those SKUs with cold start to all stores and no
CD limit (one line per SKU and store), stage by stage. Each run is deleted
after it is timed, so the table does not grow between repeats.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path
from typing import Any

STORES = 150
CATEGORY = "Cables"


def dataset(skus: int) -> list[str]:
    """The request's SKUs; the data is created the first time."""
    from inventory.models import Product, Store, store_name_key
    from sales.models import SalesLoad, SalesWeeklyAgg

    wanted = [f"W{i:07d}" for i in range(skus)]
    if Product.objects.filter(sku__in=wanted).count() == skus:
        return wanted
    stores = Store.objects.bulk_create(
        [Store(name=f"Tienda {i}", name_key=store_name_key(f"Tienda {i}")) for i in range(1, STORES + 1)]
    )
    sellers = Product.objects.bulk_create([Product(sku=f"S{i:03d}", name="Vende", category=CATEGORY) for i in range(5)])
    Product.objects.bulk_create([Product(sku=s, name=f"Nuevo {s}", category=CATEGORY) for s in wanted])
    monday = dt.date(2026, 3, 2)
    weeks = [monday - dt.timedelta(weeks=i) for i in range(12)]
    rows = [
        SalesWeeklyAgg(
            product=p, store=s, week_start=w, units=1 + (s.pk + i) % 7, mon=1 + (s.pk + i) % 7, category=CATEGORY
        )
        for i, p in enumerate(sellers)
        for s in stores
        for w in weeks
    ]
    SalesWeeklyAgg.objects.bulk_create(rows, batch_size=5000)
    SalesLoad.objects.create(file_name="wide", first_date=weeks[-1], last_date=monday + dt.timedelta(days=6))
    return wanted


class Stages:
    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.stage = "start"
        self.times: dict[str, float] = {}

    def __call__(self, _percent: float = 0, stage: str = "", **_counts: Any) -> None:
        now = time.perf_counter()
        self.times[self.stage] = self.times.get(self.stage, 0) + now - self.last
        self.stage, self.last = stage or self.stage, now


def wide_run(skus: list[str], work: Path) -> tuple[float, dict[str, float], int]:
    from distribution.engine import DistributionParams
    from distribution.models import DistributionRun
    from distribution.services import distribution_run_create

    path = work / "wide.csv"
    path.write_text("sku\n" + "\n".join(skus) + "\n", encoding="utf-8")
    params = DistributionParams(cold_start_top_n=STORES, limit_by_cd=False)
    stages = Stages()
    start = time.perf_counter()
    run = distribution_run_create(request_path=path, file_name="wide.csv", params=params, progress=stages).run
    elapsed = time.perf_counter() - start
    stages(100, "commit")
    lines = run.line_count
    DistributionRun.objects.filter(pk=run.pk).delete()
    return elapsed, stages.times, lines


def main() -> None:
    import django

    django.setup()
    parser = argparse.ArgumentParser()
    parser.add_argument("--skus", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    skus = dataset(args.skus)
    with tempfile.TemporaryDirectory() as work:
        for _ in range(args.repeat):
            elapsed, stages, lines = wide_run(skus, Path(work))
            shown = ", ".join(f"{k} {v:.2f}" for k, v in stages.items() if v >= 0.01)
            print(f"wide run: {elapsed:.2f} s, {lines:,} lines ({shown})", flush=True)


if __name__ == "__main__":
    main()
