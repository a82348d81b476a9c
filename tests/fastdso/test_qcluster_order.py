"""Upload order with a real `qcluster` (issue 33, points 1 and 2), on the
database the suite runs on (a scratch SQLite file or PostgreSQL database,
the ORM broker, two workers; see test_qcluster_faults.py).

- The probe's case: a large replace_range upload submitted first (it parses
  for seconds) and a small correction of the same store and dates submitted
  after it; the correction is applied first; the large one then must fail
  with a clear message and leave the correction in place.
- A job left queued with no task (its enqueue failed under the old code)
  is run by the next cluster start (`jobs_requeue_waiting`) after a newer
  upload of the same scope was applied: it must not overwrite it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.fastdso.test_qcluster_faults import Cluster, ScratchDB, _wait

LARGE = "sku,store,date,quantity\n" + "".join(
    f"{sku:08d},{store},2026-02-{day:02d},5\n" for sku in range(1, 41) for store in ("T1", "T2") for day in range(2, 16)
)


def _correction(store: str) -> str:
    return f"sku,store,date,quantity\n00000001,{store},2026-02-09,99\n"


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Iterator[ScratchDB]:
    db = ScratchDB(tmp_path_factory.mktemp("qcluster-order"))
    yield db
    db.drop()


def _submit(
    db: ScratchDB, name: str, content: str, *, kind: str = "macro_sales_import", enqueue: bool, **params
) -> int:
    """A web upload as job_start stores it (the file in the uploads storage,
    the row queued), enqueued or not (an enqueue that failed)."""
    code = (
        "import json; from django.core.files.base import ContentFile; from fastdso.jobs import _enqueue; "
        "from fastdso.models import Job\n"
        f"job = Job(kind={kind!r}, file_name={name!r}, params={json.dumps({'mode': 'replace_range', **params})})\n"
        f"job.file.save({name!r}, ContentFile({content!r}.encode()), save=False)\n"
        "job.save()\n"
        f"if {enqueue!r}: _enqueue(job.pk)\n"
        "print(json.dumps(job.pk))"
    )
    return db.django(code)


def _monday(db: ScratchDB, store: str) -> int:
    """SKU 00000001's units on Monday 2026-02-09 at `store` (what the correction sets)."""
    sql = (
        "SELECT COALESCE(SUM(a.mon), 0) FROM sales_salesweeklyagg a JOIN inventory_store s ON s.id = a.store_id "
        "JOIN inventory_product p ON p.id = a.product_id WHERE s.name = %s AND p.sku = '00000001' "
        "AND a.week_start = '2026-02-09'"
    )
    return int(db.query(sql, store)[0][0])


def _uploads() -> list[tuple[str, str, str, dict]]:
    large = LARGE.replace("T1", "T5").replace("T2", "T6")
    return [
        ("test_slow_macro_upload", "grande.csv", large, {"mode": "replace_range", "parse": 4}),
        ("macro_sales_import", "correccion.csv", _correction("T5"), {"mode": "replace_range"}),
    ]


def _finished(db: ScratchDB, *jobs: int) -> bool:
    return all(db.job(j)["status"] in {"done", "failed"} for j in jobs)


def test_an_orphan_run_at_cluster_start_does_not_overwrite_a_newer_upload(scratch):
    orphan = _submit(scratch, "grande.csv", LARGE, enqueue=False)
    correction = scratch.var / "correccion.csv"
    correction.write_text(_correction("T1"))
    scratch.manage("import_macro_sales", str(correction))  # a newer upload, applied
    assert _monday(scratch, "T1") == 99

    cluster = Cluster(scratch)  # at start it enqueues the jobs still queued
    try:
        _wait("the orphan to run", lambda: _finished(scratch, orphan), 90)
    finally:
        cluster.stop()
    job = scratch.job(orphan)
    assert job["status"] == "failed", cluster.output()
    assert "no se aplicó" in job["message"]
    assert _monday(scratch, "T1") == 99
    assert scratch.query("SELECT COUNT(*) FROM sales_salesload")[0][0] == 1


def test_a_large_upload_sent_first_does_not_overwrite_a_correction_applied_before_it(scratch):
    cluster = Cluster(scratch)
    try:
        # Submitted one after the other in one process: the large one first.
        large, small = scratch.django(
            "import json; from django.core.files.base import ContentFile; from fastdso.jobs import _enqueue; "
            "from fastdso.models import Job\n"
            "ids = []\n"
            f"for kind, name, content, params in {_uploads()!r}:\n"
            "    job = Job(kind=kind, file_name=name, params=params)\n"
            "    job.file.save(name, ContentFile(content.encode()), save=False)\n"
            "    job.save(); _enqueue(job.pk); ids.append(job.pk)\n"
            "print(json.dumps(ids))"
        )
        _wait("both uploads", lambda: _finished(scratch, large, small), 120)
    finally:
        cluster.stop()
    assert scratch.job(small)["status"] == "done", cluster.output()
    assert _monday(scratch, "T5") == 99  # the correction is what is stored, whatever the timing
    if scratch.postgres:
        # The large file parses outside any lock; the correction takes the
        # imports lock first and is applied; the large one is then refused.
        refused = scratch.job(large)
        assert refused["status"] == "failed" and f"#{small}" in refused["message"], refused
        assert _monday(scratch, "T6") == 0
    else:
        # SQLite: a job holds the single write lock from its start. If the
        # large upload claimed first, the correction waited and was applied
        # after it; if the correction claimed first, the large one is refused.
        large_job = scratch.job(large)
        if large_job["status"] == "done":
            assert _monday(scratch, "T6") == 5
        else:
            assert f"#{small}" in large_job["message"] and _monday(scratch, "T6") == 0, large_job
