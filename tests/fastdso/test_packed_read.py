"""`fastdso.db.int_columns_packed`: a bounded integer result in one binary value (PostgreSQL)."""

from __future__ import annotations

import pytest
from django.db import connection

from fastdso.db import int_columns_packed, int_columns_read

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's binary send functions")

ROWS = (
    "SELECT CAST(x AS BIGINT), CAST(-x * 3 AS BIGINT), CAST(x %% 7 AS INTEGER) "
    "FROM generate_series(1, %s) AS g(x) WHERE x <> %s"
)


def test_the_packed_read_returns_what_the_binary_copy_returns(db):
    packed = int_columns_packed(ROWS, [5000, 17], [8, 8, 4])
    copied = int_columns_read(ROWS, [5000, 17], [8, 8, 4])
    assert [len(c) for c in packed] == [4999] * 3
    assert all((a == b).all() for a, b in zip(packed, copied, strict=True))
    assert packed[0][:3].tolist() == [1, 2, 3] and packed[1][:3].tolist() == [-3, -6, -9]
    assert packed[2].dtype.itemsize == 4 and packed[2][:8].tolist() == [1, 2, 3, 4, 5, 6, 0, 1]


def test_no_rows_give_empty_columns(db):
    assert [len(c) for c in int_columns_packed(ROWS, [0, 0], [8, 8, 4])] == [0, 0, 0]


def test_a_null_is_refused_rather_than_dropping_its_row(db):
    sql = "SELECT CAST(x AS BIGINT), CAST(NULLIF(x, 2) AS BIGINT) FROM generate_series(1, 3) AS g(x)"
    with pytest.raises(RuntimeError, match="NULL"):
        int_columns_packed(sql, [], [8, 8])
