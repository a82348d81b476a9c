"""SPEC §5.7 with --partial CD imports: without shipment confirmations, an
exported run's CD reservation ends with a count of the SKU `cd_pick_days`
(2) after the export (v3; v2: any count after the approval). A partial
snapshot counts only its file's SKUs; the SKUs it copies were not counted
again, so what the run reserved of them is still in the copied quantity and
stays reserved."""

from __future__ import annotations

import datetime as dt

import pytest

from inventory import queries
from inventory.models import CDStockSnapshot, StockCommitment
from inventory.services import cd_stock_import
from tests import factories as f

APPROVED = dt.date(2026, 3, 1)  # approved and exported


@pytest.fixture
def reserved(db):
    """A (counted 40) and B (counted 30) on 1 March; DR-1 approved and exported that day reserves 10 of each."""
    a, b = f.product("000A"), f.product("000B")
    f.cd_stock([(a, 40), (b, 30)], day=dt.date(2026, 3, 1))
    for product in (a, b):
        StockCommitment.objects.create(
            source="DR-1", kind="cd_reserved", product=product, units=-10, approved_on=APPROVED, exported_on=APPROVED
        )
    return {"A": a, "B": b}


def _free(reserved) -> dict[str, tuple[int, int]]:
    """SKU → (snapshot units, units still reserved)."""
    frame = queries.cd_stock([p.pk for p in reserved.values()], effective=True)
    by_id = {p.pk: sku for sku, p in reserved.items()}
    return {by_id[int(r.product_id)]: (int(r.snapshot_units), int(r.reserved_units)) for r in frame.itertuples()}


def _load(tmp_path, text: str, day: dt.date, *, partial: bool) -> None:
    path = tmp_path / "cd.csv"
    path.write_text(text)
    cd_stock_import(path=path, snapshot_date=day, partial=partial)


def test_a_partial_snapshot_ends_only_the_reservations_of_the_skus_it_counted(reserved, tmp_path):
    assert _free(reserved) == {"A": (40, 10), "B": (30, 10)}

    _load(tmp_path, "sku,quantity\n000A,31\n", dt.date(2026, 3, 3), partial=True)  # A shipped 10 (and sold 1)

    # B was copied with its 1 March count: the 10 units DR-1 took are still in it.
    assert _free(reserved) == {"A": (31, 0), "B": (30, 10)}
    assert queries.source_commitments("DR-1")["cd_units"] == 10
    copied = CDStockSnapshot.objects.get(product=reserved["B"], snapshot_date=dt.date(2026, 3, 3))
    assert copied.units == 30 and copied.counted_on == dt.date(2026, 3, 1)

    # A second partial copy keeps B's count date; a full count ends B's reservation too.
    _load(tmp_path, "sku,quantity\n000A,31\n", dt.date(2026, 3, 4), partial=True)
    assert _free(reserved) == {"A": (31, 0), "B": (30, 10)}
    _load(tmp_path, "sku,quantity\n000A,31\n000B,20\n", dt.date(2026, 3, 5), partial=False)
    assert _free(reserved) == {"A": (31, 0), "B": (20, 0)}
    assert queries.source_commitments("DR-1")["cd_units"] == 0


def test_a_full_snapshot_ends_every_reservation_even_of_skus_it_leaves_out(reserved, tmp_path):
    """A full CD file is the whole CD (SPEC §9): a SKU absent from it was counted as 0."""
    _load(tmp_path, "sku,quantity\n000A,30\n", dt.date(2026, 3, 3), partial=False)
    assert _free(reserved) == {"A": (30, 0)}  # B: counted 0, nothing reserved any more
