"""The promotions calendar import (SPEC v3 §4.6)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from django.db import transaction
from django.utils import timezone

from fastdso.db import imports_lock
from fastdso.files import Column, Kind, RowError, read_table
from fastdso.jobs import JobInputError, no_progress
from fastdso.messages import Message, msg
from fastdso.uploads import upload_finish
from inventory.queries import product_ids
from inventory.services import BATCH, stores_resolve
from sales.models import Promotion
from sales.sales_file import FIRST_VALID_DATE, Progress

# A promotions file's own header names: `name` is the promotion's, not a product's.
PROMOTION_ALIASES = {
    "name": "name",
    "nombre": "name",
    "promocion": "name",
    "promoción": "name",
    "desde": "start_date",
    "inicio": "start_date",
    "fecha_inicio": "start_date",
    "fecha_desde": "start_date",
    "hasta": "end_date",
    "fin": "end_date",
    "fecha_fin": "end_date",
    "fecha_hasta": "end_date",
}
PROMOTION_COLUMNS = [
    Column("sku"),
    Column("start_date", Kind.DATE),
    Column("end_date", Kind.DATE),
    Column("store", required=False),
    Column("name", required=False, max_length=Promotion._meta.get_field("name").max_length),
]
# Dates a promotion may carry: from 2000 to the end of the year after next, at most a year long.
PROMOTION_YEARS_AHEAD = 2
PROMOTION_MAX_DAYS = 366
PROMOTION_MODES = ("append_rows", "replace_range")


def promotion_dates_bounds() -> tuple[dt.date, dt.date]:
    return FIRST_VALID_DATE, dt.date(timezone.localdate().year + PROMOTION_YEARS_AHEAD, 12, 31)


@dataclass
class PromotionImportResult:
    replace_range: bool
    rows_read: int
    promotions: int  # distinct (SKU, store, dates) in the file
    created: int
    renamed: int
    unchanged: int  # already stored as they are
    repeated: int  # rows the file gave twice
    removed: int  # overlapping the file's range, removed first (replace_range)
    sku_count: int
    store_count: int  # stores named (rows without a store count for every store)
    every_store: int  # promotions of every store
    first_date: dt.date
    last_date: dt.date
    category_warnings: list[Message] = field(default_factory=list)  # none: the file names no categories

    def summary(self) -> dict[str, object]:
        return {
            "mode": "replace_range" if self.replace_range else "append_rows",
            "rows_read": self.rows_read,
            "promotions_in_file": self.promotions,
            "promotions_created": self.created,
            "names_updated": self.renamed,
            "promotions_unchanged": self.unchanged,
            "repeated_rows": self.repeated,
            "promotions_removed": self.removed,
            "skus": self.sku_count,
            "stores": self.store_count,
            "promotions_every_store": self.every_store,
            "date_range": msg("date_range_value", first=self.first_date, last=self.last_date),
        }


def _promotion_rows(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[RowError]]:
    """The file's rows with product_id and store_id (0: every store), and the
    row errors: unknown SKU or store, dates out of bounds, reversed or too long."""
    errors: list[RowError] = []
    rows = frame.copy()
    rows["name"] = rows["name"].fillna("").astype(str).str.strip()
    rows["store"] = rows["store"].fillna("").astype(str).str.strip()
    rows["start_date"] = rows["start_date"].dt.date
    rows["end_date"] = rows["end_date"].dt.date
    first, last = promotion_dates_bounds()
    for column in ("start_date", "end_date"):
        bad = (rows[column] < first) | (rows[column] > last)
        message = msg("date_out_of_range", first=first, last=last)
        errors += [RowError(int(r), column, f"{v:%Y-%m-%d}", message) for r, v in rows.loc[bad, column].items()]
    reversed_dates = rows["end_date"] < rows["start_date"]
    errors += [
        RowError(int(r), "end_date", f"{v:%Y-%m-%d}", msg("sales.end_before_start"))
        for r, v in rows.loc[reversed_dates, "end_date"].items()
    ]
    too_long = ~reversed_dates & ((rows["end_date"] - rows["start_date"]).map(lambda d: d.days) >= PROMOTION_MAX_DAYS)
    errors += [
        RowError(int(r), "end_date", f"{v:%Y-%m-%d}", msg("sales.promotion_too_long", n=PROMOTION_MAX_DAYS))
        for r, v in rows.loc[too_long, "end_date"].items()
    ]
    ids = product_ids(rows["sku"].unique())
    rows["product_id"] = rows["sku"].map(ids)
    errors += [
        RowError(int(r), "sku", str(v)[:200], msg("unknown_sku"))
        for r, v in rows.loc[rows["product_id"].isna(), "sku"].items()
    ]
    named = rows["store"] != ""
    stores = stores_resolve(rows.loc[named, "store"].unique(), create=False).id_by_label
    rows["store_id"] = rows["store"].map(stores).where(named, 0)
    errors += [
        RowError(int(r), "store", str(v)[:200], msg("inventory.unknown_store"))
        for r, v in rows.loc[rows["store_id"].isna(), "store"].items()
    ]
    return rows, errors


def _promotion_repeats(rows: pd.DataFrame) -> tuple[pd.DataFrame, int, list[RowError]]:
    """One row per (SKU, store, dates): identical rows collapse (counted); the
    same promotion twice under two names is an error (which name?)."""
    key = ["product_id", "store_id", "start_date", "end_date"]
    rows = rows.reset_index(names="row")
    distinct = rows.drop_duplicates([*key, "name"])
    repeated = len(rows) - len(distinct)
    clash = distinct.duplicated(key, keep="first")
    first_row = distinct.groupby(key, sort=False)["row"].transform("min")
    errors = [
        RowError(int(r), "name", str(n)[:200], msg("sales.promotion_repeated", row=int(f)))
        for r, n, f in zip(distinct.loc[clash, "row"], distinct.loc[clash, "name"], first_row[clash], strict=True)
    ]
    return distinct.drop_duplicates(key), repeated, errors


def _stored_promotions(first: dt.date, last: dt.date) -> pd.DataFrame:
    """Promotions that start and end inside [first, last]: the only ones a file row can equal."""
    rows = Promotion.objects.filter(start_date__gte=first, end_date__lte=last).values_list(
        "id", "product_id", "store_id", "start_date", "end_date", "name"
    )
    frame = pd.DataFrame(list(rows), columns=["id", "product_id", "store_id", "start_date", "end_date", "old_name"])
    frame["store_id"] = frame["store_id"].fillna(0).astype("int64")
    frame["product_id"] = frame["product_id"].astype("int64")
    return frame


def promotions_import(
    *,
    path: str | Path,
    replace_range: bool = False,
    user: Any = None,
    progress: Progress = no_progress,
    file_name: str = "",
    job: Any = None,
    max_bytes: int | None = None,
) -> PromotionImportResult:
    """Load a promotions calendar (SPEC v3 §4.6): `sku`, `start_date`,
    `end_date`, optional `store` (empty: every store) and `name`. Rows are
    added; a row equal to a stored one (SKU, store, dates) is not stored again
    (a new name replaces the old one). `replace_range` first removes every
    promotion overlapping the file's first-to-last date. Unknown SKUs or
    stores, bad dates: the whole file is refused."""
    progress(5, "stage.reading_file")
    frame = read_table(path, PROMOTION_COLUMNS, max_bytes=max_bytes, aliases=PROMOTION_ALIASES)
    rows, errors = _promotion_rows(frame)
    known = rows[rows["product_id"].notna() & rows["store_id"].notna()]
    known = known.astype({"product_id": "int64", "store_id": "int64"})
    rows, repeated, repeat_errors = _promotion_repeats(known)
    errors += repeat_errors
    if errors:
        errors.sort(key=lambda e: (e.row or 0, e.column))
        raise JobInputError(msg("files.refused", n=len(errors)), errors[:100_000], len(errors))
    first, last = min(rows["start_date"]), max(rows["end_date"])
    progress(40, "stage.saving_promotions", rows_read=len(frame))
    with transaction.atomic():
        imports_lock()
        removed = _promotions_overlapping(first, last).delete()[0] if replace_range else 0
        created, renamed, unchanged = _promotions_write(rows, first, last)
        result = PromotionImportResult(
            replace_range=replace_range,
            rows_read=len(frame),
            promotions=len(rows),
            created=created,
            renamed=renamed,
            unchanged=unchanged,
            repeated=repeated,
            removed=removed,
            sku_count=int(rows["product_id"].nunique()),
            store_count=int(rows.loc[rows["store_id"] != 0, "store_id"].nunique()),
            every_store=int((rows["store_id"] == 0).sum()),
            first_date=first,
            last_date=last,
        )
        _promotions_finish(result, user=user, job=job, progress=progress, file_name=file_name or Path(path).name)
    return result


def _promotions_overlapping(first: dt.date, last: dt.date) -> Any:
    return Promotion.objects.filter(start_date__lte=last, end_date__gte=first)


def _promotions_write(rows: pd.DataFrame, first: dt.date, last: dt.date) -> tuple[int, int, int]:
    """Insert the new promotions, rename the stored ones whose name changed.
    Returns (created, renamed, unchanged)."""
    key = ["product_id", "store_id", "start_date", "end_date"]
    merged = rows.merge(_stored_promotions(first, last), on=key, how="left")
    new = merged["id"].isna()
    renamed = ~new & (merged["name"] != merged["old_name"])
    Promotion.objects.bulk_create(
        [
            Promotion(product_id=int(p), store_id=(int(s) or None), start_date=a, end_date=b, name=n)
            for p, s, a, b, n in merged.loc[new, [*key, "name"]].itertuples(index=False)
        ],
        batch_size=BATCH,
    )
    Promotion.objects.bulk_update(
        [Promotion(pk=int(pk), name=n) for pk, n in merged.loc[renamed, ["id", "name"]].itertuples(index=False)],
        ["name"],
        batch_size=BATCH,
    )
    return int(new.sum()), int(renamed.sum()), int((~new & ~renamed).sum())


def _promotions_finish(
    result: PromotionImportResult, *, user: Any, job: Any, progress: Progress, file_name: str
) -> None:
    upload_finish(
        user=user,
        job=job,
        progress=progress,
        object_repr=msg("sales.audit_promotions", file=file_name),
        rows_read=result.rows_read,
        rows_written=result.created + result.renamed,
        details={
            "kind": "promotions",
            "mode": "replace_range" if result.replace_range else "append_rows",
            "rows": result.rows_read,
            "promotions": result.promotions,
            "created": result.created,
            "renamed": result.renamed,
            "unchanged": result.unchanged,
            "removed": result.removed,
            "skus": result.sku_count,
            "first_date": result.first_date.isoformat(),
            "last_date": result.last_date.isoformat(),
        },
    )
