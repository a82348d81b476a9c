"""Builders shared by the distribution tests."""

from __future__ import annotations

from pathlib import Path

from distribution.engine import DistributionParams
from distribution.services import RunCreateResult, distribution_run_create


def request_file(tmp_path: Path, rows: list[tuple[str, ...]], header: str = "sku,product_name,category") -> Path:
    """A request CSV; each row is (sku[, product_name[, category]])."""
    width = len(header.split(","))
    lines = [header] + [",".join((*row, *([""] * (width - len(row))))) for row in rows]
    path = tmp_path / f"request-{len(list(tmp_path.glob('request-*')))}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def generate(path: Path, user=None, as_of=None, **params) -> RunCreateResult:
    return distribution_run_create(
        request_path=path,
        file_name=path.name,
        # v2 numbers unless a test asks for v3 (SPEC v3 changed the defaults).
        params=DistributionParams(**{"rules": "v2", **params}),
        as_of=as_of,
        user=user,
        progress=None,
    )
