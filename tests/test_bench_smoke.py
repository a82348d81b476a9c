"""The benchmark's small size runs end to end and reports every SPEC §11 figure (no timing asserted)."""

import json

import pytest
from django.core.management import call_command

from benchmarks.run import TARGETS


@pytest.mark.django_db(transaction=True)
def test_bench_small_reports_every_figure(tmp_path, settings):
    settings.FASTDSO_JOBS_SYNC = True
    out = tmp_path / "bench.json"
    call_command("bench", "--size", "small", "--json", str(out), "--workdir", str(tmp_path / "work"))
    data = json.loads(out.read_text())
    assert set(TARGETS) <= set(data["figures"])
    assert all(value >= 0 for value in data["figures"].values())
    assert data["details"]["daily_rows"] > 10_000
    assert data["details"]["distribution_big_table_rows"] >= 10 * data["details"]["distribution_small_table_rows"] * 0.9
