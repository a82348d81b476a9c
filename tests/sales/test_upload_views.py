"""Sales upload pages: planners only, the file goes to a job, the job page shows the result."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fastdso.models import Job
from sales.jobs import LEGACY_SALES_IMPORT, MACRO_SALES_IMPORT
from sales.models import SalesWeeklyAgg

GOOD = b"sku,store,date,quantity\n00012345,Tienda Centro 001,2026-01-05,3\n"


def upload(content: bytes = GOOD, name: str = "ventas.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_macro_upload_page_is_at_its_spec_address():
    assert reverse("sales:macro_upload") == "/sales_macro_upload"


@pytest.mark.parametrize("name", ["sales:macro_upload", "sales:legacy_upload"])
def test_viewers_get_403(viewer_client, name):
    assert viewer_client.get(reverse(name)).status_code == 403
    assert viewer_client.post(reverse(name), {"file": upload()}).status_code == 403
    assert not Job.objects.exists()


def test_macro_page_has_form_guide_and_example(planner_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = planner_client.get(reverse("sales:macro_upload"))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in page
    assert 'value="replace_range"' in page and "checked" in page
    assert "Guía" in page and "Ejemplo" in page and "00012345" in page


def test_planner_upload_starts_a_job_and_lands_on_its_page(planner_client, planner):
    response = planner_client.post(reverse("sales:macro_upload"), {"file": upload(), "mode": "append_range"})
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("job_detail", args=[job.pk])
    assert (job.kind, job.user, job.params, job.file_name) == (
        MACRO_SALES_IMPORT,
        planner,
        {"mode": "append_range"},
        "ventas.csv",
    )
    assert job.status == Job.Status.DONE
    assert SalesWeeklyAgg.objects.get().units == 3
    page = planner_client.get(response["Location"]).content.decode()
    assert "Resumen" in page and "Sumar al rango" in page
    # The summary keeps its order on both databases (jsonb would sort a dict's keys).
    assert page.count("Filas leídas") == 1  # in the summary, not again in the progress card
    summary = page[page.index("Resumen") :]
    assert (
        summary.index("Modo")
        < summary.index("Filas leídas")
        < summary.index("Rango de fechas")
        < summary.index("Tiendas nuevas")
    )
    assert f"#{job.pk}" in planner_client.get(reverse("sales:macro_upload")).content.decode()


def test_a_refused_file_shows_its_row_errors_on_the_job_page(planner_client):
    bad = b"sku,store,date,quantity\n00012345,Tienda Centro 001,2026-02-30,x\n"
    response = planner_client.post(reverse("sales:macro_upload"), {"file": upload(bad), "mode": "replace_range"})
    page = planner_client.get(response["Location"]).content.decode()
    assert "la base de datos quedó como estaba" in page and "2026-02-30" in page and "no es un número" in page
    assert not SalesWeeklyAgg.objects.exists()


def test_size_limit_is_checked_before_any_job(planner_client, settings):
    settings.FASTDSO_MAX_UPLOAD_MB = 0
    response = planner_client.post(reverse("sales:macro_upload"), {"file": upload(), "mode": "replace_range"})
    assert response.status_code == 200
    assert "máximo permitido es 0 MB" in response.content.decode()
    assert not Job.objects.exists()


def test_legacy_page_points_to_the_macro_upload(planner_client):
    page = planner_client.get(reverse("sales:legacy_upload")).content.decode()
    # SPEC §4.5's note, in the page's language (it was English in the Spanish UI).
    assert "Para ver todo el catálogo en la capa macro, use la carga de ventas macro." in page
    assert "For full catalog" not in page
    planner_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = planner_client.get(reverse("sales:legacy_upload")).content.decode()
    assert "For full catalog macro visibility, use Macro Sales Upload." in english
    planner_client.post(reverse("set_language"), {"language": "es", "next": "/"})
    assert reverse("sales:macro_upload") in page
    planner_client.post(reverse("sales:legacy_upload"), {"file": upload()})
    assert Job.objects.get().kind == LEGACY_SALES_IMPORT


def test_menu_shows_the_uploads_to_planners_only(planner_client, viewer_client):
    home = planner_client.get(reverse("home")).content.decode()
    assert "Carga de ventas macro" in home and reverse("sales:macro_upload") in home
    assert "Carga de stock CD" in home and reverse("inventory:store_stock_upload") in home
    assert "Carga de ventas macro" not in viewer_client.get(reverse("home")).content.decode()
