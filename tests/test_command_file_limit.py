"""A planner's request file read from the command line has the command line's
limit (none unless --max-mb), as the macro import has; FASTDSO_MAX_UPLOAD_MB is
the web upload's limit (SPEC §3)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fastdso.jobs import job_start
from fastdso.messages import render as message_text
from redistribution.services import PlanRequest
from tests import factories as f

SKU_FILE = b"sku\n00012345\n"
TOO_BIG = "máximo permitido"
PLANNER_KINDS: dict[str, dict[str, Any]] = {
    "distribution_run": {"params": {}},
    "purchase_forecast": {"scope": "skus", "weeks": 12, "coverage_weeks": 4},
    "redistribution_plan": {"request": PlanRequest(scope="skus").to_json()},
    "replay": {"scope": "skus", "weeks": 8, "cd_supply": 1.0, "policies": ["sma"]},
}


@pytest.mark.parametrize("kind", sorted(PLANNER_KINDS))
def test_command_line_file_is_not_held_to_the_web_upload_limit(kind, planner, settings, tmp_path, week):
    shop, product = f.store("Tienda Centro"), f.product("00012345", "Uno", "Consolas")
    f.weekly([(product, shop, week(w), 2) for w in range(8)])
    settings.FASTDSO_MAX_UPLOAD_MB = 0  # every file is "too big" for the web
    path = tmp_path / "skus.csv"
    path.write_bytes(SKU_FILE)

    web = job_start(
        kind=kind,
        user=planner,
        params=PLANNER_KINDS[kind],
        upload=SimpleUploadedFile("skus.csv", SKU_FILE, content_type="text/csv"),
        sync=True,
    )
    command = job_start(kind=kind, params=PLANNER_KINDS[kind], path=path, sync=True)

    assert TOO_BIG in message_text(web.message)
    assert TOO_BIG not in message_text(command.message), message_text(command.message)
