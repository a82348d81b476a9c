"""Admin imports go through the one file reader: products and stock via their
upload pages (same job), stores via a django-import-export format built on it."""

from __future__ import annotations

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inventory.models import Store
from inventory.resources import StoreSpreadsheetFormat
from tests import factories
from tests.sales.uploads import xlsx_file


def test_product_and_stock_admin_import_opens_the_upload_pages(staff_client):
    for model, page in [
        ("product", "inventory:product_upload"),
        ("cdstocksnapshot", "inventory:cd_stock_upload"),
        ("storestocksnapshot", "inventory:store_stock_upload"),
    ]:
        response = staff_client.get(reverse(f"admin:inventory_{model}_import"))
        assert response.status_code == 302 and response["Location"] == reverse(page)


def test_spreadsheet_format_reads_csv_and_xlsx_as_text(tmp_path):
    dataset = StoreSpreadsheetFormat().create_dataset(" Nombre ;CÓDIGO\nTienda Centro;0012\n".encode("latin-1"))
    assert dataset.dict == [{"name": "Tienda Centro", "code": "0012"}]
    xlsx = xlsx_file(tmp_path, "t.xlsx", [["name", "code"], ["Tienda Norte", 12.0], ["Tienda Sur", "0013"]])
    dataset = StoreSpreadsheetFormat().create_dataset(xlsx.read_bytes())
    assert dataset.dict == [{"name": "Tienda Norte", "code": "12"}, {"name": "Tienda Sur", "code": "0013"}]


def test_store_admin_import_matches_normalised_names_and_keeps_codes(staff_client, tmp_path):
    factories.store("Tienda Centro")
    url = reverse("admin:inventory_store_import")
    content = b"name,code\n  tienda   CENTRO ,0012\nTienda Norte,0099\n"
    response = staff_client.post(
        url, {"import_file": SimpleUploadedFile("t.csv", content), "format": "0", "resource": "0"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    fields = dict(re.findall(r'name="(import_file_name|original_file_name|format|resource)"[^>]*value="([^"]*)"', page))
    assert "import_file_name" in fields, re.sub(r"\s+", " ", page)[-3000:]
    response = staff_client.post(reverse("admin:inventory_store_process_import"), fields)
    assert response.status_code == 302
    assert dict(Store.objects.values_list("name", "code")) == {"Tienda Centro": "0012", "Tienda Norte": "0099"}


def test_store_admin_import_shows_the_readers_message(staff_client):
    png = SimpleUploadedFile("t.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    response = staff_client.post(
        reverse("admin:inventory_store_import"), {"import_file": png, "format": "0", "resource": "0"}
    )
    assert "no es un CSV ni un XLSX" in response.content.decode()
