"""The SPEC §11 benchmark: every figure measured on the database Django points at.

`python manage.py bench [--size small|reference] [--json FILE] [--skip …]`.
Destructive for the benchmark's tables (it empties sales, stock, products,
stores, runs and plans first): point DATABASE_URL at a database of its own.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import resource
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from django.db import connection, transaction
from pyarrow import csv as pa_csv

from benchmarks import generate, top
from fastdso.db import chunks

SIZES = {"small": generate.SMALL, "reference": generate.REFERENCE, "top": top.TOP}
STEPS = ("upload", "floor", "reupload", "distribution", "redistribution", "replay", "pages", "open_runs", "forecast")
OPEN_RUNS = 20  # SPEC §5.7: a run planned while this many approved runs hold stock
# History for the table-size test: pairs × weeks rows (≥ 10M at the reference size).
HISTORY = {"small": {"pairs": 2_400, "weeks": 130}, "reference": {"pairs": 80_000, "weeks": 130}}
SCOPE_SKUS = {"small": 200, "reference": 2_000}

# SPEC §11 targets, raised by §11a (v2) where it says so; the floor ratios are
# issue #21's independent check: (figure, target text, check(value, figures) -> bool | None)
TARGETS: dict[str, tuple[str, Callable[[float, dict], bool | None]]] = {
    "upload_s": ("≤ 25 s (v2)", lambda v, f: v <= 25),
    "upload_peak_rss_mb": ("≤ 1024 MB (v2)", lambda v, f: v <= 1024),
    "floor_s": ("(reference: ~35 s on 2 cores)", lambda v, f: None),
    "upload_floor_ratio": ("≤ 0.5× (v2 check; v1 1.5×)", lambda v, f: v <= 0.5),
    "reupload_s": ("≤ 10 s (v2)", lambda v, f: v <= 10),
    "reupload_ratio": ("≤ 0.5×", lambda v, f: v <= 0.5),
    "reupload_floor_ratio": ("≤ 0.2× (v2 check)", lambda v, f: v <= 0.2),
    "distribution_small_table_s": ("≤ 5 s", lambda v, f: v <= 5),
    "distribution_big_table_s": ("≤ 1 s (v2)", lambda v, f: v <= 1),
    "distribution_table_ratio": ("≤ 1.3×", lambda v, f: v <= 1.3),
    "distribution_after_upload_table_s": ("≤ 1 s (v3)", lambda v, f: v <= 1),
    "distribution_wide_run_s": ("≤ 4 s (v2)", lambda v, f: v <= 4),
    "redistribution_s": ("≤ 5 s", lambda v, f: v <= 5),
    "replay_s": ("≤ 60 s (reference)", lambda v, f: v <= 60),
    "distribution_open_runs_s": ("≤ 5 s", lambda v, f: v <= 5),
    "run_lines_page_ms": ("≤ 300 ms", lambda v, f: v <= 300),
    "alerts_page_ms": ("≤ 300 ms", lambda v, f: v <= 300),
    "store_health_compute_s": ("(no target: a job)", lambda v, f: None),
    # SPEC v3 §6: forecast + its backtest, engine only (20,000 SKUs × 104 weeks at the reference size).
    "forecast_backtest_s": ("≤ 30 s (v3, reference)", lambda v, f: v <= 30),
}


# SPEC v3 §11b: the top of the range (`bench --size top`, PostgreSQL only; not in the small bench).
def _at_most(limit: float) -> Callable[[float, dict], bool | None]:
    return lambda v, f: v <= limit


TOP_TARGETS: dict[str, tuple[str, Callable[[float, dict], bool | None]]] = {
    name: (f"≤ {limit} (v3 top)", _at_most(limit)) for name, limit in top.TARGETS_TOP.items()
}


@dataclass
class Report:
    size: str
    vendor: str
    figures: dict[str, float] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    out: Callable[[str], None] = print

    def figure(self, name: str, value: float, note: str = "") -> None:
        self.figures[name] = round(float(value), 3)
        target, check = TARGETS.get(name) or TOP_TARGETS.get(name, ("", lambda v, f: None))
        ok = check(float(value), self.figures)
        mark = "" if ok is None else ("OK  " if ok else "MISS")
        self.out(f"  {mark:4} {name:28} {value:12.3f}   target {target:28} {note}")

    def as_json(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "vendor": self.vendor,
            "machine": machine(),
            "figures": self.figures,
            "details": self.details,
        }


def machine() -> dict[str, Any]:
    mem = 0
    try:
        with open("/proc/meminfo") as handle:
            mem = int(handle.readline().split()[1]) // 1024
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "mem_mb": mem, "loadavg": list(os.getloadavg())}


class RssPeak:
    """Peak resident memory of this process while the block runs (sampled from /proc)."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._page = os.sysconf("SC_PAGE_SIZE")

    def _rss(self) -> int:
        try:
            with open("/proc/self/statm") as handle:
                return int(handle.read().split()[1]) * self._page
        except OSError:
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            self._stop.wait(self.interval)

    def __enter__(self) -> RssPeak:
        self.peak = self.start = self._rss()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())

    @property
    def mb(self) -> float:
        return self.peak / 1024 / 1024


class StageClock:
    """A progress callback that records how long each named stage of a service took."""

    def __init__(self) -> None:
        self.stages: dict[str, float] = {}
        self._stage = ""
        self._since = time.perf_counter()

    def __call__(self, _percent: float = 0, stage: Any = "", **_counts: Any) -> None:
        # A stage is a code ("stage.writing_weekly") or a Message with values
        # (a replay week): timed under its code, every week of a policy together.
        name = str(getattr(stage, "code", stage))
        if name and name != self._stage:
            self._close()
            self._stage = name

    def _close(self) -> None:
        now = time.perf_counter()
        if self._stage:
            self.stages[self._stage] = round(self.stages.get(self._stage, 0.0) + now - self._since, 3)
        self._since = now

    def done(self) -> dict[str, float]:
        self._close()
        self._stage = ""
        return self.stages


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


# ---------------------------------------------------------------------------
# Setup
# ---------------------------------------------------------------------------

OUR_APPS = ("inventory", "sales", "distribution", "redistribution", "forecast", "replay", "dashboard", "fastdso")


def reset_tables() -> None:
    """Empty every table of FastDSO's apps (users and groups stay)."""
    from django.apps import apps

    existing = set(connection.introspection.table_names())
    tables = [
        m._meta.db_table
        for label in OUR_APPS
        if label in {a.label for a in apps.get_app_configs()}
        for m in apps.get_app_config(label).get_models()
        if m._meta.db_table in existing and not m._meta.proxy
    ]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        return
    with connection.constraint_checks_disabled(), connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - our table names


def has_data() -> bool:
    from inventory.models import Product

    return Product.objects.exists()


def planner_user() -> Any:
    from django.contrib.auth.models import Group, Permission, User

    user, _ = User.objects.get_or_create(username="bench_planner")
    group, created = Group.objects.get_or_create(name="planner")
    if created:
        group.permissions.add(Permission.objects.get(content_type__app_label="fastdso", codename="plan"))
    user.groups.add(group)
    return user


# ---------------------------------------------------------------------------
# The loading floor: parse + weekly aggregate + COPY + upsert, nothing else
# ---------------------------------------------------------------------------

FLOOR_TABLE = "bench_floor_weekly"
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _floor_table_create() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")
        if connection.vendor == "postgresql":
            # Same columns, CHECK, unique and secondary indexes as SalesWeeklyAgg (no FKs).
            cursor.execute(f"CREATE TABLE {FLOOR_TABLE} (LIKE sales_salesweeklyagg INCLUDING ALL)")
        else:
            cursor.execute("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'sales_salesweeklyagg'")
            rows = cursor.fetchall()
            for kind, name, sql in sorted(rows, key=lambda r: r[0] != "table"):
                if not sql or kind == "trigger":  # the summary's triggers are FastDSO's cost, not the floor's
                    continue
                sql = sql.replace('"sales_salesweeklyagg"', f'"{FLOOR_TABLE}"')
                if kind == "index":
                    sql = sql.replace(f'"{name}"', f'"bench_{name}"')
                cursor.execute(sql)


def _floor_write(weekly: pd.DataFrame, stages: dict[str, float]) -> None:
    """The floor's write: COPY into a temporary table and one upsert (PostgreSQL),
    or batched upserts (SQLite), each stage timed into `stages`."""
    columns = ["product_id", "store_id", "week_start", *DAYS, "units", "category"]
    with transaction.atomic(), connection.cursor() as cursor:
        t2 = time.perf_counter()
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE TEMP TABLE bench_floor_tmp (product_id bigint, store_id bigint, week_start date, "
                + ", ".join(f"{d} integer" for d in DAYS)
                + ", units integer, category text) ON COMMIT DROP"
            )
            buffer_table = pa.Table.from_pandas(weekly[columns], preserve_index=False)
            with cursor.cursor.copy(f"COPY bench_floor_tmp ({', '.join(columns)}) FROM STDIN (FORMAT csv)") as copy:
                for batch in buffer_table.to_batches(200_000):
                    sink = pa.BufferOutputStream()
                    pa_csv.write_csv(pa.Table.from_batches([batch]), sink, pa_csv.WriteOptions(include_header=False))
                    copy.write(sink.getvalue().to_pybytes())
            stages["copy"] = time.perf_counter() - t2
            t3 = time.perf_counter()
            updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in [*DAYS, "units", "category"])
            cursor.execute(
                f"INSERT INTO {FLOOR_TABLE} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM bench_floor_tmp "  # noqa: S608
                f"ON CONFLICT (product_id, store_id, week_start) DO UPDATE SET {updates}"
            )
            stages["upsert"] = time.perf_counter() - t3
        else:
            stages["copy"] = 0.0
            rows = weekly[columns].assign(week_start=weekly["week_start"].dt.strftime("%Y-%m-%d"))
            updates = ", ".join(f"{c} = excluded.{c}" for c in [*DAYS, "units", "category"])
            sql = (
                f"INSERT INTO {FLOOR_TABLE} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "  # noqa: S608
                f"ON CONFLICT (product_id, store_id, week_start) DO UPDATE SET {updates}"
            )
            values = rows.astype(object).to_numpy().tolist()
            for batch in chunks(values, 200_000):
                cursor.executemany(sql, batch)
            stages["upsert"] = time.perf_counter() - t2


def floor_measure(path: Path, report: Report) -> float:
    """The SPEC §11 loading floor, each stage timed."""
    from inventory.models import Product, Store

    _floor_table_create()
    stages: dict[str, float] = {}
    t0 = time.perf_counter()
    table = pa_csv.read_csv(
        path,
        convert_options=pa_csv.ConvertOptions(
            column_types={"sku": pa.string(), "store": pa.string(), "date": pa.date32(), "quantity": pa.int64()}
        ),
    )
    stages["parse"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    sku_codes, skus = pd.factorize(table.column("sku").to_pandas())
    store_codes, stores = pd.factorize(table.column("store").to_pandas())
    day = table.column("date").to_numpy().astype("datetime64[D]").astype(np.int64) + 3  # 1970-01-01 is a Thursday
    qty = table.column("quantity").to_numpy()
    del table
    catalogue = pd.DataFrame(list(Product.objects.values_list("sku", "id", "category")), columns=["sku", "id", "cat"])
    catalogue = catalogue.set_index("sku").reindex(skus)
    product_id = catalogue["id"].to_numpy(np.int64)
    product_category = catalogue["cat"].to_numpy(object)
    store_id = pd.Series(dict(Store.objects.values_list("name", "id"))).reindex(stores).to_numpy(np.int64)
    week, weekday = np.divmod(day, 7)
    key = (sku_codes.astype(np.int64) << 40) | (store_codes.astype(np.int64) << 20) | week
    unique, inverse = np.unique(key, return_inverse=True)
    days = np.zeros((len(unique), 7), dtype=np.int64)
    np.add.at(days, (inverse, weekday), qty)
    weekly = pd.DataFrame(
        {
            "product_id": product_id[unique >> 40],
            "store_id": store_id[(unique >> 20) & 0xFFFFF],
            "week_start": ((unique & 0xFFFFF) * 7 - 3).astype("datetime64[D]"),
        }
    )
    for index, name in enumerate(DAYS):
        weekly[name] = days[:, index].astype(np.int32)
    weekly["units"] = days.sum(axis=1)
    weekly["category"] = product_category[unique >> 40]
    stages["aggregate"] = time.perf_counter() - t1
    _floor_write(weekly, stages)
    total = time.perf_counter() - t0
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")
    report.details["floor_stages_s"] = {k: round(v, 3) for k, v in stages.items()}
    report.details["floor_weekly_rows"] = len(weekly)
    return total


# ---------------------------------------------------------------------------
# Two-year weekly history, loaded by the fastest path
# ---------------------------------------------------------------------------


def history_frames(
    r: generate.Retailer, ids: dict[str, Any], pairs: int, weeks: Iterable[dt.date]
) -> Iterable[pd.DataFrame]:
    """`pairs` (SKU, store) pairs skewed to popular SKUs, one row per pair and week."""
    rng = np.random.default_rng(31)
    n_sku, n_store = len(r.skus), len(r.stores)
    sku_p = rng.lognormal(0, 1.2, n_sku)
    sku_p /= sku_p.sum()
    sku_idx = rng.choice(n_sku, size=int(pairs * 1.6), p=sku_p)
    store_idx = rng.integers(0, n_store, len(sku_idx))
    pair = np.unique(sku_idx.astype(np.int64) * n_store + store_idx)[:pairs]
    product_id = ids["product"][pair // n_store]
    store_id = ids["store"][pair % n_store]
    category = ids["category"][pair // n_store]
    for week in weeks:
        days = rng.geometric(0.6, size=(len(pair), 7)).astype(np.int32) - 1
        frame = pd.DataFrame({"product_id": product_id, "store_id": store_id, "week_start": week})
        for index, name in enumerate(DAYS):
            frame[name] = days[:, index]
        frame["units"] = days.sum(axis=1)
        frame["category"] = category
        yield frame


def _history_more(r: generate.Retailer, ids: dict[str, Any], pairs: int, weeks: Iterable[dt.date]) -> int:
    return history_load(history_frames(r, ids, pairs, weeks))


def history_load(frames: Iterable[pd.DataFrame]) -> int:
    from sales.partitions import partitions_ensure
    from sales.queries import default_as_of_week
    from sales.summary import summary_fill

    columns = ["product_id", "store_id", "week_start", *DAYS, "units", "category"]
    total = 0
    with transaction.atomic(), connection.cursor() as cursor:
        sqlite_indexes = _sqlite_indexes_drop(cursor) if connection.vendor == "sqlite" else []
        for frame in frames:
            frame = frame[columns]
            week = pd.Timestamp(frame["week_start"].iloc[0]).date()
            partitions_ensure(week, week)  # PostgreSQL: the week's monthly partition (no-op elsewhere)
            if connection.vendor == "postgresql":
                table = pa.Table.from_pandas(frame.assign(week_start=pd.to_datetime(frame["week_start"]).dt.date))
                sink = pa.BufferOutputStream()
                pa_csv.write_csv(table, sink, pa_csv.WriteOptions(include_header=False))
                with cursor.cursor.copy(
                    f"COPY sales_salesweeklyagg ({', '.join(columns)}) FROM STDIN (FORMAT csv)"
                ) as copy:
                    copy.write(sink.getvalue().to_pybytes())
            else:
                values = frame.assign(week_start=str(frame["week_start"].iloc[0])).astype(object).to_numpy().tolist()
                cursor.executemany(
                    f"INSERT INTO sales_salesweeklyagg ({', '.join(columns)}) "  # noqa: S608
                    f"VALUES ({', '.join(['%s'] * len(columns))})",
                    values,
                )
            total += len(frame)
        for statement in sqlite_indexes:
            cursor.execute(statement)
        # What the macro import does at its end: keep the cold start's summary.
        as_of_week = default_as_of_week()
        if as_of_week is not None:
            summary_fill(as_of_week)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Measure the table as it is in steady state (what autovacuum leaves
            # after a bulk load: hint bits and visibility map set, statistics
            # fresh, dirty pages written), not the write-back right after COPY.
            cursor.execute("VACUUM (ANALYZE) sales_salesweeklyagg")
            cursor.execute("CHECKPOINT")
        else:
            cursor.execute("ANALYZE")
    return total


def _sqlite_indexes_drop(cursor: Any) -> list[str]:
    """SQLite has no COPY: its fastest bulk load fills the table without its
    indexes and builds them once at the end. Returns the CREATE statements."""
    cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'sales_salesweeklyagg'")
    indexes = [(name, sql) for name, sql in cursor.fetchall() if sql]
    for name, _sql in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    return [sql for _name, sql in indexes]


# ---------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------


@dataclass
class Bench:
    """One bench run: its size, files, report and what it skips."""

    size: str
    work: Path
    files: dict[str, Path]
    report: Report
    skip: set[str]
    out: Callable[[str], None]
    retailer: Any = None
    user: Any = None
    products: pd.DataFrame | None = None
    run_obj: Any = None


BIG = 1 << 40  # no upload limit for the bench's files


def run(
    *,
    size: str = "small",
    workdir: Path | None = None,
    skip: Iterable[str] = (),
    reset: bool = False,
    daily_rows: int | None = None,
    top_weeks: int = top.TOP_WEEKS,
    reuse: bool = False,
    out: Callable[[str], None] = print,
) -> dict[str, Any]:
    """`daily_rows`: a smaller macro file than the size's (how upload cost grows);
    `top_weeks`: the weeks of history of `--size top` (104); `reuse`: measure
    again on the history a previous `--size top` left (no reset, no generation)."""
    if has_data() and not reset and not reuse:
        raise RuntimeError("La base de datos ya tiene productos: use --reset (borra ventas, stock, runs y planes).")
    if reuse and size != "top":
        raise RuntimeError("--reuse es solo para --size top.")
    if not reuse:
        reset_tables()
    report = Report(size=size, vendor=connection.vendor, out=out)
    report.details["loadavg_start"] = list(os.getloadavg())
    out(f"FastDSO bench · size={size} · db={connection.vendor} · {machine()}")
    work = Path(workdir or tempfile.mkdtemp(prefix="fastdso-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    files = {k: work / f"{k}.csv" for k in ("products", "sales", "cd", "stores", "request")}
    bench = Bench(size=size, work=work, files=files, report=report, skip=set(skip), out=out)
    if size == "top":
        top.top_run(bench, weeks=top_weeks, reuse=reuse)
        report.details["loadavg_end"] = list(os.getloadavg())
        return report.as_json()
    _step_setup(bench, daily_rows)
    if "upload" not in bench.skip:
        _step_upload(bench)
    bench.user = planner_user()
    if "upload" not in bench.skip and "distribution" not in bench.skip:
        # The order an independent check takes: upload, then a run (the upload's
        # 4.1M rows, not yet vacuumed; all 2,000 SKUs sell: ~43k lines).
        pd.DataFrame({"sku": bench.retailer.skus[: SCOPE_SKUS[size]]}).to_csv(bench.files["request"], index=False)
        _distribution_run(bench, "after_upload", report.details["upload_weekly_rows"])
    if {"distribution", "redistribution", "replay", "pages"} - bench.skip:
        _step_distribution(bench)
    if "replay" not in bench.skip:
        _step_replay(bench)
    if "redistribution" not in bench.skip:
        _step_redistribution(bench)
    if "pages" not in bench.skip:
        _step_pages(bench)
    # (g) last, so the earlier figures are not affected: the same run while 20
    # approved runs of the same SKUs hold CD stock and stock in transit.
    if "open_runs" not in bench.skip and "distribution" not in bench.skip:
        _step_open_runs(bench)
    if "forecast" not in bench.skip:
        forecast_step(report, size)
    report.details["loadavg_end"] = list(os.getloadavg())
    return report.as_json()


def forecast_step(report: Report, size: str) -> None:
    """(h) the purchase forecast and its backtest on a synthetic SKU × week history (engine only)."""
    from benchmarks.forecast_bench import forecast_measure

    data = forecast_measure(size)
    report.details["forecast"] = data
    report.figure(
        "forecast_backtest_s",
        data["total_s"],
        f"{data['skus']:,} SKUs × {data['weeks']} wk: forecast {data['forecast_s']:.1f} s + backtest "
        f"{data['backtest_s']:.1f} s",
    )
    acc = data["accuracy"]
    report.out(
        f"       synthetic December, SKU level: seasonal WAPE {acc['seasonal_wape']:.1%} bias "
        f"{acc['seasonal_bias']:+.1%} · sma WAPE {acc['sma_wape']:.1%} bias {acc['sma_bias']:+.1%} · "
        f"end-of-life units seasonal {acc['seasonal_eol_units']:,.0f} vs sma {acc['sma_eol_units']:,.0f}"
    )


def forecast_only(size: str = "small", out: Callable[[str], None] = print) -> dict[str, Any]:
    """`bench --forecast`: only the forecast line, without touching the database."""
    report = Report(size=size, vendor=connection.vendor, out=out)
    out(f"FastDSO bench · forecast only · size={size} · {machine()}")
    forecast_step(report, size)
    return report.as_json()


def _step_setup(bench: Bench, daily_rows: int | None) -> None:
    """Generate the retailer's files; load products and stock through the real services."""
    from inventory.services import cd_stock_import, products_import, store_stock_import

    files, report = bench.files, bench.report
    dims = SIZES[bench.size] if daily_rows is None else {**SIZES[bench.size], "daily_rows": daily_rows}
    r = bench.retailer = generate.retailer(dims)
    t, rows = timed(lambda: generate.write_daily_sales(r, dims["daily_rows"], files["sales"]))
    generate.write_products(r, files["products"])
    generate.write_cd_stock(r, files["cd"])
    stock_rows = generate.write_store_stock(r, files["stores"])
    report.details.update(
        daily_rows=rows, sales_file_mb=round(files["sales"].stat().st_size / 2**20, 1), generate_s=round(t, 2)
    )
    bench.out(f"  generated {rows:,} daily rows ({report.details['sales_file_mb']} MB) in {t:.1f} s")
    products_import(path=files["products"], max_bytes=BIG)
    cd_stock_import(path=files["cd"], snapshot_date=r.end, max_bytes=BIG)
    store_stock_import(path=files["stores"], snapshot_date=r.end, max_bytes=BIG)
    report.details["store_stock_rows"] = stock_rows


def _step_upload(bench: Bench) -> None:
    """(a) the macro upload end to end through the real service, (b) the loading
    floor, same run, (c) the same file again."""
    from sales.services import macro_sales_import

    report, path = bench.report, bench.files["sales"]
    clock = StageClock()
    with RssPeak() as rss:
        t, cpu, load, result = top.clocked(lambda: macro_sales_import(path=path, max_bytes=BIG, progress=clock))
    report.details["upload_cpu_s"] = round(cpu, 3)  # this process + its backend (not parallel workers)
    report.details["upload_loadavg"] = [round(x, 2) for x in load]
    report.details["upload_weekly_rows"] = result.weekly_rows
    report.details["upload_stages_s"] = clock.done()
    bench.out(f"  upload stages: {report.details['upload_stages_s']}")
    report.figure("upload_s", t, f"{result.rows_read:,} rows → {result.weekly_rows:,} weekly")
    report.details["rss_before_upload_mb"] = round(rss.start / 2**20)
    report.figure(
        "upload_peak_rss_mb", rss.mb, f"(whole process; {rss.start / 2**20:.0f} MB before the upload started)"
    )
    if "floor" not in bench.skip:
        floor = floor_measure(path, report)
        report.figure("floor_s", floor, str(report.details["floor_stages_s"]))
        report.figure("upload_floor_ratio", t / floor)
    if "reupload" not in bench.skip:
        clock = StageClock()
        t2, again = timed(lambda: macro_sales_import(path=path, max_bytes=BIG, progress=clock))
        report.details["reupload_stages_s"] = clock.done()
        bench.out(f"  re-upload stages: {report.details['reupload_stages_s']}")
        report.figure("reupload_s", t2, f"{again.rows_written:,} rows rewritten")
        report.figure("reupload_ratio", t2 / t)
        if "floor_s" in report.figures:
            report.figure("reupload_floor_ratio", t2 / report.figures["floor_s"])


def _history_ids(bench: Bench) -> dict[str, np.ndarray]:
    """Product ids, categories and store ids of the generated retailer, in its order."""
    from inventory.models import Product, Store

    r = bench.retailer
    products = pd.DataFrame(list(Product.objects.values_list("sku", "id", "category")), columns=["sku", "id", "cat"])
    bench.products = products
    by_sku = products.set_index("sku").reindex(r.skus)
    return {
        "product": by_sku["id"].to_numpy(np.int64),
        "category": by_sku["cat"].to_numpy(object),
        "store": pd.Series(dict(Store.objects.values_list("name", "id"))).reindex(r.stores).to_numpy(np.int64),
    }


def _step_distribution(bench: Bench) -> None:
    """(d) a distribution run of the scope SKUs on a small and a 10× bigger table,
    then a wide run (cold start to every store) for the lines page."""
    r, report, size = bench.retailer, bench.report, bench.size
    ids = _history_ids(bench)
    hist = HISTORY[size]
    last_week = r.end - dt.timedelta(days=6)
    all_weeks = [last_week - dt.timedelta(weeks=i) for i in range(hist["weeks"])]
    recent, older = all_weeks[: hist["weeks"] // 10], all_weeks[hist["weeks"] // 10 :]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sales_salesweeklyagg")
    t, small_rows = timed(lambda: history_load(history_frames(r, ids, hist["pairs"], recent)))
    bench.out(f"  loaded {small_rows:,} weekly rows in {t:.1f} s")
    pd.DataFrame({"sku": r.skus[: SCOPE_SKUS[size]]}).to_csv(bench.files["request"], index=False)
    times = {}
    for label, frames in (("small", None), ("big", older)):
        if frames is not None:
            t, more = timed(functools.partial(_history_more, r, ids, hist["pairs"], frames))
            bench.out(f"  loaded {more:,} more weekly rows in {t:.1f} s")
        table_rows = small_rows if frames is None else small_rows + more
        report.details[f"distribution_{label}_table_rows"] = table_rows
        if "distribution" not in bench.skip:
            times[label] = _distribution_run(bench, label, table_rows)
    if times:
        report.figure("distribution_table_ratio", times["big"] / times["small"])
    if "pages" not in bench.skip:
        _wide_run(bench, ids)


RUN_SAMPLES = 3  # the run is timed 3 times; the median is the figure (the machine may be shared)


def _distribution_run(bench: Bench, label: str, table_rows: int) -> float:
    """The scope's run, RUN_SAMPLES times: the median wall time is the figure;
    each sample's wall, CPU (this process + its database backend) and load
    average go to details (CPU is what the run cost on a busy machine)."""
    from distribution.engine import DistributionParams
    from distribution.services import distribution_run_create

    samples = []
    for _ in range(RUN_SAMPLES):
        clock = StageClock()
        elapsed, cpu, loadavg, created = top.clocked(
            lambda clock=clock: distribution_run_create(
                request_path=bench.files["request"],
                file_name="bench.csv",
                params=DistributionParams(),
                user=bench.user,
                progress=clock,
            )
        )
        samples.append((elapsed, cpu, loadavg[0], clock.done()))
    elapsed, cpu, load, stages = sorted(samples, key=lambda s: s[0])[len(samples) // 2]
    bench.report.details[f"distribution_{label}_stages_s"] = stages
    bench.report.details[f"distribution_{label}_samples"] = [
        {"wall_s": round(w, 3), "cpu_s": round(c, 3), "loadavg": round(ld, 2)} for w, c, ld, _ in samples
    ]
    bench.out(f"  distribution stages: {stages}")
    bench.run_obj = created.run
    scope = len(bench.retailer.skus[: SCOPE_SKUS[bench.size]])
    bench.report.figure(
        f"distribution_{label}_table_s",
        elapsed,
        f"{scope:,} SKUs, {bench.run_obj.line_count:,} lines, table {table_rows:,} rows · median of {RUN_SAMPLES} · "
        f"cpu {cpu:.2f} s · load {load:.1f}",
    )
    return elapsed


def _wide_run(bench: Bench, ids: dict[str, np.ndarray]) -> None:
    """A wide run for the lines list: SKUs without sales, cold start to every store."""
    from distribution.engine import DistributionParams
    from distribution.services import distribution_run_create

    r = bench.retailer
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT product_id FROM sales_salesweeklyagg")
        sold = {row[0] for row in cursor.fetchall()}
    unsold = [sku for sku, pid in zip(r.skus, ids["product"], strict=True) if pid not in sold]
    pd.DataFrame({"sku": unsold[: SCOPE_SKUS[bench.size]]}).to_csv(bench.work / "wide.csv", index=False)
    wide = DistributionParams(cold_start_top_n=len(r.stores), limit_by_cd=False)
    clock = StageClock()
    elapsed, created = timed(
        lambda: distribution_run_create(
            request_path=bench.work / "wide.csv", file_name="wide.csv", params=wide, user=bench.user, progress=clock
        )
    )
    run_obj = bench.run_obj = created.run
    bench.report.details["wide_run"] = {
        "skus": len(unsold[: SCOPE_SKUS[bench.size]]),
        "lines": run_obj.line_count,
        "stages_s": clock.done(),
    }
    bench.report.figure("distribution_wide_run_s", elapsed, f"cold start to all stores, {run_obj.line_count:,} lines")


# SPEC §13: the top SKUs × all stores × 8 weeks × 3 policies.
REPLAY_POLICIES = ("sma1:model=SMA1", "sma2:model=SMA2", "sma3:model=SMA3,target_woc=3")
REPLAY_WEEKS = 8


def _step_replay(bench: Bench) -> None:
    """(d') the replay end to end through its service: history read, 3 policies × 8 weeks, saved."""
    from replay.models import ReplayRun
    from replay.services import ReplayRequest, replay_run_create

    clock = StageClock()
    request = ReplayRequest(
        scope=str(ReplayRun.Scope.TOP),
        top_n=SCOPE_SKUS[bench.size],
        weeks=REPLAY_WEEKS,
        cd_supply=1.0,
        policies=REPLAY_POLICIES,
    )
    elapsed, (run, _warnings) = timed(lambda: replay_run_create(request=request, user=bench.user, progress=clock))
    report = bench.report
    report.details["replay_stages_s"] = clock.done()
    report.details["replay"] = {
        "skus": run.sku_count,
        "weeks": run.weeks,
        "policies": run.policy_names,
        "fill_rates": [r["totals"]["fill_rate"] for r in run.results],
        "rules": run.rules,
        "cd_mode": run.cd_mode,
        "supplier_lead_weeks": run.supplier_lead_weeks,
    }
    report.figure("replay_s", elapsed, f"{run.sku_count:,} SKUs × {run.weeks} weeks × {len(run.policies)} policies")


def _step_redistribution(bench: Bench) -> None:
    """(e) redistribution by category, Top N 200, to all stores."""
    from redistribution import engine as redist_engine
    from redistribution.engine import RedistParams
    from redistribution.services import MODE_AUTO, PlanRequest, transfer_plan_create

    products = bench.products if bench.products is not None else _products_frame()
    category = products["cat"].value_counts().index[0]
    request = PlanRequest(
        mode=MODE_AUTO,
        scope=redist_engine.SCOPE_CATEGORY,
        category=str(category),
        params=RedistParams(top_n=200),
    )
    elapsed, plan = timed(lambda: transfer_plan_create(user=bench.user, request=request))
    bench.report.figure("redistribution_s", elapsed, f"category {category}, {plan.lines.count():,} lines")


def _step_open_runs(bench: Bench) -> None:
    """Time a run of the scope SKUs with OPEN_RUNS approved runs of the same SKUs
    open (SPEC §5.7): the generator then reads their reservations and transit.

    The open runs are real: generated as drafts first (all against the same
    stock, so each has its full lines), then approved one after the other. So
    that every approval fits, the CD snapshot of the scope is first raised to
    hold OPEN_RUNS + 1 runs (after the drafts were planned)."""
    from django.db.models import F, Max

    from distribution.engine import DistributionParams
    from distribution.services import distribution_run_create
    from fastdso.lifecycle import run_transition
    from inventory.models import CDStockSnapshot, StockCommitment

    request, user, report = bench.files["request"], bench.user, bench.report
    scope = bench.retailer.skus[: SCOPE_SKUS[bench.size]]
    params = DistributionParams()

    def generate(progress: Any = None) -> Any:
        return distribution_run_create(
            request_path=request, file_name="bench.csv", params=params, user=user, progress=progress
        ).run

    started = time.perf_counter()
    drafts = [generate() for _ in range(OPEN_RUNS)]
    latest = CDStockSnapshot.objects.aggregate(d=Max("snapshot_date"))["d"]
    CDStockSnapshot.objects.filter(snapshot_date=latest, product__sku__in=scope).update(
        units=F("units") * (OPEN_RUNS + 1) + 1000
    )
    for draft in drafts:
        run_transition(run_id=draft.run_id, action="approve", user=user)
    setup_s = time.perf_counter() - started
    commitments = StockCommitment.objects.filter(is_open=True).count()
    report.details["open_runs"] = {"runs": OPEN_RUNS, "commitments": commitments, "setup_s": round(setup_s, 1)}
    clock = StageClock()
    elapsed, run_obj = timed(lambda: generate(clock))
    report.details["distribution_open_runs_stages_s"] = clock.done()
    report.figure(
        "distribution_open_runs_s",
        elapsed,
        f"{len(scope):,} SKUs, {run_obj.line_count:,} lines, {OPEN_RUNS} open runs ({commitments:,} commitments)",
    )


def _products_frame() -> pd.DataFrame:
    from inventory.models import Product

    return pd.DataFrame(list(Product.objects.values_list("sku", "id", "category")), columns=["sku", "id", "cat"])


def _step_pages(bench: Bench) -> None:
    """(f) first pages of the big lists, and the Store Health computation they read."""
    from django.test import Client
    from django.urls import reverse

    from health.queries import store_health_refresh
    from inventory.models import StoreStockSnapshot

    client = Client()
    client.force_login(bench.user)
    pages = {}
    run_obj = bench.run_obj
    if run_obj is not None:
        pages["run_lines_page_ms"] = (reverse("distribution:run_lines", args=[run_obj.run_id]), run_obj.line_count)
    pages["alerts_page_ms"] = (reverse("inventory:health_alerts"), StoreStockSnapshot.objects.count())
    # Store Health is computed by a background job when the data changes and
    # pages serve its cached result: time that computation on its own.
    elapsed, _ = timed(store_health_refresh)
    bench.report.figure("store_health_compute_s", elapsed, "background job; pages read its cache")
    for name, (url, behind) in pages.items():
        samples = []
        for _ in range(3):
            elapsed, response = timed(functools.partial(client.get, url))
            assert response.status_code == 200, (url, response.status_code)
            samples.append(elapsed * 1000)
        bench.report.details[name.replace("_ms", "_samples_ms")] = [round(s, 1) for s in samples]
        bench.report.figure(
            name, statistics.median(samples), f"{url} · {behind:,} rows behind · first {samples[0]:.0f}"
        )


def write_json(data: dict[str, Any], path: str | Path) -> None:
    Path(path).write_text(json.dumps(data, indent=2, default=str))
