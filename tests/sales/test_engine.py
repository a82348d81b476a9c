"""sales.engine.weekly_merge: the SPEC §4.2 write rules on hand-checkable rows."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sales.engine import (
    APPEND_RANGE,
    DAY_FIELDS,
    REPLACE_RANGE,
    WeeklyOverflow,
    monday_number,
    weekly_merge,
)

# Week of Monday 2026-03-02 and the next one.
W1 = monday_number(dt.date(2026, 3, 2))
W2 = W1 + 7


def file_rows(*rows):
    """rows: (product, store, week, [7 days])"""
    frame = pd.DataFrame([(p, s, w) for p, s, w, _ in rows], columns=["product_id", "store_id", "week"])
    days = np.array([d for *_, d in rows], dtype=np.int64).reshape(len(rows), 7)
    for i, name in enumerate(DAY_FIELDS):
        frame[name] = days[:, i]
    return frame


def stored_rows(*rows):
    """rows: (id, product, store, week, [7 days])"""
    frame = file_rows(*[(p, s, w, d) for _, p, s, w, d in rows])
    frame.insert(0, "id", [r[0] for r in rows])
    return frame


def days_of(frame, key, value):
    row = frame.loc[frame[key] == value].iloc[0]
    return [int(row[d]) for d in DAY_FIELDS]


def test_replace_inserts_new_rows_changes_different_ones_and_skips_equal_ones():
    stored = stored_rows(
        (10, 1, 1, W1, [1, 1, 1, 1, 1, 1, 1]),  # same as the file: untouched
        (11, 2, 1, W1, [5, 0, 0, 0, 0, 0, 0]),  # the file says 2 on Monday: changed
    )
    file = file_rows(
        (1, 1, W1, [1, 1, 1, 1, 1, 1, 1]),
        (2, 1, W1, [2, 0, 0, 0, 0, 0, 0]),
        (3, 1, W1, [0, 0, 4, 0, 0, 0, 0]),  # new
    )
    changes = weekly_merge(
        file, stored, mode=REPLACE_RANGE, first_date=dt.date(2026, 3, 2), last_date=dt.date(2026, 3, 8)
    )
    assert changes.inserts[["product_id", "store_id", "week", "units"]].values.tolist() == [[3, 1, W1, 4]]
    assert changes.updates["id"].tolist() == [11]
    assert days_of(changes.updates, "id", 11) == [2, 0, 0, 0, 0, 0, 0]
    assert changes.updates["units"].tolist() == [2]
    assert changes.deletes.tolist() == []
    assert (changes.written, changes.cleared) == (2, 0)


def test_replace_keeps_the_days_of_a_boundary_week_the_file_does_not_cover():
    # File from Thursday 2026-03-05 to Tuesday 2026-03-10: Mon–Wed of W1 and
    # Wed–Sun of W2 lie outside it.
    first, last = dt.date(2026, 3, 5), dt.date(2026, 3, 10)
    stored = stored_rows(
        (20, 1, 1, W1, [1, 2, 3, 4, 5, 6, 7]),  # in the file: Thu–Sun replaced
        (21, 2, 1, W1, [1, 1, 1, 9, 9, 9, 9]),  # not in the file: Thu–Sun cleared, Mon–Wed kept
        (22, 3, 1, W2, [8, 8, 0, 0, 0, 0, 0]),  # not in the file, only covered days: removed
        (23, 4, 1, W2, [0, 0, 5, 5, 5, 5, 5]),  # not in the file, nothing on covered days: untouched
    )
    file = file_rows((1, 1, W1, [0, 0, 0, 10, 0, 0, 0]))
    changes = weekly_merge(file, stored, mode=REPLACE_RANGE, first_date=first, last_date=last)
    assert len(changes.inserts) == 0
    assert sorted(changes.updates["id"].tolist()) == [20, 21]
    assert days_of(changes.updates, "id", 20) == [1, 2, 3, 10, 0, 0, 0]
    assert days_of(changes.updates, "id", 21) == [1, 1, 1, 0, 0, 0, 0]
    assert changes.updates.set_index("id").loc[20, "units"] == 16
    assert changes.deletes.tolist() == [22]
    assert (changes.written, changes.cleared) == (1, 2)


def test_replace_with_the_same_rows_again_changes_nothing():
    stored = stored_rows((30, 1, 1, W1, [1, 0, 0, 0, 0, 0, 2]), (31, 1, 2, W2, [0, 3, 0, 0, 0, 0, 0]))
    file = file_rows((1, 1, W1, [1, 0, 0, 0, 0, 0, 2]), (1, 2, W2, [0, 3, 0, 0, 0, 0, 0]))
    changes = weekly_merge(
        file, stored, mode=REPLACE_RANGE, first_date=dt.date(2026, 3, 2), last_date=dt.date(2026, 3, 15)
    )
    assert (len(changes.inserts), len(changes.updates), len(changes.deletes)) == (0, 0, 0)
    assert (changes.written, changes.cleared) == (0, 0)


def test_append_adds_and_removes_rows_that_net_to_zero():
    stored = stored_rows(
        (40, 1, 1, W1, [2, 0, 0, 0, 0, 0, 0]),
        (41, 2, 1, W1, [0, 3, 0, 0, 0, 0, 0]),  # a return of 3 empties it
        (42, 3, 1, W1, [0, 0, 0, 0, 0, 0, 1]),  # not in the file: untouched
    )
    file = file_rows(
        (1, 1, W1, [1, 0, 0, 0, 0, 0, 0]),
        (2, 1, W1, [0, -3, 0, 0, 0, 0, 0]),
        (4, 1, W1, [0, 0, 7, 0, 0, 0, 0]),
    )
    changes = weekly_merge(
        file, stored, mode=APPEND_RANGE, first_date=dt.date(2026, 3, 2), last_date=dt.date(2026, 3, 8)
    )
    assert changes.inserts["product_id"].tolist() == [4]
    assert changes.updates["id"].tolist() == [40]
    assert days_of(changes.updates, "id", 40) == [3, 0, 0, 0, 0, 0, 0]
    assert changes.deletes.tolist() == [41]
    assert (changes.written, changes.cleared) == (3, 1)


def test_keys_match_on_all_three_columns():
    # Same product and week, other store; same product and store, other week.
    stored = stored_rows((50, 1, 2, W1, [1, 0, 0, 0, 0, 0, 0]), (51, 1, 1, W2, [1, 0, 0, 0, 0, 0, 0]))
    file = file_rows((1, 1, W1, [1, 0, 0, 0, 0, 0, 0]))
    changes = weekly_merge(
        file, stored, mode=APPEND_RANGE, first_date=dt.date(2026, 3, 2), last_date=dt.date(2026, 3, 8)
    )
    assert len(changes.inserts) == 1 and len(changes.updates) == 0


def test_a_week_over_the_database_limit_is_refused():
    stored = stored_rows((60, 1, 1, W1, [2_000_000_000, 0, 0, 0, 0, 0, 0]))
    file = file_rows((1, 1, W1, [0, 2_000_000_000, 0, 0, 0, 0, 0]))
    with pytest.raises(WeeklyOverflow):
        weekly_merge(file, stored, mode=APPEND_RANGE, first_date=dt.date(2026, 3, 2), last_date=dt.date(2026, 3, 8))
