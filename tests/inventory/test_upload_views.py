"""Product and stock upload pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fastdso.models import Job
from inventory.models import CDStockSnapshot, Product, StoreStockSnapshot

PAGES = ["inventory:product_upload", "inventory:cd_stock_upload", "inventory:store_stock_upload"]


@pytest.mark.parametrize("name", PAGES)
def test_viewers_get_403_and_planners_the_page(viewer_client, planner_client, name):
    assert viewer_client.get(reverse(name)).status_code == 403
    page = planner_client.get(reverse(name)).content.decode()
    assert "Guía" in page and "Ejemplo" in page and 'type="file"' in page


def test_cd_stock_upload_with_a_date(planner_client):
    file = SimpleUploadedFile("cd.csv", b"sku,cantidad\n00012345,40\n")
    response = planner_client.post(reverse("inventory:cd_stock_upload"), {"file": file, "snapshot_date": "2026-02-08"})
    job = Job.objects.get()
    assert response["Location"] == reverse("job_detail", args=[job.pk])
    assert job.params == {"date": "2026-02-08"} and job.status == Job.Status.DONE
    snapshot = CDStockSnapshot.objects.get()
    assert (snapshot.product.sku, snapshot.units, snapshot.snapshot_date) == ("00012345", 40, dt.date(2026, 2, 8))


def test_store_stock_upload_needs_a_valid_date(planner_client):
    file = SimpleUploadedFile("s.csv", b"sku,store,quantity\n00012345,Centro,4\n")
    response = planner_client.post(reverse("inventory:store_stock_upload"), {"file": file, "snapshot_date": "ayer"})
    assert response.status_code == 200 and not Job.objects.exists()
    file.seek(0)
    planner_client.post(reverse("inventory:store_stock_upload"), {"file": file, "snapshot_date": "2026-02-08"})
    assert StoreStockSnapshot.objects.get().units == 4


def test_products_upload(planner_client):
    file = SimpleUploadedFile("p.csv", b"sku,product_name,category\n00012345,Consola Alfa,Consolas\n")
    planner_client.post(reverse("inventory:product_upload"), {"file": file})
    assert Product.objects.get().sku == "00012345"
