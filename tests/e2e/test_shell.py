"""Browser workflows of the shell: login, menu, language, jobs, audit, admin.

The feature pages (uploads, distribution, forecast, redistribution,
dashboard) add their own workflows beside this file.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import Page, expect

from fastdso.audit import audit_record
from fastdso.files import read_table
from fastdso.jobs import JobProgress, job_execute, job_runner, job_start
from fastdso.models import AuditEvent, Job
from tests.e2e.conftest import SCREENSHOTS


@job_runner("e2e_ok")
def _ok(job, progress):
    progress(100, "listo", rows_read=1234)
    job.result = {"filas leídas": 1234, "productos nuevos": 3}


@job_runner("e2e_bad_file")
def _bad_file(job, progress):
    from fastdso.files import Column, Kind

    data = b"sku,fecha,cantidad\n0001,2026-02-30,3\n0002,2026-01-05,muchos\n,2026-01-05,1\n"
    read_table(data, [Column("sku"), Column("date", Kind.DATE), Column("quantity", Kind.INT)])


def _heading(page: Page):
    return page.locator("main h1")


def test_login_refuses_a_wrong_password_then_lands_on_home(new_page, planner):
    page = new_page()
    page.goto("/")
    expect(page).to_have_url("/login/?next=/")
    page.fill("#id_username", planner.username)
    page.fill("#id_password", "contraseña-equivocada")
    page.click("button[type=submit]")
    expect(page.locator(".alert-danger")).to_have_text("Usuario o contraseña incorrectos.")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "login.png"), full_page=True)

    page.fill("#id_username", planner.username)
    page.fill("#id_password", "pw-" + planner.username)
    page.click("button[type=submit]")
    expect(page).to_have_url("/")
    expect(_heading(page)).to_have_text("Panel de salud de tiendas")
    expect(page.locator("nav")).to_contain_text(planner.username)
    page.screenshot(path=str(SCREENSHOTS / "home.png"), full_page=True)


def test_logout_goes_back_to_the_login_page(planner_page):
    page = planner_page
    page.goto("/")
    page.locator("nav .dropdown button.dropdown-toggle").click()
    page.get_by_role("button", name="Cerrar sesión").click()
    expect(page).to_have_url("/login/")
    page.goto("/jobs/")
    expect(page).to_have_url("/login/?next=/jobs/")


def test_menu_opens_and_every_link_leads_to_its_page(planner_page):
    page = planner_page
    page.goto("/")
    groups = page.locator("#mainnav .nav-item.dropdown")
    entries: list[tuple[int, str, str]] = []
    for index in range(groups.count()):
        group = groups.nth(index)
        menu = group.locator(".dropdown-menu")
        expect(menu).to_be_hidden()
        group.locator(".dropdown-toggle").click()
        expect(menu).to_be_visible()
        for link in menu.locator("a.dropdown-item").all():
            entries.append((index, link.inner_text(), link.get_attribute("href")))
        group.locator(".dropdown-toggle").click()  # closes it
        expect(menu).to_be_hidden()
    assert {"Panel de salud de tiendas", "Auditoría", "Tareas en segundo plano"} <= {label for _, label, _ in entries}

    for index, label, href in entries:
        group = page.locator("#mainnav .nav-item.dropdown").nth(index)
        group.locator(".dropdown-toggle").click()
        with page.expect_navigation() as navigation:
            group.get_by_role("link", name=label, exact=True).click()
        assert navigation.value.status == 200, f"menu entry {label} ({href}) answered {navigation.value.status}"
        expect(page).to_have_url(href)
        expect(_heading(page)).not_to_be_empty()
        # the entry of the current page is marked active
        expect(page.locator(f'#mainnav a.dropdown-item.active[href="{href}"]')).to_have_count(1)


def test_viewer_is_shown_as_read_only(viewer_page):
    page = viewer_page
    page.goto("/")
    page.locator("nav .dropdown button.dropdown-toggle").click()
    expect(page.locator("nav .dropdown-menu-end")).to_contain_text("Solo lectura")
    expect(page.locator("nav .dropdown-menu-end")).not_to_contain_text("Administración")


def test_language_switches_to_english_and_back(planner_page):
    page = planner_page
    page.goto("/jobs/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    expect(page).to_have_url("/jobs/")  # stays on the page it was on
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("select[name=language]")).to_have_value("en")
    # Django's own catalogue shows the switch is real, not only an attribute:
    page.goto("/admin/")
    expect(page.locator("body")).to_contain_text("but are not authorized to access this page")

    page.goto("/")
    with page.expect_navigation():
        page.select_option("select[name=language]", "es")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.goto("/admin/")
    expect(page.locator("body")).to_contain_text("no está autorizado")


def test_job_list_shows_and_filters_jobs(planner_page, planner):
    done = job_start(kind="e2e_ok", user=planner, sync=True)
    failed = job_start(kind="e2e_bad_file", user=planner, sync=True)
    page = planner_page
    page.goto("/jobs/")
    expect(_heading(page)).to_have_text("Tareas en segundo plano")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    page.select_option("select[name=status]", "failed")
    page.get_by_role("button", name="Filtrar").click()
    expect(page).to_have_url("/jobs/?kind=&status=failed")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("e2e_bad_file")
    rows.first.get_by_role("link", name=str(failed.pk), exact=True).click()
    expect(page).to_have_url(f"/jobs/{failed.pk}/")
    assert done.status == Job.Status.DONE


def test_job_page_follows_a_running_job_until_it_is_done(planner_page, planner):
    """The job page polls /jobs/<id>/status.json: a worker's progress shows
    up without reloading, and the page reloads into the summary when the
    job ends. The test plays the worker: it writes progress to the cache,
    then runs the job."""
    job = Job.objects.create(kind="e2e_ok", user=planner, status=Job.Status.RUNNING, started_at=timezone.now())
    progress = JobProgress(job.pk)
    progress(40, "Leyendo el archivo", rows_read=500)
    page = planner_page
    page.goto(f"/jobs/{job.pk}/")
    bar = page.locator('[data-job-field="progress"]')
    expect(bar).to_have_text("40 %")
    expect(page.locator('[data-job-field="stage"]')).to_have_text("Leyendo el archivo")
    expect(page.locator('[data-job-field="status_label"]')).to_have_text("En curso")

    progress(75, "Escribiendo ventas", rows_read=900)
    expect(bar).to_have_text("75 %")  # by polling, not by reloading
    expect(page.locator('[data-job-field="stage"]')).to_have_text("Escribiendo ventas")
    expect(page.locator('[data-job-field="counts"]')).to_contain_text("900")
    expect(page.locator('[data-job-field="counts"]')).to_contain_text("Filas leídas")

    with page.expect_response(lambda response: response.url.endswith("/status.json")):
        pass  # run the job right after a poll, between two polls
    # job_execute claims only a queued job (it never runs one already running).
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED)
    job_execute(job.pk)
    expect(page.locator(".alert-success")).to_contain_text("Tarea terminada.")
    expect(page.locator('[data-job-field="status_label"]')).to_have_text("Terminada")
    expect(bar).to_have_text("100 %")
    summary = page.locator(".card", has_text="Resumen")
    expect(summary).to_contain_text("Filas leídas")  # labels capitalised (issue 20)
    expect(summary).to_contain_text("1.234")  # grouped like every figure


def test_failed_job_page_lists_the_errors_and_downloads_them(planner_page, planner):
    job = job_start(kind="e2e_bad_file", user=planner, sync=True)
    assert job.status == Job.Status.FAILED
    page = planner_page
    page.goto(f"/jobs/{job.pk}/")
    expect(page.locator('[data-job-field="status_label"]')).to_have_text("Fallida")
    expect(page.locator(".alert-danger")).to_contain_text("La tarea falló; la base de datos quedó como estaba.")
    errors = page.locator(".card", has_text="Descargar todos").locator("tbody tr")
    expect(errors).to_have_count(3)
    expect(errors.nth(0)).to_contain_text("2026-02-30")
    expect(errors.nth(0)).to_contain_text("fecha inválida")
    expect(errors.nth(1)).to_contain_text("muchos")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Descargar todos (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == f"job-{job.pk}-errores.csv"
    lines = download.path().read_text(encoding="utf-8").splitlines()
    assert lines[0] == "row,column,value,message"
    assert len(lines) == 4 and lines[1].startswith("2,date,2026-02-30,")
    page.screenshot(path=str(SCREENSHOTS / "job-failed.png"), full_page=True)


def test_audit_page_filters_events(planner_page, planner, viewer):
    audit_record(user=planner, action="upload", object_repr="ventas_enero.csv", details={"filas": 120})
    audit_record(user=planner, action="run", object_repr="Run #7")
    audit_record(user=viewer, action="export", object_repr="plan.xlsx")
    old = audit_record(user=planner, action="upload", object_repr="ventas_2025.csv")
    AuditEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=40))
    page = planner_page
    page.goto("/audit/")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(4)

    page.select_option("select[name=action]", "upload")
    page.get_by_role("button", name="Filtrar").click()
    expect(rows).to_have_count(2)
    expect(page.locator("table tbody")).to_contain_text("ventas_enero.csv")
    expect(page.locator("table tbody")).not_to_contain_text("Run #7")

    page.fill("input[name=date_from]", (timezone.localdate() - dt.timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Filtrar").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("ventas_enero.csv")
    expect(rows.first).to_contain_text("120")

    page.get_by_role("link", name="Limpiar").click()
    expect(rows).to_have_count(4)
    page.select_option("select[name=user]", label=viewer.username)
    page.get_by_role("button", name="Filtrar").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("plan.xlsx")


def test_admin_is_reachable_for_staff_only(staff_page, planner_page):
    staff = staff_page
    staff.goto("/")
    staff.locator("nav .dropdown button.dropdown-toggle").click()
    staff.get_by_role("link", name="Administración").click()
    expect(staff).to_have_url("/admin/")
    expect(staff.locator("#site-name")).to_be_visible()
    expect(staff.locator("#content")).to_contain_text("Productos")

    planner = planner_page
    planner.goto("/")
    planner.locator("nav .dropdown button.dropdown-toggle").click()
    expect(planner.locator("nav .dropdown-menu-end")).not_to_contain_text("Administración")
    planner.goto("/admin/")
    expect(planner).to_have_url("/admin/login/?next=/admin/")
    expect(planner.locator("body")).to_contain_text("no está autorizado")
