"""Replay pages: planners run and export, viewers only look (403 on POST and export)."""

from __future__ import annotations

import datetime as dt
import io
import json
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fastdso.messages import render as message_text
from fastdso.models import AuditEvent, Job
from replay.models import ReplayRun
from tests import factories as f

W = [dt.date(2026, 1, 5) + dt.timedelta(weeks=i) for i in range(7)]


@pytest.fixture
def shop(db):
    a, b = f.store("Tienda 1"), f.store("Tienda 2")
    x, y = f.product("000X", category="Consolas"), f.product("000Y", category="Consolas")
    units = {(x, a): [2, 3, 4, 2, 1, 3, 2], (x, b): [1, 1, 2, 2, 1, 0, 1], (y, a): [0, 1, 0, 1, 1, 2, 0]}
    f.weekly([(p, s, W[i], u) for (p, s), series in units.items() for i, u in enumerate(series) if u])


def post(client, **data):
    payload = {
        "scope": "top",
        "top_n": "2",
        "weeks": "3",
        "cd_supply": "1.0",
        "policy_1": "base:model=SMA2",
        "policy_2": "alto:model=SMA3,target_woc=3",
        **data,
    }
    return client.post(reverse("replay:home"), payload)


def test_planner_runs_a_replay_and_sees_it_side_by_side(shop, planner_client):
    response = post(planner_client)
    run = ReplayRun.objects.get()
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
    assert Job.objects.get(kind="replay").status == Job.Status.DONE
    page = planner_client.get(run.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "base" in html and "alto" in html
    assert "mejor" in html and "menor stock" in html
    assert "usar esta política" in html
    assert 'id="replay-fill-chart"' in html and 'data-chart="replay-stock-chart"' in html
    assert "<script>" not in html.replace('<script type="application/json"', "")  # no inline script (CSP)
    chart = json.loads(json.dumps(page.context["fill_chart"]))  # what json_script serialises
    assert [d["label"] for d in chart["data"]["datasets"]] == ["base", "alto"]
    assert len(chart["data"]["labels"]) == 3


def test_job_progress_names_the_week(shop, planner):
    from fastdso.jobs import JobProgress
    from replay.jobs import run_replay

    stages = []

    class Recorder(JobProgress):
        def __call__(self, percent, stage="", **counts):
            stages.append(stage)

    job = Job.objects.create(
        kind="replay", user=planner, params={"scope": "top", "top_n": 2, "weeks": 3, "policies": ["a", "b"]}
    )
    run_replay(job, Recorder(job.pk))
    shown = [message_text(stage) for stage in stages]
    assert "Política «a»: semana 1 de 3" in shown
    assert "Política «b»: semana 3 de 3" in shown
    assert job.result_url == ReplayRun.objects.get().get_absolute_url()


def test_use_this_policy_prefills_the_generator(shop, planner_client):
    post(planner_client)
    run = ReplayRun.objects.get()
    page = planner_client.get(run.get_absolute_url())
    alto = next(row for row in page.context["rows"] if row["name"] == "alto")
    query = parse_qs(urlparse(alto["use_url"]).query)
    assert query["model"] == ["SMA3"] and query["target_woc"] == ["3.0"] and query["limit_by_cd"] == ["true"]
    form = planner_client.get(alto["use_url"]).context["form"]
    assert form.initial["model"] == "SMA3"
    assert form.initial["target_woc"] == 3.0
    assert form.initial["limit_by_cd"] is True
    # Shown in the viewer's locale, like every decimal of the form (read back the same way).
    assert 'value="3,0"' in planner_client.get(alto["use_url"]).content.decode()
    planner_client.cookies["django_language"] = "en"
    assert 'value="3.0"' in planner_client.get(alto["use_url"]).content.decode()


def test_bad_policy_is_a_form_error_naming_the_key(shop, planner_client):
    response = post(planner_client, policy_2="alto:target_wok=3")
    assert response.status_code == 400
    assert "target_wok" in response.content.decode()
    assert not ReplayRun.objects.exists() and not Job.objects.exists()


def test_scope_by_file_and_by_category(shop, planner_client):
    upload = SimpleUploadedFile("lista.csv", b"sku\n000Y\n", content_type="text/csv")
    post(planner_client, scope="skus", file=upload)
    post(planner_client, scope="category", category="Consolas")
    by_file, by_category = ReplayRun.objects.order_by("id")
    assert by_file.skus == ["000Y"] and by_file.scope_label == "lista.csv"
    assert by_category.skus == ["000X", "000Y"] and by_category.scope_label == "Consolas"


def test_missing_scope_input_is_refused(shop, planner_client):
    assert post(planner_client, scope="skus").status_code == 400
    assert post(planner_client, scope="category").status_code == 400
    assert not Job.objects.exists()


def test_export_csv_and_xlsx_are_audited(shop, planner_client):
    post(planner_client)
    run = ReplayRun.objects.get()
    response = planner_client.get(reverse("replay:export", args=[run.replay_id, "csv"]))
    assert response.status_code == 200
    # A Spanish viewer: the Spanish-Excel dialect (issue 32), read back with pandas.
    frame = pd.read_csv(io.BytesIO(response.content), sep=";", decimal=",", encoding="utf-8-sig")
    assert list(frame.columns[:9]) == [
        "policy", "fill_rate", "served_units", "demand_units", "lost_units", "stockout_weeks", "avg_cover_weeks",
        "units_shipped", "lines_per_week",
    ]  # fmt: skip
    assert frame["fill_rate"].tolist() == [round(r["totals"]["fill_rate"], 4) for r in run.results]
    standard = planner_client.get(reverse("replay:export", args=[run.replay_id, "csv"]), {"csv": "standard"})
    assert standard.content.decode("utf-8-sig").startswith("policy,fill_rate,served_units,")
    xlsx = planner_client.get(reverse("replay:export", args=[run.replay_id, "xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert AuditEvent.objects.filter(action="export", object_id=str(run.pk)).count() == 3
    assert planner_client.get(reverse("replay:export", args=[run.replay_id, "csv"]), {"csv": "x"}).status_code == 400
    assert planner_client.get(reverse("replay:export", args=[run.replay_id, "pdf"])).status_code == 404


def test_viewer_can_look_but_not_run_or_export(shop, planner_client, viewer_client):
    post(planner_client)
    run = ReplayRun.objects.get()
    home = viewer_client.get(reverse("replay:home"))
    assert home.status_code == 200 and home.context["form"] is None
    assert run.replay_id in home.content.decode()
    detail = viewer_client.get(run.get_absolute_url())
    assert detail.status_code == 200 and "usar esta política" not in detail.content.decode()
    assert post(viewer_client).status_code == 403
    assert viewer_client.get(reverse("replay:export", args=[run.replay_id, "csv"])).status_code == 403
    assert ReplayRun.objects.count() == 1


def test_menu_lists_the_replay_under_distribution(shop, viewer_client):
    menu = viewer_client.get(reverse("replay:home")).context["main_menu"]
    group = next(g for g in menu if g["key"] == "distribution")
    assert reverse("replay:home") in [e["url"] for e in group["entries"]]


def test_list_page_queries_do_not_grow_with_replays(shop, planner_client, django_assert_max_num_queries):
    for _ in range(3):
        post(planner_client)
    with django_assert_max_num_queries(12):
        assert planner_client.get(reverse("replay:home")).status_code == 200


def test_unknown_replay_is_404(db, planner_client):
    assert planner_client.get(reverse("replay:detail", args=["RP-nope"])).status_code == 404


@pytest.mark.parametrize(
    ("language", "shown", "typed", "kept"),
    [("es", 'value="1,0"', "0,6", 0.6), ("es", 'value="1,0"', "0.6", 0.6), ("en", 'value="1.0"', "0.6", 0.6)],
)
def test_cd_supply_is_shown_and_read_in_the_viewers_language(shop, planner_client, language, shown, typed, kept):
    planner_client.cookies["django_language"] = language
    assert shown in planner_client.get(reverse("replay:home")).content.decode()
    response = post(planner_client, cd_supply=typed)
    assert response.status_code == 302
    assert ReplayRun.objects.get().cd_supply == kept


@pytest.mark.parametrize(
    ("language", "typed", "said"), [("es", "1.500", "es ambiguo"), ("en", "1,5", "Enter a number")]
)
def test_a_cd_supply_that_could_mean_two_numbers_is_a_form_error(shop, planner_client, language, typed, said):
    """Spanish "1.500" is a thousand five hundred or one and a half: refused, not guessed.
    In English "1,5" is no number. Either way nothing runs."""
    planner_client.cookies["django_language"] = language
    response = post(planner_client, cd_supply=typed)
    assert response.status_code == 400 and not ReplayRun.objects.exists()
    assert said in response.context["form"].errors["cd_supply"][0]


def test_policies_are_rows_with_the_locales_decimal_comma(shop, planner_client):
    response = planner_client.post(
        reverse("replay:home"),
        {
            "scope": "top", "top_n": 2, "weeks": 3, "cd_supply": "1", "rules": "v3", "cd_mode": "history",
            "p1_name": "base", "p1_model": "SMA2",
            "p2_name": "medio", "p2_target_woc": "1,5", "p2_cd_rule": "fair_share",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    run = ReplayRun.objects.get()
    assert [p["text"] for p in run.policies] == ["base:model=SMA2", "medio:target_woc=1.5,cd_rule=fair_share"]
    assert run.policies[1]["params"]["target_woc"] == 1.5
    page = planner_client.get(run.get_absolute_url()).content.decode()
    assert "Cobertura objetivo" in page and "<code>lookback_weeks</code>" not in page
    assert "replay-scatter-chart" in page


def test_a_row_without_a_name_is_a_form_error(shop, planner_client):
    response = planner_client.post(
        reverse("replay:home"), {"scope": "top", "top_n": 2, "weeks": 3, "cd_supply": "1", "p1_model": "SMA3"}
    )
    assert response.status_code == 400
    assert "Ponga un nombre" in response.content.decode()


def test_the_scatter_leaves_room_past_the_largest_point():
    """The dominated policy (a cross) usually holds the most stock: at the
    x-axis maximum with no room it was drawn cut in half."""
    from replay.models import ReplayRun
    from replay.views import scatter_chart

    run = ReplayRun(
        results=[
            {"name": "base", "totals": {"avg_closing_stock": 10.0, "fill_rate": 0.9}},
            {"name": "alto", "dominated": True, "totals": {"avg_closing_stock": 20.0, "fill_rate": 0.85}},
        ]
    )
    chart = scatter_chart(run)
    assert chart["options"]["scales"]["x"]["grace"] == "8%" and chart["options"]["scales"]["y"]["grace"] == "5%"
    assert [d["pointStyle"] for d in chart["data"]["datasets"]] == ["circle", "crossRot"]
    assert chart["data"]["datasets"][1]["data"] == [{"x": 20.0, "y": 85.0}]
