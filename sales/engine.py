"""The macro layer's write rules (SPEC §4.2) as pure functions.

A file's weekly rows are compared with the rows already stored in the file's
stores and weeks; the result says exactly which rows to insert, which to
change and which to remove, so unchanged rows are never written (a
re-upload writes nothing) and both databases run the same rules.

Weeks are given as day numbers: days since 1970-01-01 of the week's Monday.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

DAY_FIELDS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
REPLACE_RANGE = "replace_range"
APPEND_RANGE = "append_range"
# The cold start's default category window (SPEC §5.3), the one window
# sales.summary keeps.
CATEGORY_WINDOW_WEEKS = 12
INT32_MAX = 2_147_483_647
_EPOCH = dt.date(1970, 1, 1)


class WeeklyOverflow(ValueError):
    """A day or a week would hold more units than the database column admits;
    `code` says which (sales/messages.py words it)."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)


@dataclass(frozen=True)
class WeeklyChanges:
    inserts: pd.DataFrame  # product_id, store_id, week, mon..sun, units: rows that did not exist
    updates: pd.DataFrame  # id, mon..sun, units: stored rows whose days change
    deletes: np.ndarray  # ids of stored rows left without any sales
    written: int  # file rows inserted or changed
    cleared: int  # stored rows the file does not have, set to 0 on the file's dates or removed


def day_number(day: dt.date) -> int:
    return (day - _EPOCH).days


def monday_number(day: dt.date) -> int:
    return day_number(day - dt.timedelta(days=day.weekday()))


def _outside_range(weeks: np.ndarray, first: dt.date, last: dt.date) -> np.ndarray:
    """(n, 7) bool: the day lies outside [first, last] (only in boundary weeks)."""
    days = weeks.astype(np.int64)[:, None] + np.arange(7, dtype=np.int64)[None, :]
    return (days < day_number(first)) | (days > day_number(last))


def _row_keys(file_rows: pd.DataFrame, stored: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """One int64 key per (product, store, week), comparable across both frames."""
    n = len(file_rows)
    codes = []
    sizes = []
    for column in ("product_id", "store_id", "week"):
        values = np.concatenate([file_rows[column].to_numpy(np.int64), stored[column].to_numpy(np.int64)])
        code, uniques = pd.factorize(values)
        codes.append(code.astype(np.int64))
        sizes.append(max(len(uniques), 1))
    if sizes[0] * sizes[1] * sizes[2] >= 2**62:
        raise WeeklyOverflow("sales.too_many_keys_week")
    key = (codes[0] * sizes[1] + codes[1]) * sizes[2] + codes[2]
    return key[:n], key[n:]


def _with_units(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with int32 day columns and their sum `units`, one day column
    at a time (a first load passes millions of rows through here)."""
    units = np.zeros(len(frame), dtype=np.int64)
    biggest = 0
    days = {}
    for name in DAY_FIELDS:
        day = frame[name].to_numpy(np.int64)
        units += day
        biggest = max(biggest, int(np.abs(day).max(initial=0)))
        if frame[name].dtype != np.int32:  # int32 columns are shared, not copied
            days[name] = day.astype(np.int32)
    if max(biggest, int(np.abs(units).max(initial=0))) > INT32_MAX:
        raise WeeklyOverflow("sales.week_overflow")
    return frame.assign(**days, units=units.astype(np.int32))


def _day_frame(ids: np.ndarray, days: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame({"id": ids.astype(np.int64)})
    for column, name in enumerate(DAY_FIELDS):
        frame[name] = days[:, column]
    return frame


def weekly_merge(
    file_rows: pd.DataFrame,
    stored: pd.DataFrame,
    *,
    mode: str,
    first_date: dt.date,
    last_date: dt.date,
) -> WeeklyChanges:
    """What a load changes in the macro layer.

    `file_rows`: product_id, store_id, week, mon..sun — the file's weekly day
    sums (no all-zero rows, one row per key). `stored`: id, product_id,
    store_id, week, mon..sun — every stored row of the file's stores in the
    weeks from the Monday of `first_date` to the Monday of `last_date`.

    replace_range: in those stores, the days from `first_date` to `last_date`
    take the file's values (0 where the file has none); the other days of a
    boundary week keep theirs. append_range: the file's values are added.
    Either way a row left with no sales on any day is removed.
    """
    days = list(DAY_FIELDS)
    if stored.empty:  # nothing stored in the range (a first load): every file row is new
        return WeeklyChanges(
            inserts=_with_units(file_rows[["product_id", "store_id", "week", *days]]),
            updates=_with_units(_day_frame(np.zeros(0, dtype=np.int64), np.zeros((0, len(days)), dtype=np.int64))),
            deletes=np.zeros(0, dtype=np.int64),
            written=len(file_rows),
            cleared=0,
        )
    file_days = file_rows[days].to_numpy(np.int64)
    stored_days = stored[days].to_numpy(np.int64)
    stored_ids = stored["id"].to_numpy(np.int64)
    file_key, stored_key = _row_keys(file_rows, stored)
    position = pd.Index(stored_key).get_indexer(file_key)  # stored keys are unique
    matched = position >= 0
    in_file = np.zeros(len(stored), dtype=bool)
    in_file[position[matched]] = True
    before = stored_days[position[matched]]
    matched_ids = stored_ids[position[matched]]

    if mode == REPLACE_RANGE:
        kept = _outside_range(file_rows["week"].to_numpy(np.int64)[matched], first_date, last_date)
        after = np.where(kept, before, file_days[matched])
    elif mode == APPEND_RANGE:
        after = before + file_days[matched]
    else:
        raise ValueError(f"unknown mode {mode!r}")
    changed = (after != before).any(axis=1)
    emptied = ~after.any(axis=1)

    # Stored rows the file does not have.
    rest = ~in_file
    rest_ids = stored_ids[rest]
    rest_before = stored_days[rest]
    if mode == REPLACE_RANGE:
        kept = _outside_range(stored["week"].to_numpy(np.int64)[rest], first_date, last_date)
        rest_after = np.where(kept, rest_before, 0)
    else:
        rest_after = rest_before
    rest_emptied = ~rest_after.any(axis=1)
    rest_changed = (rest_after != rest_before).any(axis=1) & ~rest_emptied

    inserts = _with_units(file_rows.loc[~matched, ["product_id", "store_id", "week", *days]].reset_index(drop=True))
    updates = pd.concat(
        [
            _day_frame(matched_ids[changed & ~emptied], after[changed & ~emptied]),
            _day_frame(rest_ids[rest_changed], rest_after[rest_changed]),
        ],
        ignore_index=True,
    )
    return WeeklyChanges(
        inserts=inserts,
        updates=_with_units(updates),
        deletes=np.concatenate([matched_ids[emptied], rest_ids[rest_emptied]]),
        written=int((~matched).sum() + changed.sum()),
        cleared=int(rest_emptied.sum() + rest_changed.sum() + (emptied & changed).sum()),
    )
