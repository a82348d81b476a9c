"""`manage.py replay` (SPEC §9): scopes, policies, exact CSV columns, refusals."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from fastdso.models import Job
from replay.models import ReplayRun
from tests import factories as f

W = [dt.date(2026, 1, 5) + dt.timedelta(weeks=i) for i in range(7)]
COLUMNS = [
    "policy",
    "fill_rate",
    "served_units",
    "demand_units",
    "lost_units",
    "stockout_weeks",
    "avg_cover_weeks",
    "units_shipped",
    "lines_per_week",
]


@pytest.fixture
def shop(db):
    a, b = f.store("Tienda 1"), f.store("Tienda 2")
    x, y = f.product("000X", category="Consolas"), f.product("000Y", category="Consolas")
    units = {
        (x, a): {3: 2, 4: 4, 5: 2, 6: 1},
        (x, b): {3: 1, 4: 2, 5: 2, 6: 3},
        (y, a): {3: 1, 4: 1, 6: 2},
        (y, b): {4: 1},
    }
    f.weekly([(p, s, W[w], u) for (p, s), weeks in units.items() for w, u in weeks.items()])


def test_top_skus_with_two_policies_writes_the_spec_csv(shop, tmp_path, capsys):
    out = tmp_path / "replay.csv"
    call_command(
        "replay",
        "--top-skus", "2",
        "--weeks", "3",
        "--cd-supply", "0.5",
        "--as-of", "2026-02-16",
        "--policy", "base:model=SMA1,target_woc=2,lookback_weeks=4,rules=v2",
        "--policy", "alto:model=SMA1,target_woc=4,lookback_weeks=4,rules=v2",
        "--output", str(out),
        "--rules", "v2", "--cd-mode", "history",
    )  # fmt: skip
    with open(out, encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == COLUMNS
    assert [r["policy"] for r in rows] == ["base", "alto"]
    # base is the hand-checked replay of tests/replay/test_engine.py
    assert rows[0]["fill_rate"] == "0.6667"
    assert (rows[0]["served_units"], rows[0]["demand_units"], rows[0]["lost_units"]) == ("12", "18", "6")
    assert (rows[0]["stockout_weeks"], rows[0]["units_shipped"], rows[0]["lines_per_week"]) == ("6", "7", "1.0")
    printed = capsys.readouterr().out
    assert "Replay RP-" in printed and "base: servicio 66.7 %" in printed


def test_skus_file_and_category_scopes(shop, tmp_path):
    skus = tmp_path / "skus.csv"
    skus.write_text("sku\n000Y\n", encoding="utf-8")
    call_command("replay", "--skus", str(skus), "--policy", "a")
    call_command("replay", "--category", "consolas", "--policy", "a", "--output", str(tmp_path / "r.xlsx"))
    by_file, by_category = ReplayRun.objects.order_by("id")
    assert by_file.skus == ["000Y"]
    assert by_category.skus == ["000X", "000Y"]
    assert (tmp_path / "r.xlsx").read_bytes()[:2] == b"PK"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--top-skus", "2", "--policy", "a:nope=1"], "nope"),
        (["--top-skus", "2", "--policy", "a:target_woc=x"], "target_woc"),
        (["--top-skus", "2"], "al menos una"),
        (
            ["--top-skus", "2"] + ["--policy", "a", "--policy", "b", "--policy", "c", "--policy", "d", "--policy", "e"],
            "máximo",
        ),
        (["--top-skus", "dos", "--policy", "a"], "--top-skus"),
        (["--top-skus", "2", "--weeks", "0", "--policy", "a"], "semanas"),
        (["--top-skus", "2", "--cd-supply", "inf", "--policy", "a"], "--cd-supply"),
        (["--top-skus", "2", "--as-of", "ayer", "--policy", "a"], "Fecha"),
        (["--category", "Nada", "--policy", "a"], "Nada"),
        (["--skus", "/no/such/file.csv", "--policy", "a"], "No existe"),
        (["--top-skus", "2", "--policy", "a", "--output", "r.pdf"], "--output"),
    ],
)
def test_bad_input_exits_with_a_clear_message(shop, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("replay", *args)
    assert not ReplayRun.objects.exists()


def test_bad_input_creates_no_job(shop):
    with pytest.raises(CommandError):
        call_command("replay", "--top-skus", "2", "--policy", "a:nope=1")
    assert not Job.objects.exists()
