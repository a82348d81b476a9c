"""Every state a badge shows has its colour in the app's stylesheet (a state
without one rendered white on white: the run page's "Shipped")."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from fastdso.models import Job, LifeState

CSS = Path(settings.BASE_DIR) / "static" / "css" / "app.css"


def _coloured(prefix: str) -> set[str]:
    return set(re.findall(rf"\.badge\.{prefix}-([a-z_]+)\s*{{[^}}]*background", CSS.read_text(encoding="utf-8")))


def test_every_lifecycle_state_has_a_badge_colour():
    assert sorted(set(LifeState.values) - _coloured("state")) == []


def test_every_job_status_has_a_badge_colour():
    assert sorted(set(Job.Status.values) - _coloured("status")) == []
