"""XLSX decompression bombs (issue 13), made by the test itself: a bomb over
the limits is refused before it is read, and the biggest one the limits
accept is read whole with a peak memory under 1.5 GB, measured with
resource.getrusage in a fresh process (the upload limit is the default)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from fastdso import files
from fastdso.files import FileRejected, read_raw_strings
from tests.xlsx_bomb import CELLS_PER_ROW, write_bomb

ROOT = Path(__file__).resolve().parents[2]
PEAK_LIMIT_MB = 1536
MEASURE = """
import json, resource, sys
import django
django.setup()
from django.conf import settings
from fastdso.files import FileRejected
from sales.services import sales_file_read
try:
    data = sales_file_read(sys.argv[1], weekly=True, max_bytes=settings.FASTDSO_MAX_UPLOAD_MB * 1024 * 1024)
    outcome = {"rows": data.rows_read}
except FileRejected as exc:
    outcome = {"refused": exc.message}
outcome["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(outcome))
"""
# Linux carries a process's peak RSS across exec: a process started straight
# from pytest would start with pytest's peak. A small launcher in between
# gives the measuring process a fresh count.
LAUNCHER = "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))"


def _read_in_a_fresh_process(path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "FASTDSO_MAX_UPLOAD_MB"}
    env.setdefault("DJANGO_SETTINGS_MODULE", "fastdso.settings")
    done = subprocess.run(
        [sys.executable, "-c", LAUNCHER, sys.executable, "-c", MEASURE, str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _biggest_accepted_rows() -> int:
    return files.MAX_XLSX_CELLS // CELLS_PER_ROW - 1  # the header row has cells too


@pytest.mark.slow
def test_the_biggest_accepted_bomb_is_read_under_1_5_gb(tmp_path):
    rows = _biggest_accepted_rows()
    inflated = write_bomb(tmp_path / "bomba.xlsx", rows)
    assert inflated <= files.xlsx_inflated_limit(200 * 1024 * 1024)
    assert (tmp_path / "bomba.xlsx").stat().st_size * 200 < inflated  # a real bomb: hundreds of times smaller
    outcome = _read_in_a_fresh_process(tmp_path / "bomba.xlsx")
    assert outcome.get("rows") == rows, outcome
    assert outcome["peak_mb"] <= PEAK_LIMIT_MB, outcome


def test_a_bomb_one_row_over_the_cell_limit_is_refused_early(tmp_path):
    write_bomb(tmp_path / "bomba.xlsx", _biggest_accepted_rows() + 1)
    outcome = _read_in_a_fresh_process(tmp_path / "bomba.xlsx")
    assert "demasiado grande" in outcome.get("refused", ""), outcome
    assert outcome["peak_mb"] < 400, outcome  # refused while inflating, never parsed


def test_the_inflated_size_is_limited_relative_to_the_upload_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "MAX_XLSX_CELLS", 10**9)
    path = tmp_path / "bomba.xlsx"
    write_bomb(path, 20_000)
    with zipfile.ZipFile(path) as archive:
        inflated = sum(member.file_size for member in archive.infolist())
    data = path.read_bytes()
    # Under an upload limit of twice its inflated size it is read; under a smaller one, refused.
    assert len(read_raw_strings(data, max_bytes=2 * inflated + 2)) == 20_000
    with pytest.raises(FileRejected, match="demasiado grande"):
        read_raw_strings(data, max_bytes=2 * inflated - 2)
    assert files.xlsx_inflated_limit(200 * 1024 * 1024) == 100 * 1024 * 1024
    assert files.xlsx_inflated_limit(10**12) == files.MAX_XLSX_UNCOMPRESSED


def test_declared_sizes_are_not_trusted(tmp_path, monkeypatch):
    """A ZIP whose headers declare small members is refused: inflating is
    counted, and a member longer than declared fails its check."""
    path = tmp_path / "bomba.xlsx"
    write_bomb(path, 20_000)
    real_check = files._xlsx_check_inflated

    def lying_headers(archive, members, limit):
        for member in members:
            member.file_size = 1  # what a forged header would say
        return real_check(archive, members, limit)

    monkeypatch.setattr(files, "_xlsx_check_inflated", lying_headers)
    monkeypatch.setattr(files, "MAX_XLSX_UNCOMPRESSED", 100_000)
    with pytest.raises(FileRejected, match="dañado|demasiado grande"):
        read_raw_strings(path.read_bytes())
