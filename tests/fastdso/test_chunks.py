"""`fastdso.db.chunks`, the one way production code walks a long list in
batches: every item exactly once, in order, whatever the length and size."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fastdso.db import chunks


@given(length=st.integers(0, 50_000), size=st.integers(1, 10_000), kind=st.sampled_from(["list", "array", "frame"]))
def test_chunks_cover_every_item_once_in_order(length, size, kind):
    items = {"list": list(range(length)), "array": np.arange(length), "frame": pd.DataFrame({"i": range(length)})}[kind]
    parts = list(chunks(items, size))
    flat = [int(v) for part in parts for v in (part["i"] if kind == "frame" else part)]
    assert flat == list(range(length))
    assert all(len(part) == size for part in parts[:-1])
    assert all(1 <= len(part) <= size for part in parts)
    assert len(parts) == -(-length // size)


def test_a_frame_is_cut_by_position_not_by_label():
    frame = pd.DataFrame({"x": [10, 20, 30]}, index=[7, 3, 5])
    assert [part["x"].tolist() for part in chunks(frame, 2)] == [[10, 20], [30]]


def test_a_size_below_one_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        list(chunks([1, 2], 0))
