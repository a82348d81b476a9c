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
    replay = data["details"]["replay"]
    assert (replay["skus"], replay["weeks"], len(replay["policies"])) == (200, 8, 3)
    assert all(0 <= fill <= 1 for fill in replay["fill_rates"])
    # SPEC §5.7: the run was timed with 20 approved runs open, each holding its lines.
    assert data["details"]["open_runs"]["runs"] == 20
    assert data["details"]["open_runs"]["commitments"] > 20 * 200


@pytest.mark.django_db(transaction=True)
def test_bench_plans_explain_the_hot_reads_on_postgresql(tmp_path, settings):
    from io import StringIO

    from django.core.management.base import CommandError
    from django.db import connection

    settings.FASTDSO_JOBS_SYNC = True
    call_command("bench", "--size", "small", "--workdir", str(tmp_path / "work"), "--skip", "upload", "pages")
    out = StringIO()
    if connection.vendor != "postgresql":
        with pytest.raises(CommandError, match="PostgreSQL"):
            call_command("bench", "--plans", stdout=out)
        return
    call_command("bench", "--plans", stdout=out)
    text = out.getvalue()
    for label in ("weekly_sales_summary", "category_store_units", "store_stock", "macro import"):
        assert f"### {label}" in text
    assert "Execution Time" in text and "sales_salesweeklyagg" in text
