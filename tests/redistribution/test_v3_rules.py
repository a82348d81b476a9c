"""SPEC v3 §7 through the command, the form, the API and the stores' active flag."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from inventory.models import Store
from redistribution.models import TransferPlan
from tests import factories as f
from tests.redistribution.test_views import form_data


@pytest.fixture
def shop(db, week):
    """One SKU, 8 weeks: Norte sells 1/wk (needs 2: a 2-unit move), Sur 3/wk (needs 6), Centro gives."""
    centro, norte, sur = f.store("Centro"), f.store("Norte"), f.store("Sur")
    sku = f.product("00012345", "Consola", "Consolas")
    f.weekly([(sku, s, week(w), u) for w in range(8) for s, u in ((norte, 1), (sur, 3))])
    f.store_stock([(centro, sku, 40)])
    return {"centro": centro, "norte": norte, "sur": sur}


def redistribute(*flags: str) -> TransferPlan:
    args = ["--mode", "auto", "--category", "Consolas", "--destination", "all", *flags]
    call_command("redistribute", *args, stdout=io.StringIO(), stderr=io.StringIO())
    return TransferPlan.objects.latest("id")


def moved(plan: TransferPlan) -> dict[str, int]:
    return dict(plan.lines.values_list("destination_store__name", "qty"))


def test_the_command_takes_the_v3_flags(shop):
    assert moved(redistribute()) == {"Sur": 6}  # Norte's 2 units: under min_move_units 3
    v2 = redistribute("--rules", "v2")
    assert moved(v2) == {"Sur": 6, "Norte": 2}
    assert (v2.params["rules"], v2.summary["small_moves"], v2.summary["small_moves_share"]) == ("v2", 1, 0.5)
    assert moved(redistribute("--min-move-units", "2", "--min-gain", "1.25")) == {"Sur": 6, "Norte": 2}
    with pytest.raises(CommandError):
        redistribute("--rules", "v1")
    with pytest.raises(CommandError, match="min_gain"):
        redistribute("--min-gain", "-1")


def test_an_inactive_store_gets_no_transfer_but_donates(shop):
    Store.objects.filter(pk=shop["sur"].pk).update(active=False)
    assert moved(redistribute("--min-move-units", "2")) == {"Norte": 2}
    assert moved(redistribute("--rules", "v2")) == {"Sur": 6, "Norte": 2}
    Store.objects.filter(pk=shop["centro"].pk).update(active=False)
    assert moved(redistribute("--min-move-units", "2")) == {"Norte": 2}  # an inactive donor still gives


def test_the_form_and_the_plan_page(shop, planner_client):
    page = planner_client.get(reverse("redistribution:plan_create")).content.decode()
    assert 'name="rules"' in page and 'name="min_move_units"' in page and 'name="min_gain"' in page
    data = form_data(category="Consolas", destination_kind="all", rules="v2", min_move_units=3, min_gain=1.25)
    response = planner_client.post(reverse("redistribution:plan_create"), data)
    plan = TransferPlan.objects.latest("id")
    assert response.status_code == 302 and moved(plan) == {"Sur": 6, "Norte": 2}
    shown = planner_client.get(plan.get_absolute_url()).content.decode()
    assert "1 de menos de 3 u (50 %)" in shown
    planner_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    shown = planner_client.get(plan.get_absolute_url()).content.decode()
    assert "1 under 3 u (50 %)" in shown
    bad = planner_client.post(reverse("redistribution:plan_create"), {**data, "min_gain": -1})
    assert bad.status_code == 200 and TransferPlan.objects.count() == 1


def test_the_api_takes_the_v3_parameters(shop, planner):
    from rest_framework.test import APIClient

    from api.services import api_token_create

    _token, key = api_token_create(user=planner)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    body = {"mode": "auto", "scope": "category", "category": "Consolas", "destination_kind": "all"}
    response = client.post("/api/v1/plans/", {**body, "rules": "v2"}, format="json")
    assert response.status_code == 202, response.content
    assert moved(TransferPlan.objects.latest("id")) == {"Sur": 6, "Norte": 2}
    response = client.post("/api/v1/plans/", {**body, "min_move_units": 2}, format="json")
    assert moved(TransferPlan.objects.latest("id")) == {"Sur": 6, "Norte": 2}
    response = client.post("/api/v1/plans/", body, format="json")
    assert moved(TransferPlan.objects.latest("id")) == {"Sur": 6}
    assert client.post("/api/v1/plans/", {**body, "rules": "v9"}, format="json").status_code == 400
