"""The stores file (SPEC v3 §4.7): opening date, like store, size, lead time, active."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from django.db import transaction
from django.utils import timezone

from fastdso.db import imports_lock
from fastdso.files import Column, Kind, RowError, normalise_header, read_raw_strings, read_table
from fastdso.jobs import JobInputError, no_progress
from fastdso.messages import Message, msg
from fastdso.uploads import upload_finish
from inventory.demo import demo_claim
from inventory.masters import BATCH, Progress
from inventory.models import (
    Store,
    normalise_store_name,
    store_name_key,
)

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
