"""Lifecycle buttons, kept export, lists by state and the `run_status` command (SPEC §5.7, §9)."""

from __future__ import annotations

import hashlib
import html

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from distribution.models import DistributionRun
from fastdso.models import AuditEvent
from inventory.models import StockCommitment
from redistribution.models import TransferLine, TransferPlan
from tests import factories
from tests.distribution.helpers import generate, request_file


@pytest.fixture
def run(db, week, tmp_path) -> DistributionRun:
    a, b = factories.store("Tienda A"), factories.store("Tienda B")
    sku = factories.product("0001", category="Audio")
    factories.weekly([(sku, a, week(11), 10), (sku, b, week(11), 10)])
    factories.cd_stock([(sku, 30)])
    factories.store_stock([(a, sku, 0), (b, sku, 0)])
    return generate(request_file(tmp_path, [("0001",)]), model="SMA1").run


def _post(client, object_id: str, action: str, **extra):
    return client.post(reverse("lifecycle_transition", args=[object_id]), {"action": action, **extra})


def test_planner_walks_the_lifecycle_from_the_run_page(planner_client, run):
    page = planner_client.get(reverse("distribution:run_detail", args=[run.run_id]))
    assert page.status_code == 200
    assert b'data-action="approve"' in page.content and b'data-action="cancel"' in page.content
    assert b'data-action="close"' not in page.content

    response = _post(planner_client, run.run_id, "approve")
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
    run.refresh_from_db()
    assert run.state == "approved"
    page = planner_client.get(reverse("distribution:run_detail", args=[run.run_id]))
    assert "Retiene ahora 30 u en el CD" in page.content.decode()

    _post(planner_client, run.run_id, "export", export_format="xlsx")
    run.refresh_from_db()
    assert run.state == "exported" and run.export_format == "xlsx"
    download = planner_client.get(reverse("lifecycle_export", args=[run.run_id]))
    assert download.status_code == 200
    body = b"".join(download.streaming_content)
    assert hashlib.sha256(body).hexdigest() == run.export_sha256
    assert download["Content-Disposition"] == f'attachment; filename="{run.run_id}.xlsx"'
    again = b"".join(planner_client.get(reverse("lifecycle_export", args=[run.run_id])).streaming_content)
    assert again == body

    _post(planner_client, run.run_id, "close")
    run.refresh_from_db()
    assert run.state == "closed"
    assert not StockCommitment.objects.filter(is_open=True).exists()


def test_an_illegal_button_shows_the_reason_and_changes_nothing(planner_client, run):
    response = _post(planner_client, run.run_id, "close")
    assert response.status_code == 302
    page = planner_client.get(response["Location"])
    assert "No se puede cerrar" in page.content.decode()
    run.refresh_from_db()
    assert run.state == "draft"


def test_an_illegal_button_explains_itself_in_english(planner_client, run):
    """The refusal is a code rendered in the viewer's language, states by their labels."""
    planner_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = _post(planner_client, run.run_id, "ship")
    page = html.unescape(planner_client.get(response["Location"]).content.decode())
    assert f"Cannot mark as shipped {run.run_id}: it is “Draft”; only possible from “Exported” or “Shipped”." in page
    assert "No se puede" not in page


def test_viewer_sees_the_state_but_every_change_is_403(viewer_client, run):
    page = viewer_client.get(reverse("distribution:run_detail", args=[run.run_id]))
    assert page.status_code == 200
    assert "Borrador" in page.content.decode()
    assert b"data-action=" not in page.content
    for action in ("approve", "export", "close", "cancel"):
        assert _post(viewer_client, run.run_id, action).status_code == 403
    assert viewer_client.get(reverse("lifecycle_export", args=[run.run_id])).status_code == 403
    run.refresh_from_db()
    assert run.state == "draft"
    assert not AuditEvent.objects.filter(action="lifecycle").exists()


def test_run_list_shows_and_filters_by_state(planner_client, run, tmp_path):
    other = generate(request_file(tmp_path, [("0001",)]), model="SMA1").run
    _post(planner_client, run.run_id, "approve")
    url = reverse("distribution:run_list")
    approved = planner_client.get(url, {"state": "approved"}).content.decode()
    assert run.run_id in approved and other.run_id not in approved
    drafts = planner_client.get(url, {"state": "draft"}).content.decode()
    assert other.run_id in drafts and run.run_id not in drafts
    assert "Aprobado" in planner_client.get(url).content.decode()


def test_plan_page_and_list_have_the_lifecycle(planner_client, viewer_client, run):
    sku = run.lines.first().product
    a, b = factories.store("Tienda C"), factories.store("Tienda D")
    factories.store_stock([(a, sku, 9)])
    plan = TransferPlan.objects.create(plan_id="TP-20261129-0001", line_count=1, total_units=4)
    TransferLine.objects.create(plan=plan, product=sku, origin_store=a, destination_store=b, qty=4)
    page = planner_client.get(reverse("redistribution:plan_detail", args=[plan.plan_id]))
    assert b'data-action="approve"' in page.content
    assert _post(viewer_client, plan.plan_id, "approve").status_code == 403
    _post(planner_client, plan.plan_id, "approve")
    plan.refresh_from_db()
    assert plan.state == "approved"
    listing = planner_client.get(reverse("redistribution:plan_list"), {"state": "approved"}).content.decode()
    assert plan.plan_id in listing
    assert (
        plan.plan_id not in planner_client.get(reverse("redistribution:plan_list"), {"state": "draft"}).content.decode()
    )


def test_run_status_command_for_runs_and_plans(run, tmp_path, capsys):
    call_command("run_status", run.run_id, "approve")
    assert "Borrador → Aprobado" in capsys.readouterr().out
    output = tmp_path / "sent.csv"
    call_command("run_status", run.run_id, "export", "--format", "csv", "--output", str(output))
    run.refresh_from_db()
    with run.export_file.open("rb") as kept:
        assert output.read_bytes() == kept.read()
    with pytest.raises(CommandError, match="No se puede aprobar"):
        call_command("run_status", run.run_id, "approve")
    with pytest.raises(CommandError, match="No se puede cancelar"):
        call_command("run_status", run.run_id, "cancel")
    call_command("run_status", run.run_id, "close")
    run.refresh_from_db()
    assert run.state == "closed"

    sku = run.lines.first().product
    a, b = factories.store("Tienda C"), factories.store("Tienda D")
    factories.store_stock([(a, sku, 9)])
    plan = TransferPlan.objects.create(plan_id="TP-20261129-0001", line_count=1, total_units=4)
    TransferLine.objects.create(plan=plan, product=sku, origin_store=a, destination_store=b, qty=4)
    call_command("run_status", plan.plan_id, "cancel")
    plan.refresh_from_db()
    assert plan.state == "cancelled"
    with pytest.raises(CommandError, match="no es un id"):
        call_command("run_status", "R-1", "approve")
