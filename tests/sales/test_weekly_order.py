"""The macro upload's in-memory steps that replaced slower equivalents (SPEC §11a)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sales.macro_import import unique_index_order
from sales.sales_file import SalesAccumulator
from sales.weekly_writer import stored_in_file_order


def _key(sku_code: int, store_code: int, week: int) -> int:
    return (sku_code << 40) | (store_code << 20) | week


def test_weekly_rows_are_ordered_by_product_id_week_and_store_id_whatever_the_file_order() -> None:
    # The file met SKU codes 0, 1 and stores 0, 1 in its own order; the database's ids run the other way.
    keys = np.array([_key(0, 0, 5), _key(0, 1, 4), _key(0, 1, 5), _key(1, 0, 4)], dtype=np.int64)
    product_ids = np.array([20, 10], dtype=np.int64)  # SKU code 0 is product 20
    store_ids = np.array([7, 3], dtype=np.int64)  # store code 0 is store 7
    # (product, week, store): (10, 4, 7), (20, 4, 3), (20, 5, 3), (20, 5, 7)
    assert unique_index_order(keys, product_ids, store_ids).tolist() == [3, 1, 2, 0]


def test_two_codes_of_one_product_keep_the_file_order_between_them_as_lexsort_does() -> None:
    keys = np.array([_key(0, 0, 4), _key(1, 0, 3), _key(1, 0, 4)], dtype=np.int64)
    product_ids = np.array([5, 5], dtype=np.int64)
    store_ids = np.array([1], dtype=np.int64)
    expected = np.lexsort((store_ids[(keys >> 20) & 0xFFFFF], keys & 0xFFFFF, product_ids[keys >> 40]))
    assert unique_index_order(keys, product_ids, store_ids).tolist() == expected.tolist() == [1, 0, 2]


def test_codes_are_given_in_order_of_first_appearance_across_blocks() -> None:
    known: dict[str, int] = {}
    first = SalesAccumulator._codes(pd.Series(["B", "A", "B"]), known)
    second = SalesAccumulator._codes(pd.Series(["C", "A", "C", "B"]), known)
    assert first.tolist() == [0, 1, 0]
    assert second.tolist() == [2, 1, 2, 0]
    assert known == {"B": 0, "A": 1, "C": 2}


def test_stored_rows_out_of_heap_order_are_put_in_the_files_order() -> None:
    # The file's rows (product, week, store), sorted as the file has them.
    file_products = np.array([10, 10, 10, 20], dtype=np.int64)
    file_weeks = np.array([4, 4, 5, 4], dtype=np.int64)
    file_stores = np.array([3, 7, 3, 7], dtype=np.int64)
    shuffled = [3, 0, 2, 1]  # the heap returned them in this order
    order = stored_in_file_order(
        file_products[shuffled], file_weeks[shuffled].astype(np.int32), file_stores[shuffled], file_products, [3, 7]
    )
    assert order.tolist() == [1, 3, 2, 0]
    assert file_products[shuffled][order].tolist() == file_products.tolist()
    assert file_stores[shuffled][order].tolist() == file_stores.tolist()
