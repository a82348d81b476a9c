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
from unittest import mock

import pytest

from fastdso import files
from fastdso.files import FileRejected, read_raw_strings
from tests.xlsx_bomb import CELLS_PER_ROW, write_bomb, write_cells, write_shared_string_bomb

ROOT = Path(__file__).resolve().parents[2]
PEAK_LIMIT_MB = 1536
MEASURE = """
import json, resource, sys
import django
django.setup()
from django.conf import settings
from fastdso.files import FileRejected
from sales.services import sales_file_read
from fastdso.messages import render as message_text
try:
    data = sales_file_read(sys.argv[1], weekly=True, max_bytes=settings.FASTDSO_MAX_UPLOAD_MB * 1024 * 1024)
    outcome = {"rows": data.rows_read}
except FileRejected as exc:
    outcome = {"refused": message_text(exc.message)}
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


# --- Shared strings and cell spellings (issue 33 §4) ------------------------


def test_cells_naming_one_long_shared_string_are_refused_before_reading(tmp_path, monkeypatch):
    """The probe's bomb, scaled down: 1,000 cells naming one long shared
    string expand to 1,000 copies. Refused on the expanded size, not read."""
    monkeypatch.setattr(files, "MAX_XLSX_UNCOMPRESSED", 1024 * 1024)
    path = tmp_path / "bomba.xlsx"
    expanded = write_shared_string_bomb(path, strings=["x" * 20_000], references=[0] * 1000)
    assert expanded == 20_000_000 and path.stat().st_size < 20_000
    read = mock.Mock(side_effect=AssertionError("the sheet must not be read"))
    monkeypatch.setattr(files.pd, "read_excel", read)
    with pytest.raises(FileRejected, match="textos compartidos"):
        read_raw_strings(path.read_bytes())
    assert not read.called


def test_the_expanded_size_counts_what_each_cell_names(tmp_path, monkeypatch):
    """One long string named once and many short ones: over the quick bound
    (cells × longest), so each cell is looked up; the exact sum is under the
    limit and the file is read. Naming the long one 6 times is over it."""
    monkeypatch.setattr(files, "MAX_XLSX_UNCOMPRESSED", 100_000)
    strings = ["L" * 30_000, "00012345", "Tienda Centro", "2026-01-05", "3"]
    refs = [1, 2, 3, 4] * 200 + [0, 2, 3, 4]
    path = tmp_path / "ok.xlsx"
    write_shared_string_bomb(path, strings=strings, references=refs)
    frame = read_raw_strings(path.read_bytes())
    assert len(frame) == 201 and frame.iloc[-1, 0] == "L" * 30_000 and frame.iloc[0, 0] == "00012345"
    write_shared_string_bomb(path, strings=strings, references=refs + [0, 0, 0, 0] + [0, 2, 3, 4])
    with pytest.raises(FileRejected, match="textos compartidos"):
        read_raw_strings(path.read_bytes())


@pytest.mark.parametrize(
    ("tag", "counted"),  # counted: how many cells one spelling is counted as
    [("<c\n>", 1), ("<c\t>", 1), ('<c\r\n r="A1">', 1), ("<c/><c>", 2), ('<x:c r="A1">', 2)],
)
def test_every_spelling_of_a_cell_tag_is_counted(tmp_path, monkeypatch, tag, counted):
    """`<c\\n>` escaped the count (a 0.48 MB file with 7.2M cells was loaded)."""
    monkeypatch.setattr(files, "MAX_XLSX_CELLS", 1000)
    path = tmp_path / "celdas.xlsx"
    write_cells(path, rows=300 // counted, tag=tag)  # 1,200 cells
    with pytest.raises(FileRejected, match="demasiado grande"):
        read_raw_strings(path.read_bytes())
    write_cells(path, rows=240 // counted, tag=tag)  # 960 cells counted (a prefixed closing tag counts too)
    with zipfile.ZipFile(path) as archive:
        files._xlsx_check_inflated(archive, archive.infolist(), files.MAX_XLSX_UNCOMPRESSED)  # accepted


@pytest.mark.slow
def test_the_biggest_accepted_shared_string_file_is_read_under_1_5_gb(tmp_path):
    """1,000 cells naming one string as long as the limit allows (default upload limit)."""
    path = tmp_path / "bomba.xlsx"
    length = files.MAX_XLSX_UNCOMPRESSED // 1000 - 400  # the XML around the string counts too
    write_shared_string_bomb(path, strings=["7" * length], references=[0] * 1000)
    outcome = _read_in_a_fresh_process(path)
    assert "refused" not in outcome or "textos compartidos" not in outcome["refused"], outcome
    assert outcome["peak_mb"] <= PEAK_LIMIT_MB, outcome
    write_shared_string_bomb(path, strings=["7" * (length + 600)], references=[0] * 1000)
    outcome = _read_in_a_fresh_process(path)
    assert "textos compartidos" in outcome.get("refused", ""), outcome
    assert outcome["peak_mb"] < 600, outcome
