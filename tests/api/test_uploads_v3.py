"""API uploads of SPEC v3: promotions and the stores file, the same jobs as the web pages."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from inventory.models import Store
from sales.models import Promotion
from tests import factories


def csv(name: str, body: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body.encode(), content_type="text/csv")


def test_promotions_upload_runs_the_import_job(planner_api, db):
    factories.product("00012345")
    factories.store("Tienda Norte 002")
    body = "sku,store,start_date,end_date,name\n00012345,Tienda Norte 002,2026-11-01,2026-11-03,Día\n"
    response = planner_api.post("/api/v1/uploads/promotions/", {"file": csv("p.csv", body), "replace_range": True})
    assert response.status_code == 202
    assert response.json()["status"] == "done"
    promotion = Promotion.objects.select_related("product", "store").get()
    assert (promotion.product.sku, promotion.store.name, promotion.name) == ("00012345", "Tienda Norte 002", "Día")
    bad = planner_api.post("/api/v1/uploads/promotions/", {"file": csv("p.csv", "sku,start_date,end_date\n1,x,y\n")})
    assert bad.json()["status"] == "failed" and bad.json()["error_count"] == 2
    assert Promotion.objects.count() == 1


def test_viewers_cannot_upload_promotions(viewer_api, db):
    body = "sku,start_date,end_date\n1,2026-11-01,2026-11-02\n"
    assert planner_status(viewer_api.post("/api/v1/uploads/promotions/", {"file": csv("p.csv", body)})) == 403


def planner_status(response) -> int:
    return response.status_code


def test_stores_upload_runs_the_import_job(planner_api, db):
    body = "store,code,size_factor,active\nTienda Centro 001,C001,1.5,no\n"
    response = planner_api.post("/api/v1/uploads/stores/", {"file": csv("t.csv", body)})
    assert response.status_code == 202 and response.json()["status"] == "done"
    store = Store.objects.get()
    assert (store.name, store.code, store.size_factor, store.active) == ("Tienda Centro 001", "C001", 1.5, False)
