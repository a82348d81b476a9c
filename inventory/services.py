"""Bulk writes of stores and products, shared by every upload (SPEC §2, §3).

Never one query per row: existing rows are read in batches, new ones are
created with one INSERT per batch, and changed ones updated in bulk.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.db.models import Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from fastdso.db import analyze_after_load, chunks, date_param, imports_lock, in_clause, is_postgres, rows_insert
from fastdso.files import Column, Kind, RowError, normalise_header, read_raw_strings, read_table
from fastdso.jobs import JobInputError, no_progress, upload_order_check
from fastdso.lifecycle import TransitionRefused
from fastdso.messages import Message, msg
from fastdso.uploads import text_lengths_check, upload_finish
from inventory import queries as inventory_queries
from inventory.demo import demo_claim, demo_present
from inventory.models import (
    TEXT_LIMITS,
    CDStockSnapshot,
    Product,
    StockCommitment,
    StockMovement,
    Store,
    StoreStockSnapshot,
    normalise_store_name,
    store_name_key,
)
from inventory.queries import product_ids, products_by_sku
from inventory.signals import categories_set

BATCH = 2000


@dataclass
class ProductUpsertResult:
    id_by_sku: dict[str, int]
    created: int = 0
    renamed: int = 0
    categories_set: int = 0
    repacked: int = 0
    display_min_set: int = 0
    display_min_given: bool = False  # the file has a display_min column with values
    # One message per product whose file category differs from the kept one.
    category_warnings: list[Message] = field(default_factory=list)


def products_upsert(products: pd.DataFrame, *, claim_demo: bool = True) -> ProductUpsertResult:
    """Create or update products from a frame with `sku` and optional
    `product_name` and `category` (first non-empty value per SKU wins).
    A demo product named by a real file becomes real (`claim_demo`; a run's
    request file does not claim: a run on demo data stays demo).

    Category rule (SPEC §2): set it when the product has none; when the
    product already has a different one, keep it and report a warning.
    Categories that get set are copied to SalesWeeklyAgg.category.
    """
    rows, existing = _product_rows(products)
    name = rows["product_name"].fillna("").astype(str)
    category = rows["category"].fillna("").astype(str)
    known = rows["id"].notna()
    # A pack size given in the file replaces the product's (absent or blank: kept, new products 1).
    given_pack = pd.to_numeric(rows["pack_size"], errors="coerce")
    old_pack = pd.to_numeric(rows["old_pack"], errors="coerce").fillna(1).astype("int64")
    pack = given_pack.fillna(old_pack).astype("int64")
    display, display_changed = _display_mins(rows, known)

    result = ProductUpsertResult(id_by_sku=dict(zip(existing["sku"], existing["id"].astype(int), strict=True)))
    new_display = display[~known] if display is not None else pd.Series(0, index=rows.index[~known])
    new_products = [
        Product(sku=sku, name=n[:255], category=(c or None), pack_size=int(p), display_min=int(d))
        for sku, n, c, p, d in zip(
            rows.loc[~known, "sku"], name[~known], category[~known], pack[~known], new_display, strict=True
        )
    ]
    # Existing products: a new name replaces the old one; a category is set only when there is none.
    old_name = rows["old_name"].fillna("").astype(str)
    old_category = rows["old_category"].fillna("").astype(str)
    renamed = known & (name != "") & (name.str.slice(0, 255) != old_name)
    category_set = known & (category != "") & (old_category == "")
    conflict = (
        known & (category != "") & (old_category != "") & (category.str.casefold() != old_category.str.casefold())
    )
    result.renamed = int(renamed.sum())
    result.categories_set = int(category_set.sum())
    result.category_warnings = [
        msg("inventory.category_kept", sku=sku, new=c, old=old)
        for sku, c, old in zip(rows.loc[conflict, "sku"], category[conflict], old_category[conflict], strict=True)
    ]
    repacked = known & (pack != old_pack)
    result.repacked = int(repacked.sum())
    result.display_min_set, result.display_min_given = int(display_changed.sum()), display is not None
    changed = renamed | category_set | repacked | display_changed
    updates = _product_updates(rows[changed], name[changed], category[changed], pack[changed], renamed, category_set)
    if display is not None:
        for product, value in zip(updates, display[changed], strict=True):
            product.display_min = int(value)
    category_sets: dict[str, list[int]] = {}
    for pk, c in zip(rows.loc[category_set, "id"], category[category_set], strict=True):
        category_sets.setdefault(c, []).append(int(pk))

    claimed = existing["id"].astype(int).tolist() if claim_demo else []
    fields = ["name", "category", "pack_size", *(["display_min"] if display is not None else [])]
    _products_write(result, new_products, updates, category_sets, claimed, fields)
    return result


def _display_mins(rows: pd.DataFrame, known: pd.Series) -> tuple[pd.Series | None, pd.Series]:
    """The display minimum of each row (SPEC v3 §5.2): the file's value replaces
    the product's; blank keeps it (new products 0). None when the file gives none
    at all; and which known products change."""
    given = pd.to_numeric(rows["display_min"], errors="coerce") if "display_min" in rows.columns else None
    if given is None or given.isna().all():
        return None, pd.Series(False, index=rows.index)
    ids = rows.loc[known, "id"].astype(int).tolist()
    stored: dict[int, int] = {}
    for chunk in chunks(ids, BATCH):
        stored.update(Product.objects.filter(id__in=chunk).values_list("id", "display_min"))
    old = pd.to_numeric(rows["id"].map(lambda pk: stored.get(int(pk)) if pd.notna(pk) else None), errors="coerce")
    old = old.fillna(0).astype("int64")
    display = given.fillna(old).astype("int64")
    return display, known & (display != old)


def _product_updates(
    rows: pd.DataFrame,
    name: pd.Series,
    category: pd.Series,
    pack: pd.Series,
    renamed: pd.Series,
    category_set: pd.Series,
) -> list[Product]:
    """The changed products as they are to be saved: the new name if renamed,
    the file's category if it was set, the pack size (given or kept)."""
    old_name = rows["old_name"].fillna("").astype(str)
    old_category = rows["old_category"].fillna("").astype(str)
    return [
        Product(
            pk=int(pk),
            sku=sku,
            name=(n[:255] if is_renamed else old_n),
            category=(c if is_set else (old_c or None)),
            pack_size=int(p),
        )
        for pk, sku, n, old_n, c, old_c, is_renamed, is_set, p in zip(
            rows["id"],
            rows["sku"],
            name,
            old_name,
            category,
            old_category,
            renamed[rows.index],
            category_set[rows.index],
            pack,
            strict=True,
        )
    ]


def _product_rows(products: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The file's first non-empty name/category/pack size per SKU (categories as
    the catalogue spells them), merged with the stored product (id, old_name,
    old_category, old_pack; NaN when new), and the stored ones."""
    frame = products.copy()
    for column in ("product_name", "category"):
        if column not in frame.columns:
            frame[column] = ""
        frame[column] = frame[column].fillna("").astype(str).str.strip()
    frame["category"] = categories_canonical(frame["category"])
    if "pack_size" not in frame.columns:
        frame["pack_size"] = pd.NA
    frame["sku"] = frame["sku"].astype(str).str.strip()
    frame = frame[frame["sku"] != ""]
    firsts = frame.replace({"product_name": {"": None}, "category": {"": None}}).groupby("sku", sort=False).first()
    existing = products_by_sku(firsts.index).rename(
        columns={"product_id": "id", "product_name": "old_name", "category": "old_category", "pack_size": "old_pack"}
    )[["id", "sku", "old_name", "old_category", "old_pack"]]
    return firsts.reset_index().merge(existing, on="sku", how="left"), existing


def _products_write(
    result: ProductUpsertResult,
    new_products: list[Product],
    updates: list[Product],
    category_sets: dict[str, list[int]],
    claimed_demo_ids: list[int],
    fields: list[str],
) -> None:
    """Create the new products, update the changed ones, announce the categories set,
    make the demo products a real file named real: one transaction."""
    with transaction.atomic():
        if new_products:
            Product.objects.bulk_create(new_products, batch_size=BATCH, ignore_conflicts=True)
            result.id_by_sku.update(product_ids(p.sku for p in new_products))
            result.created = len(new_products)
            analyze_after_load(Product._meta.db_table, rows=len(new_products))
        if updates:
            Product.objects.bulk_update(updates, fields, batch_size=BATCH)
        if category_sets:
            categories_set.send(sender=Product, product_ids_by_category=category_sets)
        if claimed_demo_ids:
            demo_claim(Product, claimed_demo_ids)


def categories_canonical(categories: pd.Series) -> pd.Series:
    """Categories as the catalogue spells them (SPEC §4.3): trimmed, compared
    case-insensitively, the first spelling seen kept — the catalogue's if it
    has the category, else the first in `categories`. Blank stays blank."""
    text = categories.fillna("").astype(str).str.strip()
    present = text != ""
    if not present.any():
        return text
    keys = text.str.casefold()
    spellings = inventory_queries.category_spellings()
    firsts = text[present].groupby(keys[present], sort=False).first()
    for key, spelling in firsts.items():
        spellings.setdefault(str(key), spelling)
    return keys.map(spellings).where(present, "").astype(str)


def product_save(*, product: Product) -> Product:
    """Save a product edited by hand (the admin): its category is trimmed and
    spelled as the catalogue spells it, and a category change is copied onto
    its weekly sales rows in the same transaction (SPEC §4.3)."""
    product.category = (product.category or "").strip() or None
    if product.category:
        product.category = categories_canonical(pd.Series([product.category])).iloc[0]
    with transaction.atomic():
        before = Product.objects.filter(pk=product.pk).values_list("category").first() if product.pk else None
        product.save()
        if before is not None and before[0] != product.category:
            categories_set.send(sender=Product, product_ids_by_category={product.category: [product.pk]})
    return product


@dataclass
class StoreResolveResult:
    id_by_label: dict[str, int]
    created: int = 0


def stores_resolve(labels: Iterable[str], *, create: bool = True) -> StoreResolveResult:
    """Map store labels from a file (a code or a name, any spacing or case)
    to store ids, creating stores named for the first time."""
    unique_labels = sorted({str(label).strip() for label in labels if str(label).strip()})
    by_code: dict[str, int] = {}
    by_key: dict[str, int] = {}
    for pk, code, key in Store.objects.values_list("id", "code", "name_key"):
        if code:
            by_code[code] = pk
        by_key[key] = pk
    id_by_label: dict[str, int] = {}
    missing: dict[str, str] = {}
    for label in unique_labels:
        if label in by_code:
            id_by_label[label] = by_code[label]
        elif store_name_key(label) in by_key:
            id_by_label[label] = by_key[store_name_key(label)]
        else:
            missing.setdefault(store_name_key(label), label)
    if create:
        demo_claim(Store, id_by_label.values())
    created = 0
    if missing and create:
        new_stores = [Store(name=normalise_store_name(label), name_key=key) for key, label in missing.items()]
        Store.objects.bulk_create(new_stores, batch_size=BATCH, ignore_conflicts=True)
        created = len(new_stores)
        fresh = dict(Store.objects.filter(name_key__in=list(missing)).values_list("name_key", "id"))
        for label in unique_labels:
            if label not in id_by_label and store_name_key(label) in fresh:
                id_by_label[label] = fresh[store_name_key(label)]
    return StoreResolveResult(id_by_label=id_by_label, created=created)


# --------------------------------------------------------------------------
# The stores file (SPEC v3 §4.7): opening date, like store, size, lead time, active
# --------------------------------------------------------------------------

STORE_FILE_ALIASES = {
    "name": "store",
    "nombre": "store",
    "codigo": "code",
    "código": "code",
    "apertura": "opened_on",
    "fecha_apertura": "opened_on",
    "fecha_de_apertura": "opened_on",
    "tienda_similar": "like_store",
    "tienda_parecida": "like_store",
    "factor_tamaño": "size_factor",
    "factor_tamano": "size_factor",
    "factor_de_tamaño": "size_factor",
    "tamaño": "size_factor",
    "dias_transito": "lead_time_days",
    "días_tránsito": "lead_time_days",
    "dias_de_transito": "lead_time_days",
    "días_de_tránsito": "lead_time_days",
    "lead_time": "lead_time_days",
    "activa": "active",
    "activo": "active",
}
STORE_FILE_COLUMNS = [
    Column("store", max_length=Store._meta.get_field("name").max_length),
    Column("code", required=False, max_length=Store._meta.get_field("code").max_length),
    Column("opened_on", Kind.DATE, required=False),
    Column("like_store", required=False),
    Column("size_factor", Kind.FLOAT, required=False),
    Column("lead_time_days", Kind.INT, required=False, min_value=0),
    Column("active", required=False),
]
# The fields a column sets (absent column: the stored value is kept; empty cell: the default).
STORE_FILE_FIELDS = {
    "opened_on": "opened_on",
    "like_store": "like_store_id",
    "size_factor": "size_factor",
    "lead_time_days": "lead_time_days",
    "active": "active",
}
STORE_DEFAULTS = {"opened_on": None, "like_store_id": None, "size_factor": 1.0, "lead_time_days": 2, "active": True}
SIZE_FACTOR_MAX = 100.0
LEAD_TIME_MAX_DAYS = 60
OPENED_ON_FIRST = dt.date(1900, 1, 1)
TRUE_WORDS = frozenset({"si", "sí", "s", "yes", "y", "true", "verdadero", "1"})
FALSE_WORDS = frozenset({"no", "n", "false", "falso", "0"})


@dataclass
class StoreFileResult:
    rows_read: int
    created: int
    updated: int
    unchanged: int
    opening: int  # rows with an opening date
    with_like_store: int
    inactive: int
    category_warnings: list[Message] = field(default_factory=list)  # none: the file names no categories

    def summary(self) -> dict[str, object]:
        return {
            "rows_read": self.rows_read,
            "new_stores": self.created,
            "stores_updated": self.updated,
            "stores_unchanged": self.unchanged,
            "stores_opening": self.opening,
            "stores_with_like": self.with_like_store,
            "stores_inactive": self.inactive,
        }


def _store_file_values(frame: pd.DataFrame, present: set[str]) -> tuple[pd.DataFrame, list[RowError]]:
    """The file's typed values (defaults for empty cells) and their row errors."""
    rows = frame.copy()
    errors: list[RowError] = []
    rows["code"] = rows["code"].fillna("").astype(str).str.strip()
    rows["like_store"] = rows["like_store"].fillna("").astype(str).str.strip()
    opened = pd.Series(
        [stamp.date() if pd.notna(stamp) else None for stamp in rows["opened_on"]], index=rows.index, dtype=object
    )
    last = dt.date(timezone.localdate().year + 2, 12, 31)
    bad = opened.map(lambda d: d is not None and not OPENED_ON_FIRST <= d <= last)
    message = msg("date_out_of_range", first=OPENED_ON_FIRST, last=last)
    errors += [RowError(int(r), "opened_on", f"{v:%Y-%m-%d}", message) for r, v in opened[bad].items()]
    rows["opened_on"] = opened
    size = rows["size_factor"]
    errors += [
        RowError(int(r), "size_factor", f"{v:g}", msg("files.greater_than_zero")) for r, v in size[size <= 0].items()
    ]
    errors += [
        RowError(int(r), "size_factor", f"{v:g}", msg("files.between", low=0, high=SIZE_FACTOR_MAX))
        for r, v in size[size > SIZE_FACTOR_MAX].items()
    ]
    rows["size_factor"] = size.fillna(STORE_DEFAULTS["size_factor"]).astype(float)
    lead = rows["lead_time_days"]
    errors += [
        RowError(int(r), "lead_time_days", str(v), msg("files.between", low=0, high=LEAD_TIME_MAX_DAYS))
        for r, v in lead[(lead > LEAD_TIME_MAX_DAYS).fillna(False).astype(bool)].items()
    ]
    rows["lead_time_days"] = lead.fillna(STORE_DEFAULTS["lead_time_days"]).astype("int64")
    words = rows["active"].fillna("").astype(str).str.strip().str.casefold()
    unknown = (words != "") & ~words.isin(TRUE_WORDS | FALSE_WORDS)
    errors += [
        RowError(int(r), "active", str(v)[:200], msg("inventory.yes_no"))
        for r, v in rows.loc[unknown, "active"].items()
    ]
    rows["active"] = ~words.isin(FALSE_WORDS)
    return rows, errors


def _stored_stores() -> pd.DataFrame:
    columns = ["id", "name", "name_key", "code", *STORE_DEFAULTS]
    return pd.DataFrame(list(Store.objects.values_list(*columns)), columns=columns)


def _store_file_match(rows: pd.DataFrame, stored: pd.DataFrame) -> tuple[pd.Series, list[RowError]]:
    """Each row's store id (NaN: a new store): by its code, else by the `store`
    label (a code or a name, as every file names stores). A code of one store
    with the name of another is an error; a store named twice too."""
    by_code = dict(zip(stored["code"].dropna(), stored.loc[stored["code"].notna(), "id"], strict=True))
    by_key = dict(zip(stored["name_key"], stored["id"], strict=True))
    errors: list[RowError] = []
    ids: dict[int, float] = {}
    for row, label, code in zip(rows.index, rows["store"], rows["code"], strict=True):
        by_label = by_code.get(label) or by_key.get(store_name_key(label))
        by_own_code = by_code.get(code) if code else None
        if by_own_code and by_label and by_own_code != by_label:
            errors.append(RowError(int(row), "code", code, msg("inventory.code_taken")))
        ids[int(row)] = by_own_code or by_label or np.nan
    matched = pd.Series(ids, dtype="float64")
    identity = _store_identity(rows, matched)
    repeated = _repeated(identity, rows["store"], "store")
    flagged = {e.row for e in repeated}
    # Two rows that would give two stores one name (renamed by their codes) are repeated too.
    names = rows["store"].map(store_name_key)
    repeated += [e for e in _repeated(names, rows["store"], "store") if e.row not in flagged]
    errors += repeated
    errors += _repeated(rows["code"].where(rows["code"] != ""), rows["code"], "code")
    return matched, errors


def _store_identity(rows: pd.DataFrame, matched: pd.Series) -> pd.Series:
    """ "id:<pk>" for a stored store, "new:<name key>" for one the file creates."""
    new = "new:" + rows["store"].map(store_name_key)
    return pd.Series(
        [f"id:{int(pk)}" if pd.notna(pk) else key for pk, key in zip(matched, new, strict=True)], index=rows.index
    )


def _repeated(keys: pd.Series, values: pd.Series, column: str) -> list[RowError]:
    """Rows whose key (NaN: none) an earlier row already gave."""
    seen: dict[str, int] = {}
    errors = []
    for row, key in keys.dropna().items():
        if key in seen:
            message = msg("inventory.repeated_store", row=seen[key])
            errors.append(RowError(int(row), column, str(values[row])[:200], message))
        else:
            seen[key] = int(row)
    return errors


def _store_file_likes(
    rows: pd.DataFrame, identity: pd.Series, stored: pd.DataFrame
) -> tuple[pd.Series, list[RowError]]:
    """Each row's like store as an identity (None: none): a stored store by code
    or name, else a store the file itself names (by code or name)."""
    known: dict[str, str] = {}
    for key, code, pk in zip(stored["name_key"], stored["code"], stored["id"], strict=True):
        known[f"key:{key}"] = f"id:{int(pk)}"
        if code:
            known[f"code:{code}"] = f"id:{int(pk)}"
    for label, code, ident in zip(rows["store"], rows["code"], identity, strict=True):
        known.setdefault(f"key:{store_name_key(label)}", ident)
        known.setdefault(f"code:{label}", ident)
        if code:
            known.setdefault(f"code:{code}", ident)
    likes: dict[int, str | None] = {}
    errors: list[RowError] = []
    for row, label in rows["like_store"].items():
        target = (known.get(f"code:{label}") or known.get(f"key:{store_name_key(label)}")) if label else None
        if label and target is None:
            errors.append(
                RowError(
                    int(row),
                    "like_store",
                    label[:200],
                    msg("inventory.unknown_like_store"),
                )
            )
        elif target is not None and target == identity[row]:
            errors.append(RowError(int(row), "like_store", label[:200], msg("inventory.own_like_store")))
        likes[int(row)] = target
    return pd.Series(likes, dtype=object), errors


def stores_import(
    *,
    path: str | Path,
    user: Any = None,
    progress: Progress = no_progress,
    file_name: str = "",
    job: Any = None,
    max_bytes: int | None = None,
) -> StoreFileResult:
    """Load the stores file (SPEC v3 §4.7): `store`, optional `code`,
    `opened_on`, `like_store`, `size_factor` (> 0, default 1.0),
    `lead_time_days` (0–60, default 2), `active` (default yes). Stores are
    matched by code or by name as in every file; unknown ones are created.
    A column the file lacks leaves that field as it is; an empty cell sets
    the default. A like store must be a stored store or one of the file's.
    Any bad row: nothing is written."""
    progress(5, "stage.reading_file")
    raw = read_raw_strings(path, max_bytes=max_bytes)
    present = {normalise_header(column, STORE_FILE_ALIASES) for column in raw.columns}
    frame = read_table(raw, STORE_FILE_COLUMNS, aliases=STORE_FILE_ALIASES)
    rows, errors = _store_file_values(frame, present)
    progress(40, "stage.saving_stores", rows_read=len(frame))
    with transaction.atomic():
        imports_lock()
        stored = _stored_stores()
        matched, match_errors = _store_file_match(rows, stored)
        identity = _store_identity(rows, matched)
        likes, like_errors = _store_file_likes(rows, identity, stored)
        errors += match_errors + like_errors
        if errors:
            errors.sort(key=lambda e: (e.row or 0, e.column))
            raise JobInputError(msg("files.refused", n=len(errors)), errors, len(errors))
        fields = [STORE_FILE_FIELDS[name] for name in STORE_FILE_FIELDS if name in present]
        created, updated = _stores_file_write(rows, identity, likes, stored, fields)
        demo_claim(Store, matched.dropna().astype(int).tolist())
        result = StoreFileResult(
            rows_read=len(frame),
            created=created,
            updated=updated,
            unchanged=int(matched.notna().sum()) - updated,
            opening=int(rows["opened_on"].notna().sum()) if "opened_on" in present else 0,
            with_like_store=int(likes.notna().sum()),
            inactive=int((~rows["active"]).sum()) if "active" in present else 0,
        )
        upload_finish(
            user=user,
            job=job,
            progress=progress,
            object_repr=msg("inventory.audit_stores", file=file_name or Path(path).name),
            details={
                "kind": "stores_file",
                "rows": result.rows_read,
                "created": created,
                "updated": updated,
                "unchanged": result.unchanged,
                "inactive": result.inactive,
            },
            rows_read=len(frame),
            rows_written=created + updated,
        )
    return result


def _stores_file_write(
    rows: pd.DataFrame, identity: pd.Series, likes: pd.Series, stored: pd.DataFrame, fields: list[str]
) -> tuple[int, int]:
    """Create the new stores, then set every row's fields (like stores last:
    they may name a store the file creates). Returns (created, existing updated)."""
    new = identity.str.startswith("new:")
    given = [f for f in fields if f != "like_store_id"]
    fresh = [
        Store(
            name=normalise_store_name(r["store"]),
            name_key=store_name_key(r["store"]),
            code=r["code"] or None,
            **{f: _store_value(r, f) for f in given},
        )
        for _row, r in rows[new].iterrows()
    ]
    Store.objects.bulk_create(fresh, batch_size=BATCH)
    ids = {f"id:{int(pk)}": int(pk) for pk in stored["id"]}
    created_keys = [s.name_key for s in fresh]
    ids.update(
        {f"new:{key}": pk for key, pk in Store.objects.filter(name_key__in=created_keys).values_list("name_key", "id")}
    )
    old = stored.set_index("id")
    changed: list[Store] = []
    updated = 0
    for row, r in rows.iterrows():
        pk = ids[identity[row]]
        before = old.loc[pk] if pk in old.index else None
        values = {
            "name": before["name"] if before is not None else normalise_store_name(r["store"]),
            "code": r["code"] or (_none(before["code"]) if before is not None else None),
            **{f: _store_value(r, f) for f in given},
        }
        if before is not None and store_name_key(r["store"]) != before["name_key"] and r["store"] != before["code"]:
            values["name"] = normalise_store_name(r["store"])  # matched by its code: the file renames it
        if "like_store_id" in fields:
            values["like_store_id"] = ids[likes[row]] if likes[row] is not None else None
        previous = {
            k: (before[k] if before is not None else (None if k == "like_store_id" else values[k])) for k in values
        }
        if any(_differs(values[k], previous[k]) for k in values):
            changed.append(Store(pk=pk, name_key=store_name_key(values["name"]), **values))
            updated += before is not None
    if changed:
        Store.objects.bulk_update(changed, ["name", "name_key", "code", *fields], batch_size=BATCH)
    return len(fresh), updated


def _store_value(row: pd.Series, field_name: str) -> Any:
    value = row[field_name]
    if isinstance(value, np.generic):
        value = value.item()  # the database drivers take Python values
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else value


def _none(value: Any) -> Any:
    """A stored value as Python sees it: NaN/NaT (pandas' missing) is None."""
    return None if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)) else value


def _differs(new: Any, old: Any) -> bool:
    new, old = _none(new), _none(old)
    if new is None or old is None:
        return not (new is None and old is None)
    return bool(new != old)


# --------------------------------------------------------------------------
# File imports: products, CD stock, store stock (SPEC §2, §3, §9)
# --------------------------------------------------------------------------

Progress = Callable[..., None]


def _duplicates(frame: pd.DataFrame, key: list[str], what: str) -> None:
    """Refuse a file that gives the same key twice (ambiguous: which quantity?)."""
    repeated = frame.duplicated(key, keep=False)
    if not repeated.any():
        return
    first_row = frame[repeated].reset_index().groupby(key, sort=False)["index"].transform("min")
    rows = frame[repeated].reset_index()
    errors = [
        RowError(int(row), key[0], str(value), msg(f"inventory.repeated_{what}_row", row=int(first)))
        for row, value, first in zip(rows["index"], rows[key[0]], first_row, strict=True)
        if int(row) != int(first)
    ]
    raise JobInputError(
        msg(f"inventory.repeated_{what}", n=len(errors)),
        errors[:100_000],
        total_errors=len(errors),
    )


@dataclass
class ProductImportResult:
    rows_read: int
    sku_count: int
    created: int
    renamed: int
    categories_set: int
    category_warnings: list[Message] = field(default_factory=list)
    repacked: int = 0
    display_min_set: int | None = None  # None: the file gives no display_min

    def summary(self) -> dict[str, object]:
        summary: dict[str, object] = {
            "rows_read": self.rows_read,
            "skus": self.sku_count,
            "new_products": self.created,
            "names_updated": self.renamed,
            "categories_set": self.categories_set,
            "packs_changed": self.repacked,
        }
        if self.display_min_set is not None:
            summary["display_min_set"] = self.display_min_set
        summary["category_warnings"] = len(self.category_warnings)
        return summary


# Units per case (SPEC §5.4a): optional `pack_size` / `unidades_por_caja`, an integer ≥ 1.
PACK_SIZE_COLUMN = Column("pack_size", Kind.INT, required=False, min_value=1)
# Units a store shows whatever it sells (SPEC v3 §5.2): optional `display_min` /
# `exhibicion_minima`, an integer ≥ 0 (blank: kept).
DISPLAY_MIN_COLUMN = Column("display_min", Kind.INT, required=False, min_value=0)
PRODUCT_COLUMNS = [
    Column("sku"),
    Column("product_name", required=False),
    Column("category", required=False),
    PACK_SIZE_COLUMN,
    DISPLAY_MIN_COLUMN,
]


def products_import(
    *,
    path: str | Path,
    user: Any = None,
    progress: Progress = no_progress,
    file_name: str = "",
    job: Any = None,
    max_bytes: int | None = None,
) -> ProductImportResult:
    """Create or update products from a file (sku, product_name, category),
    with the category rule of SPEC §2."""
    progress(5, "stage.reading_file")
    frame = read_table(path, PRODUCT_COLUMNS, max_bytes=max_bytes)
    text_lengths_check(frame, TEXT_LIMITS)
    progress(40, "stage.saving_products", rows_read=len(frame))
    with transaction.atomic():
        imports_lock()
        upserted = products_upsert(frame)
        result = ProductImportResult(
            rows_read=len(frame),
            sku_count=len(upserted.id_by_sku),
            created=upserted.created,
            renamed=upserted.renamed,
            categories_set=upserted.categories_set,
            category_warnings=upserted.category_warnings,
            repacked=upserted.repacked,
            display_min_set=upserted.display_min_set if upserted.display_min_given else None,
        )
        upload_finish(
            user=user,
            job=job,
            progress=progress,
            object_repr=msg("inventory.audit_products", file=file_name or Path(path).name),
            details={
                "kind": "products",
                "rows": result.rows_read,
                "skus": result.sku_count,
                "created": result.created,
                "renamed": result.renamed,
                "categories_set": result.categories_set,
                "category_warnings": len(result.category_warnings),
                **({"display_min_set": result.display_min_set} if result.display_min_set is not None else {}),
            },
            rows_read=len(frame),
            rows_written=result.created + result.renamed,
        )
    return result


@dataclass
class StockImportResult:
    snapshot_date: dt.date
    rows_read: int
    sku_count: int
    store_count: int  # 0 for the CD
    units: int
    replaced: int  # rows of the same date (and stores) the file replaced
    new_products: int
    new_stores: int = 0
    category_warnings: list[Message] = field(default_factory=list)
    partial: bool = False  # CD only: the file updated only its SKUs
    kept: int = 0  # CD, partial: SKUs not in the file that kept their latest quantity

    def summary(self) -> dict[str, object]:
        summary: dict[str, object] = {
            "snapshot_date": self.snapshot_date.isoformat(),
            "rows_read": self.rows_read,
            "skus": self.sku_count,
        }
        if not self.store_count:
            summary["mode"] = msg("inventory.cd_partial" if self.partial else "inventory.cd_complete")
            if self.partial:
                summary["skus_kept"] = self.kept
        if self.store_count:
            summary["stores"] = self.store_count
        summary.update({"units": self.units, "rows_replaced": self.replaced, "new_products": self.new_products})
        if self.store_count:
            summary["new_stores"] = self.new_stores
        summary["category_warnings"] = len(self.category_warnings)
        return summary


CD_STOCK_COLUMNS = [
    Column("sku"),
    Column("quantity", Kind.INT, min_value=0),
    Column("product_name", required=False),
    Column("category", required=False),
]
STORE_STOCK_COLUMNS = [
    Column("sku"),
    Column("store"),
    Column("quantity", Kind.INT, min_value=0),
    Column("product_name", required=False),
    Column("category", required=False),
]


def _is_backfill(day: dt.date, latest: dt.date | None) -> bool:
    return latest is not None and day < latest


def stock_date_check(day: dt.date, latest: dt.date | None, *, backfill: bool) -> None:
    """SPEC v3 §5.7: a count dated after today is refused (it would end
    reservations and in-transit units of goods not yet moved); one dated
    before the latest count of the place needs the planner's `backfill`."""
    today = timezone.localdate()
    if day > today:
        raise JobInputError(msg("inventory.stock_date_future", date=day, today=today))
    if _is_backfill(day, latest) and not backfill:
        raise JobInputError(msg("inventory.stock_date_backfill", date=day, latest=latest))


def _cd_kept_rows(day: dt.date, file_product_ids: set[int]) -> pd.DataFrame:
    """`--partial`: the latest CD quantity (on or before `day`) of every SKU
    the file does not name, to carry into the new snapshot with the date it
    was counted: it was not counted again, so what runs reserved since that
    count is still in it (their reservations go on, SPEC §5.7)."""
    base = CDStockSnapshot.objects.filter(snapshot_date__lte=day).aggregate(latest=Max("snapshot_date"))["latest"]
    columns = ["product_id", "units", "counted_on"]
    if base is None:
        return pd.DataFrame({"product_id": [], "units": [], "counted_on": []}).astype(
            {"product_id": "int64", "units": "int64"}
        )
    rows = CDStockSnapshot.objects.filter(snapshot_date=base).values_list(
        "product_id", "units", Coalesce("counted_on", "snapshot_date")
    )
    kept = pd.DataFrame(list(rows), columns=columns).astype({"product_id": "int64", "units": "int64"})
    return kept[~kept["product_id"].isin(file_product_ids)]


CD_SNAPSHOT_TYPES = {"product_id": "bigint", "units": "integer", "snapshot_date": "date", "counted_on": "date"}


def cd_stock_import(
    *,
    path: str | Path,
    snapshot_date: dt.date | None = None,
    partial: bool = False,
    backfill: bool = False,
    user: Any = None,
    progress: Progress = no_progress,
    file_name: str = "",
    job: Any = None,
    max_bytes: int | None = None,
) -> StockImportResult:
    """The CD's stock on a date (default today). A CD file is the whole CD
    (SPEC §9): SKUs absent from it have 0 units — unless `partial`, where the
    file updates only its SKUs and every other SKU keeps its latest quantity
    (carried into the new snapshot). Loading a date again replaces that
    date's snapshot. Current CD stock = the latest date (absent SKU: 0).
    A date after today is refused; one before the latest snapshot needs
    `backfill` (SPEC v3 §5.7)."""
    day = snapshot_date or timezone.localdate()
    # While the demo is loaded its dates are no reference: a real file is no backfill.
    previous = None if demo_present() else inventory_queries.cd_stock_date()
    stock_date_check(day, previous, backfill=backfill)
    progress(5, "stage.reading_file")
    frame = read_table(path, CD_STOCK_COLUMNS, max_bytes=max_bytes)
    text_lengths_check(frame, TEXT_LIMITS)
    _duplicates(frame, ["sku"], "sku")
    progress(40, "stage.updating_products", rows_read=len(frame))
    with transaction.atomic():
        imports_lock()
        upload_order_check(job, dataset="cd_stock", stores=None, first=day, last=day)
        products = products_upsert(frame)
        rows = pd.DataFrame(
            {
                "product_id": frame["sku"].map(products.id_by_sku).to_numpy(dtype="int64"),
                "units": frame["quantity"].to_numpy(dtype="int64"),
                "counted_on": day,
            }
        )
        kept = _cd_kept_rows(day, set(rows["product_id"].tolist())) if partial else rows.iloc[0:0]
        replaced, _ = CDStockSnapshot.objects.filter(snapshot_date=day).delete()
        progress(60, "stage.saving_cd_stock", rows_read=len(frame))
        rows = pd.concat([rows, kept], ignore_index=True).assign(snapshot_date=np.datetime64(day, "D"))
        written = rows_insert(CDStockSnapshot._meta.db_table, rows, types=CD_SNAPSHOT_TYPES)
        analyze_after_load(CDStockSnapshot._meta.db_table, rows=written)
        result = StockImportResult(
            snapshot_date=day,
            rows_read=len(frame),
            sku_count=written,
            store_count=0,
            units=int(rows["units"].sum()),
            replaced=replaced,
            new_products=products.created,
            category_warnings=products.category_warnings,
            partial=partial,
            kept=len(kept),
        )
        upload_finish(
            user=user,
            job=job,
            progress=progress,
            object_repr=msg("inventory.audit_cd_stock", date=day, file=file_name or Path(path).name),
            details={
                "kind": "cd_stock",
                "date": day.isoformat(),
                "backfill": _is_backfill(day, previous),
                "partial": partial,
                "kept": len(kept),
                "rows": written,
                "units": result.units,
                "replaced": replaced,
                "new_products": products.created,
            },
            rows_read=len(frame),
            rows_written=written,
        )
    return result


def _store_snapshots_replace(
    rows: pd.DataFrame, store_ids: list[int], day: dt.date, progress: Progress
) -> tuple[int, int]:
    """Replace the file's stores' snapshots of `day` with `rows`; move each
    store's stock_date forward. Returns (rows replaced, rows written)."""
    snapshots = StoreStockSnapshot._meta.db_table
    with connection.cursor() as cursor:
        store_sql, store_params = in_clause("store_id", store_ids)
        cursor.execute(
            f"DELETE FROM {snapshots} WHERE snapshot_date = %s AND {store_sql}",  # noqa: S608 - identifiers are ours
            [date_param(day), *store_params],
        )
        replaced = max(cursor.rowcount, 0)
    progress(50, "stage.saving_store_stock", rows_read=len(rows))

    def insert_progress(done: int, total: int) -> None:
        progress(50 + 45 * done / total, "stage.saving_store_stock", rows_written=done)

    written = rows_insert(
        snapshots,
        rows,
        types={"store_id": "bigint", "product_id": "bigint", "units": "integer", "snapshot_date": "date"},
        progress=insert_progress,
    )
    # Each store's current stock is its latest snapshot: move the date forward only.
    Store.objects.filter(id__in=store_ids).filter(Q(stock_date__isnull=True) | Q(stock_date__lt=day)).update(
        stock_date=day
    )
    analyze_after_load(snapshots, Store._meta.db_table, rows=written)
    return replaced, written


def store_stock_import(
    *,
    path: str | Path,
    snapshot_date: dt.date | None = None,
    backfill: bool = False,
    user: Any = None,
    progress: Progress = no_progress,
    file_name: str = "",
    job: Any = None,
    max_bytes: int | None = None,
) -> StockImportResult:
    """Stores' stock on a date (default today). For each store in the file,
    loading a date again replaces that store's snapshot of the date; other
    stores keep theirs. Store.stock_date stays the store's latest snapshot date:
    a store's current stock is that snapshot, and a SKU absent from it has 0.
    A date after today is refused; one before the latest snapshot of a store
    in the file needs `backfill` (SPEC v3 §5.7)."""
    day = snapshot_date or timezone.localdate()
    stock_date_check(day, None, backfill=backfill)
    progress(5, "stage.reading_file")
    frame = read_table(path, STORE_STOCK_COLUMNS, max_bytes=max_bytes)
    text_lengths_check(frame, TEXT_LIMITS)
    progress(30, "stage.updating_products_stores", rows_read=len(frame))
    with transaction.atomic():
        imports_lock()
        stores = stores_resolve(frame["store"].unique())
        frame["store_id"] = frame["store"].map(stores.id_by_label).astype("int64")
        _duplicates(frame, ["sku", "store_id"], "sku_store")
        products = products_upsert(frame)
        store_ids = sorted(set(frame["store_id"].tolist()))
        latest = Store.objects.filter(id__in=store_ids).aggregate(latest=Max("stock_date"))["latest"]
        latest = None if demo_present() else latest
        stock_date_check(day, latest, backfill=backfill)
        upload_order_check(job, dataset="store_stock", stores=store_ids, first=day, last=day)
        rows = pd.DataFrame(
            {
                "store_id": frame["store_id"].to_numpy(dtype="int64"),
                "product_id": frame["sku"].map(products.id_by_sku).to_numpy(dtype="int64"),
                "units": frame["quantity"].to_numpy(dtype="int64"),
                "snapshot_date": np.datetime64(day, "D"),
            }
        )
        replaced, written = _store_snapshots_replace(rows, store_ids, day, progress)
        result = StockImportResult(
            snapshot_date=day,
            rows_read=len(frame),
            sku_count=int(frame["sku"].nunique()),
            store_count=len(store_ids),
            units=int(rows["units"].sum()),
            replaced=replaced,
            new_products=products.created,
            new_stores=stores.created,
            category_warnings=products.category_warnings,
        )
        upload_finish(
            user=user,
            job=job,
            progress=progress,
            object_repr=msg("inventory.audit_store_stock", date=day, file=file_name or Path(path).name),
            details={
                "kind": "store_stock",
                "date": day.isoformat(),
                "backfill": _is_backfill(day, latest),
                "rows": written,
                "stores": len(store_ids),
                "units": result.units,
                "replaced": replaced,
                "new_products": products.created,
                "new_stores": stores.created,
            },
            rows_read=len(frame),
            rows_written=written,
        )
    return result


# --- Stock commitments of approved runs and plans (SPEC §5.7) ------------------

COMMITMENT_TYPES = {
    "source": "text",
    "kind": "text",
    "product_id": "bigint",
    "store_id": "bigint",
    "units": "integer",
    "approved_on": "date",
}
SHORTFALLS_LISTED = 10


def commitments_lock() -> None:
    """Serialise approvals (PostgreSQL: a transaction-level advisory lock), so
    that two approvals at once cannot both take the same free units: the
    second reads the first one's commitments once it has committed. SQLite
    has one writer anyway (write transactions are IMMEDIATE)."""
    if is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('fastdso.commitments'))")


def stock_commitments_open(
    *, source: str, cd: pd.DataFrame, stores: pd.DataFrame, approved_at: dt.datetime
) -> dict[str, int]:
    """Write the commitments of an approved run or plan, in bulk, inside the
    caller's transaction (the lifecycle service's).

    `cd`: DataFrame[product_id, units] to reserve at the CD (units > 0);
    `stores`: DataFrame[product_id, store_id, units, kind], signed units
    (in transit / transfer in > 0, donor out < 0). Refused (TransitionRefused,
    the SKUs named, nothing written) when the CD or a donor no longer has the
    units free: snapshot − what other open runs and plans already hold.
    """
    cd = cd[cd["units"] > 0].groupby("product_id", as_index=False)["units"].sum()
    stores = stores[stores["units"] != 0]
    commitments_lock()
    problems = _cd_shortfalls(cd) + _donor_shortfalls(stores)
    if problems:
        more = len(problems) - SHORTFALLS_LISTED
        raise TransitionRefused(
            "inventory.approve_short",
            id=source,
            n=len(problems),
            shown=problems[:SHORTFALLS_LISTED],
            more=msg("inventory.approve_short_more", n=more) if more > 0 else "",
        )
    day = timezone.localdate(approved_at)
    frame = pd.concat(
        [
            pd.DataFrame(
                {
                    "kind": str(StockCommitment.Kind.CD_RESERVED),
                    "product_id": cd["product_id"].astype("int64"),
                    "store_id": pd.array([pd.NA] * len(cd), dtype="Int64"),
                    "units": -cd["units"].astype("int64"),
                }
            ),
            pd.DataFrame(
                {
                    "kind": stores["kind"].astype(str),
                    "product_id": stores["product_id"].astype("int64"),
                    "store_id": stores["store_id"].astype("Int64"),
                    "units": stores["units"].astype("int64"),
                }
            ),
        ],
        ignore_index=True,
    )
    frame.insert(0, "source", source)
    frame["approved_on"] = day
    rows_insert(StockCommitment._meta.db_table, frame[list(COMMITMENT_TYPES)], types=COMMITMENT_TYPES)
    return {"cd_reserved": int(cd["units"].sum()), "store_units": int(stores["units"].abs().sum())}


def _sku_names(product_ids: Iterable[int]) -> dict[int, str]:
    return dict(Product.objects.filter(id__in=list(product_ids)).values_list("id", "sku"))


def _cd_shortfalls(cd: pd.DataFrame) -> list[Message]:
    """SKUs whose wanted CD units exceed what the CD still has free."""
    if cd.empty:
        return []
    free = inventory_queries.cd_stock(cd["product_id"].tolist(), effective=True)[["product_id", "units"]]
    check = cd.merge(free.rename(columns={"units": "free"}), on="product_id", how="left")
    check["free"] = check["free"].fillna(0).astype("int64")
    short = check[check["units"] > check["free"].clip(lower=0)]
    skus = _sku_names(short["product_id"])
    return [
        msg(
            "inventory.cd_shortfall",
            sku=str(skus.get(int(r.product_id), r.product_id)),
            units=int(r.units),
            free=max(int(r.free), 0),
        )
        for r in short.sort_values("product_id").itertuples(index=False)
    ]


def _donor_shortfalls(stores: pd.DataFrame) -> list[Message]:
    """(SKU, donor) pairs whose outgoing units exceed the donor's stock still free."""
    out = stores[stores["units"] < 0]
    if out.empty:
        return []
    out = out.groupby(["product_id", "store_id"], as_index=False)["units"].sum()
    out["units"] = -out["units"]
    free = inventory_queries.store_stock(
        out["product_id"].unique().tolist(), out["store_id"].unique().tolist(), effective=True
    )
    check = out.merge(
        free[["product_id", "store_id", "units"]].rename(columns={"units": "free"}),
        on=["product_id", "store_id"],
        how="left",
    )
    check["free"] = check["free"].fillna(0).astype("int64")
    short = check[check["units"] > check["free"].clip(lower=0)]
    skus = _sku_names(short["product_id"])
    names = dict(Store.objects.filter(id__in=short["store_id"].tolist()).values_list("id", "name"))
    return [
        msg(
            "inventory.donor_shortfall",
            sku=str(skus.get(int(r.product_id), r.product_id)),
            store=str(names.get(int(r.store_id), r.store_id)),
            units=int(r.units),
            free=max(int(r.free), 0),
        )
        for r in short.sort_values(["product_id", "store_id"]).itertuples(index=False)
    ]


def stock_commitments_rewrite(*, source: str, cd: pd.DataFrame, stores: pd.DataFrame) -> int:
    """Make a run's or plan's commitments what its lines ask for now (after
    clear_demo removed some of its lines): the same frames as approving,
    `cd` DataFrame[product_id, units], `stores` DataFrame[product_id,
    store_id, units, kind]. Rows keep their state (open or released) and
    approval date; a row whose lines are all gone is deleted; no row is
    added (fewer lines never hold more). Returns the rows changed or deleted."""
    cd = cd[cd["units"] > 0].groupby("product_id", as_index=False)["units"].sum()
    stores = stores[stores["units"] != 0].groupby(["product_id", "store_id", "kind"], as_index=False)["units"].sum()
    wanted: dict[tuple[str, int, int | None], int] = {
        (str(StockCommitment.Kind.CD_RESERVED), int(r.product_id), None): -int(r.units)
        for r in cd.itertuples(index=False)
    }
    wanted.update(
        {(str(r.kind), int(r.product_id), int(r.store_id)): int(r.units) for r in stores.itertuples(index=False)}
    )
    changed = 0
    updates: list[StockCommitment] = []
    gone: list[int] = []
    for row in StockCommitment.objects.filter(source=source).only("pk", "kind", "product_id", "store_id", "units"):
        units = wanted.get((row.kind, row.product_id, row.store_id))
        if units is None:
            gone.append(row.pk)
        elif units != row.units:
            row.units = units
            updates.append(row)
    StockCommitment.objects.bulk_update(updates, ["units"], batch_size=1000)
    for chunk in chunks(gone, 5000):
        changed += StockCommitment.objects.filter(pk__in=chunk).delete()[0]
    return changed + len(updates)


def stock_commitments_release(*, source: str, released_at: dt.datetime) -> int:
    """Release at once every open commitment of a run or plan (cancel, close).
    Returns the units it had taken (from the CD, or from donors)."""
    open_rows = StockCommitment.objects.filter(source=source, is_open=True)
    taken = open_rows.filter(units__lt=0).aggregate(total=Sum("units"))["total"] or 0
    open_rows.update(is_open=False, released_at=released_at)
    return int(-taken)


def store_stock_dates_refresh(*, store_ids: Iterable[int] | None = None) -> int:
    """Set each store's `stock_date` to its latest snapshot that exists (None
    when it has none), after snapshots were deleted or re-dated outside an
    import (the admin; issue 33 §6). `store_ids` None: every store. One UPDATE."""
    latest = (
        StoreStockSnapshot.objects.filter(store=OuterRef("pk"))
        .order_by()
        .values("store")
        .annotate(latest=Max("snapshot_date"))
        .values("latest")[:1]
    )
    stores = Store.objects.all() if store_ids is None else Store.objects.filter(pk__in=list(store_ids))
    return stores.update(stock_date=Subquery(latest))


# --- Shipments and receipts (SPEC v3 §5.7) ----------------------------------------------

MOVEMENT_TYPES = {
    "kind": "text",
    "source": "text",
    "product_id": "bigint",
    "origin_id": "bigint",
    "store_id": "bigint",
    "units": "integer",
    "moved_on": "date",
    "due_on": "date",
    "backfill": "boolean",
    "job_id": "bigint",
}
LINE_KEYS = ["product_id", "origin_id", "store_id"]
BACKFILL_NEEDED = msg("inventory.backfill_needed")


def stock_commitments_export(*, source: str, exported_at: dt.datetime) -> None:
    """Note the export date on a run's or plan's commitments (the pick-days rule)."""
    StockCommitment.objects.filter(source=source, is_open=True).update(exported_on=timezone.localdate(exported_at))


def _shipped_so_far(sources: list[str], kind: str = str(StockMovement.Kind.SHIPPED)) -> pd.DataFrame:
    """DataFrame[source, product_id, origin_id, store_id, units] already confirmed."""
    rows = list(
        StockMovement.objects.filter(kind=kind, source__in=sources)
        .values("source", *LINE_KEYS)
        .annotate(done=Sum("units"))
        .order_by()
        .values_list("source", *LINE_KEYS, "done")
    )
    frame = pd.DataFrame(rows, columns=["source", *LINE_KEYS, "units"])
    return frame.astype({"product_id": "int64", "origin_id": "Int64", "store_id": "int64", "units": "int64"})


def _lead_times(store_ids: Iterable[int]) -> dict[int, int]:
    return dict(Store.objects.filter(id__in=list(store_ids)).values_list("id", "lead_time_days"))


def _movements_write(frame: pd.DataFrame) -> int:
    """Bulk insert of StockMovement rows (MOVEMENT_TYPES columns)."""
    frame = frame.assign(origin_id=frame["origin_id"].astype("Int64"), job_id=frame["job_id"].astype("Int64"))
    return rows_insert(StockMovement._meta.db_table, frame[list(MOVEMENT_TYPES)], types=MOVEMENT_TYPES)


def _with_due(frame: pd.DataFrame) -> pd.DataFrame:
    """due_on = moved_on + the destination's lead time (SPEC §4.7)."""
    lead = frame["store_id"].map(_lead_times(frame["store_id"].unique().tolist())).fillna(0).astype("int64")
    return frame.assign(due_on=pd.to_datetime(frame["moved_on"]) + pd.to_timedelta(lead, unit="D"))


def stock_ship_rest(*, source: str, lines: pd.DataFrame, shipped_at: dt.datetime) -> dict[str, int]:
    """Marking a run or plan shipped: every unit of its lines not yet confirmed
    ships today (inside the lifecycle's transaction)."""
    commitments_lock()
    done = _shipped_so_far([source]).drop(columns=["source"]).rename(columns={"units": "done"})
    lines = lines.astype({"product_id": "int64", "origin_id": "Int64", "store_id": "int64", "units": "int64"})
    rest = lines.merge(done, on=LINE_KEYS, how="left")
    rest["units"] = rest["units"] - rest["done"].fillna(0).astype("int64")
    rest = rest[rest["units"] > 0]
    if rest.empty:  # the lifecycle refuses it when the source was already shipped
        return {"shipped_units": 0, "shipped_lines": 0}
    rest = rest.assign(
        kind=str(StockMovement.Kind.SHIPPED),
        source=source,
        moved_on=pd.Timestamp(timezone.localdate(shipped_at)),
        backfill=False,
        job_id=pd.NA,
    )
    _movements_write(_with_due(rest))
    return {"shipped_units": int(rest["units"].sum()), "shipped_lines": len(rest)}


@dataclass
class MovementImportResult:
    kind: str  # shipments | receipts
    rows_read: int
    sources: list[str]
    units: int
    lines: int
    backfill: bool
    category_warnings: list[Message] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        return {
            "rows_read": self.rows_read,
            "sources": ", ".join(self.sources),
            "lines": self.lines,
            "units": self.units,
            "backfill": self.backfill,
        }


def _movement_columns(date_column: str) -> list[Column]:
    return [
        Column("run_id", required=False),
        Column("plan_id", required=False),
        Column("sku"),
        Column("store"),
        Column("origin", required=False),
        Column("qty", Kind.INT, min_value=1),
        Column(date_column, Kind.DATE),
    ]


SHIPMENT_COLUMNS = _movement_columns("shipped_on")
RECEIPT_COLUMNS = _movement_columns("received_on")


class _RowErrors:
    """Row errors collected over the checks; the file is refused if any."""

    def __init__(self) -> None:
        self.errors: list[RowError] = []

    def add(self, rows: pd.Series, column: str, values: pd.Series, message: Message | pd.Series) -> None:
        messages = message if isinstance(message, pd.Series) else pd.Series([message] * len(rows), index=rows.index)
        for row, value, problem in zip(rows.index[rows], values[rows], messages[rows], strict=True):
            self.errors.append(RowError(int(row), column, str(value)[:200], problem))

    def raise_if_any(self) -> None:
        if self.errors:
            self.errors.sort(key=lambda e: (e.row or 0, e.column))
            raise JobInputError(
                msg("files.rows_refused", n=len(self.errors)),
                self.errors[:100_000],
                total_errors=len(self.errors),
            )


def _movement_frame(frame: pd.DataFrame, date_column: str, errors: _RowErrors) -> tuple[pd.DataFrame, dict]:
    """The file's rows with source, product_id, store_id, origin_id resolved;
    unknown runs/plans, SKUs and stores, and future dates, become row errors."""
    from fastdso.lifecycle import lifecycle_kind

    run_id = frame["run_id"].fillna("").astype(str).str.strip()
    plan_id = frame["plan_id"].fillna("").astype(str).str.strip()
    frame = frame.assign(source=run_id.where(run_id != "", plan_id))
    errors.add(frame["source"] == "", "run_id", frame["source"], msg("inventory.source_missing"))
    errors.add((run_id != "") & (plan_id != ""), "plan_id", plan_id, msg("inventory.source_both"))
    objects: dict[str, Any] = {}
    for source in sorted(set(frame["source"]) - {""}):
        try:
            kind = lifecycle_kind(source)
        except TransitionRefused:
            continue
        obj = kind.model.objects.select_for_update().filter(**{kind.id_field: source}).first()
        if obj is not None:
            objects[source] = (kind, obj)
    errors.add(
        (frame["source"] != "") & ~frame["source"].isin(list(objects)),
        "run_id",
        frame["source"],
        msg("inventory.source_unknown"),
    )
    ids = product_ids(frame["sku"])
    frame["product_id"] = frame["sku"].map(ids).astype("Int64")
    errors.add(frame["product_id"].isna(), "sku", frame["sku"], msg("unknown_sku"))
    labels = stores_resolve(pd.concat([frame["store"], frame["origin"].fillna("")]), create=False).id_by_label
    frame["store_id"] = frame["store"].map(labels).astype("Int64")
    errors.add(frame["store_id"].isna(), "store", frame["store"], msg("inventory.unknown_store"))
    origin = frame["origin"].fillna("").astype(str).str.strip()
    frame["origin_id"] = origin.map(labels).astype("Int64")
    errors.add((origin != "") & frame["origin_id"].isna(), "origin", origin, msg("inventory.unknown_origin"))
    today = pd.Timestamp(timezone.localdate())
    errors.add(
        frame[date_column] > today,
        date_column,
        frame[date_column].dt.strftime("%Y-%m-%d"),
        msg("inventory.date_after_today"),
    )
    return frame, objects


def _line_match(frame: pd.DataFrame, objects: dict, errors: _RowErrors) -> pd.DataFrame:
    """Each row's line in its run or plan: (product, store) of a run; of a plan
    also the origin (given, or the only one the plan has for the pair)."""
    parts = []
    for source, (kind, obj) in objects.items():
        lines = kind.lines(obj)
        if lines is not None and not lines.empty:
            parts.append(lines.assign(source=source))
    lines = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["source", *LINE_KEYS, "units"])
    lines = lines.astype({"product_id": "int64", "origin_id": "Int64", "store_id": "int64", "units": "int64"})
    pair = ["source", "product_id", "store_id"]
    origins = lines.groupby(pair, as_index=False).agg(origins=("origin_id", "nunique"), only=("origin_id", "first"))
    ok = frame[frame["product_id"].notna() & frame["store_id"].notna() & frame["source"].isin(list(objects))]
    keyed = ok[pair].astype({"product_id": "int64", "store_id": "int64"}).reset_index()
    keyed = keyed.merge(origins, on=pair, how="left").set_index("index")
    known = keyed["origins"].notna()
    errors.add(~known, "sku", frame.loc[keyed.index, "sku"], msg("inventory.no_such_line"))
    given = frame.loc[keyed.index, "origin_id"]
    several = known & given.isna() & (keyed["origins"] > 1)
    errors.add(
        several,
        "origin",
        frame.loc[keyed.index, "store"],
        msg("inventory.several_origins"),
    )
    frame.loc[keyed.index, "origin_id"] = given.where(given.notna(), keyed["only"]).astype("Int64")
    return lines


def _state_errors(frame: pd.DataFrame, objects: dict, states: tuple[str, ...], errors: _RowErrors, what: str) -> None:
    bad = {source: obj.state for source, (_kind, obj) in objects.items() if obj.state not in states}
    rows = frame["source"].isin(list(bad))
    messages = frame["source"].map(lambda s: msg(f"inventory.cannot_{what}", state=bad.get(s, "")))
    errors.add(rows, "run_id", frame["source"], messages)


def _movements_checked(
    frame: pd.DataFrame, date_column: str, shipping: bool, backfill: bool, errors: _RowErrors
) -> tuple[pd.DataFrame, dict[str, Any], pd.Series]:
    """The rows of a shipment or receipt file resolved and checked (states,
    lines, quantities, dates): (rows, their runs and plans by id, which rows
    are dated before the last count). Raises on any row error."""
    frame, objects = _movement_frame(frame, date_column, errors)
    states = ("exported", "shipped") if shipping else ("exported", "shipped", "closed")
    _state_errors(frame, objects, states, errors, "ship" if shipping else "receive")
    lines = _line_match(frame, objects, errors)
    # The rows that resolved are checked further: over-shipment and dates.
    resolved = frame[~frame.index.isin({e.row for e in errors.errors})]
    resolved = resolved.astype({"product_id": "int64", "store_id": "int64"})
    _quantity_errors(resolved, lines, sorted(objects), shipping, errors)
    last_count = _last_counts(resolved, shipping)
    old = last_count.notna() & (resolved[date_column] < last_count)
    if not backfill:
        errors.add(old, date_column, resolved[date_column].dt.strftime("%Y-%m-%d"), BACKFILL_NEEDED)
    errors.raise_if_any()
    return resolved, objects, old


def movements_import(
    *,
    path: str | Path,
    kind: str,
    backfill: bool = False,
    user: Any = None,
    progress: Progress = no_progress,
    file_name: str = "",
    job: Any = None,
    max_bytes: int | None = None,
) -> MovementImportResult:
    """A shipment confirmation file (`kind` "shipments": run_id or plan_id, sku,
    store, qty, shipped_on; `origin` for a plan whose SKU reaches the store
    from several stores) or a receipt file ("receipts": … received_on).

    Partial shipments are fine; a line shipped beyond its units, received
    beyond what shipped, a run or plan not exported, an unknown run, plan,
    SKU, store or line, a date after today, or (without `backfill`) a date
    before the latest count of the place it left (shipments: the CD, or a
    plan's origin) or reached (receipts: the store) is a row error, and any
    row error refuses the whole file. Shipments move an exported run or plan
    to shipped (audited). One transaction."""
    from fastdso.lifecycle import lifecycle_mark_shipped

    shipping = kind == "shipments"
    date_column = "shipped_on" if shipping else "received_on"
    progress(5, "stage.reading_file")
    frame = read_table(path, SHIPMENT_COLUMNS if shipping else RECEIPT_COLUMNS, max_bytes=max_bytes)
    text_lengths_check(frame, TEXT_LIMITS)
    errors = _RowErrors()
    progress(30, "stage.checking_lines", rows_read=len(frame))
    with transaction.atomic():
        imports_lock()
        commitments_lock()
        frame, objects, old = _movements_checked(frame, date_column, shipping, backfill, errors)
        key = ["source", *LINE_KEYS]

        progress(60, "stage.saving", rows_read=len(frame))
        rows = frame.assign(
            kind=str(StockMovement.Kind.SHIPPED if shipping else StockMovement.Kind.RECEIVED),
            units=frame["qty"].astype("int64"),
            moved_on=frame[date_column],
            backfill=old.to_numpy(),
            job_id=job.pk if job is not None and job.pk else pd.NA,
        )
        if not shipping:
            rows = rows.assign(origin_id=pd.NA)
        rows = _with_due(rows) if shipping else rows.assign(due_on=pd.NaT)
        _movements_write(rows)
        sources = sorted(set(frame["source"]))
        if shipping:
            for source in sources:
                _kind, obj = objects[source]
                lifecycle_mark_shipped(obj, object_id=source, user=user, details={"file": file_name or Path(path).name})
        result = MovementImportResult(
            kind=kind,
            rows_read=len(frame),
            sources=sources,
            units=int(rows["units"].sum()),
            lines=int(frame[key].drop_duplicates().shape[0]),
            backfill=bool(old.any()),
        )
        upload_finish(
            user=user,
            job=job,
            progress=progress,
            object_repr=msg(f"inventory.audit_{kind}", file=file_name or Path(path).name),
            details={
                "kind": kind,
                "rows": result.rows_read,
                "units": result.units,
                "sources": sources[:50],
                "backfill": result.backfill,
                "backfill_rows": int(old.sum()),
            },
            rows_read=len(frame),
            rows_written=len(rows),
        )
    return result


def _quantity_errors(
    frame: pd.DataFrame, lines: pd.DataFrame, sources: list[str], shipping: bool, errors: _RowErrors
) -> None:
    """Shipping a line beyond its units, or receiving beyond what shipped (with
    what earlier files confirmed), is a row error on each row of that line."""
    moved = _shipped_so_far(sources)
    if shipping:
        check_key = ["source", *LINE_KEYS]
        limit = lines.rename(columns={"units": "limit"})
        done = moved.rename(columns={"units": "done"})
        what = "inventory.ship_over"
    else:
        check_key = ["source", "product_id", "store_id"]
        limit = moved.groupby(check_key, as_index=False)["units"].sum().rename(columns={"units": "limit"})
        received = _shipped_so_far(sources, str(StockMovement.Kind.RECEIVED))
        done = received.groupby(check_key, as_index=False)["units"].sum().rename(columns={"units": "done"})
        what = "inventory.receive_over"
    if frame.empty:
        return
    totals = frame.groupby(check_key, dropna=False)["qty"].transform("sum")
    check = frame[check_key].reset_index().merge(limit, on=check_key, how="left").merge(done, on=check_key, how="left")
    check = check.set_index("index")
    check["limit"] = check["limit"].fillna(0).astype("int64")
    check["done"] = check["done"].fillna(0).astype("int64")
    over = totals + check["done"] > check["limit"]
    messages = pd.Series(
        [msg(what, total=t, limit=m, done=d) for t, m, d in zip(totals, check["limit"], check["done"], strict=True)],
        index=frame.index,
    )
    errors.add(over, "qty", frame["qty"], messages)


def _last_counts(frame: pd.DataFrame, shipping: bool) -> pd.Series:
    """The latest count date of the place each row's units left (shipments:
    the CD, or a plan's origin store) or reached (receipts: the store)."""
    stock_dates = {
        pk: pd.Timestamp(day) for pk, day in Store.objects.exclude(stock_date=None).values_list("id", "stock_date")
    }
    if shipping:
        cd_date = inventory_queries.cd_stock_date()
        origin = pd.to_datetime(frame["origin_id"].astype(object).map(stock_dates))
        return origin.where(frame["origin_id"].notna(), pd.Timestamp(cd_date) if cd_date else pd.NaT)
    return pd.to_datetime(frame["store_id"].astype(object).map(stock_dates))
