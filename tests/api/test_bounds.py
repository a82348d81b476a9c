"""Dates and numbers bounded where the API parses them (issue 33 §6): a 400
that names the field, nothing started, never a 500."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fastdso.models import Job
from inventory.models import CDStockSnapshot, StoreStockSnapshot


def csv(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


@pytest.mark.parametrize("day", ["2173-10-14", "1900-01-01", "9999-12-31"])
@pytest.mark.parametrize(
    ("url", "body"),
    [("/api/v1/uploads/cd_stock/", "sku,quantity\n00012345,100\n"),
     ("/api/v1/uploads/store_stock/", "sku,store,quantity\n00012345,Tienda Centro,4\n")],
)  # fmt: skip
def test_a_stock_date_out_of_range_is_a_400_naming_the_field(planner_api, db, url, body, day):
    response = planner_api.post(url, {"file": csv("stock.csv", body), "date": day})
    assert response.status_code == 400, response.content
    assert "date" in response.json(), response.json()
    assert not Job.objects.exists()
    assert not CDStockSnapshot.objects.exists() and not StoreStockSnapshot.objects.exists()


def test_a_run_as_of_9999_or_a_cover_of_1e308_is_a_400_naming_the_field(planner_api, data):
    for field, value in (("as_of", "9999-12-31"), ("target_woc", "1e308"), ("lookback_weeks", "1000000000")):
        response = planner_api.post("/api/v1/runs/", {"file": csv("pedido.csv", "sku\n00012345\n"), field: value})
        assert response.status_code == 400, (field, response.content)
        assert field in str(response.json()), (field, response.json())
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("policy_1", "base:lookback_weeks=1e9"), ("policy_1", "base:target_woc=1e308"), ("as_of", "9999-12-31")],
)
def test_a_replay_with_an_out_of_range_value_is_a_400_naming_it(planner_api, data, field, value):
    payload = {"scope": "top", "top_n": 2, "weeks": 3, "cd_supply": 1.0, "policy_1": "base:model=SMA2", field: value}
    response = planner_api.post("/api/v1/replays/", payload)
    assert response.status_code == 400, response.content
    assert field in str(response.json())
    if field == "policy_1":
        assert value.split(":")[1].split("=")[0] in str(response.json())  # the policy key is named too
    assert not Job.objects.exists()
