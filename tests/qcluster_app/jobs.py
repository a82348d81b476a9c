"""Test runners: the real macro sales upload, held open before it commits."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings

from fastdso.jobs import JobProgress, job_runner
from fastdso.models import Job
from sales.jobs import MACRO_SALES


@job_runner("test_held_macro_upload")
def run_held_macro_upload(job: Job, progress: JobProgress) -> None:
    # The real upload writes its rows inside the job's transaction...
    MACRO_SALES.run(job, progress)
    # ...and the test kills the worker while they are not committed yet.
    (Path(settings.VAR_DIR) / f"holding-{job.pk}").write_text("")
    time.sleep(float(job.params.get("hold", 0)))


@job_runner("test_slow_macro_upload")
def run_slow_macro_upload(job: Job, progress: JobProgress) -> None:
    # A large file: it takes `parse` seconds before it asks for the imports lock.
    time.sleep(float(job.params.get("parse", 0)))
    MACRO_SALES.run(job, progress)
