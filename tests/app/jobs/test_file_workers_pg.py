"""File jobs on PostgreSQL with real procrastinate worker processes: the kitchen's labels PDF queued by its button
is built by a worker and downloaded by its requester only; a worker SIGKILLed mid-build leaves the job to another
worker, which builds it once; progress reaches what the page polls while the worker builds."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.settings import ROOT, get_settings
from app.jobs import enqueue_file, file_status
from app.models import FileJob, now
from tests.conftest import PG_URL
from tests.factories import make_canteen, make_senior, make_user
from tests.kitchen.scenario import make_lunch, make_order

TODAY = now().date()
pytestmark = [pytest.mark.postgres_only, pytest.mark.slow,
              pytest.mark.skipif(not PG_URL, reason="worker processes share procrastinate's queue in PostgreSQL")]
SLOW = json.dumps({"slow": "tests.app.jobs.slow_builder:build"})


def _env(engine: Engine, data: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "CANTEEN_DATA_DIR": str(data), "CANTEEN_FILE_BUILDERS": SLOW, **extra}


def _engine_jobs(session: Session) -> list[tuple[str, int]]:
    rows = session.execute(text("SELECT status::text, attempts FROM procrastinate_jobs"
                                " WHERE task_name = 'canteen:file_job' ORDER BY id")).all()
    session.rollback()
    return [(r[0], r[1]) for r in rows]


def test_a_worker_process_builds_the_labels_and_only_their_requester_downloads_them(
        session: Session, engine: Engine, login: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANTEEN_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    mine, theirs = make_canteen(session, name="东食堂"), make_canteen(session, name="西食堂")
    lunch = make_lunch(session, mine, TODAY)
    make_order(session, make_senior(session, name="王秀英"), lunch, fulfilment="pickup")
    cook = login(make_user(session, ("kitchen", mine.id), phone="13900000002").phone)
    page = cook.get(f"/kitchen/{mine.id}/{TODAY.isoformat()}/lunch/labels")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    clicked = cook.post(f"/kitchen/{mine.id}/{TODAY.isoformat()}/lunch/labels/pdf-job", data={"csrf_token": token},
                        follow_redirects=False)
    job_id = int(clicked.headers["location"].rsplit("/", 1)[1])
    again = cook.post(f"/kitchen/{mine.id}/{TODAY.isoformat()}/lunch/labels/pdf-job", data={"csrf_token": token},
                      follow_redirects=False)

    worker = subprocess.run([sys.executable, "-m", "app", "worker", "--once", "--poll", "0.2"], cwd=ROOT,
                            env=_env(engine, tmp_path / "data"), capture_output=True, text=True, timeout=180)

    assert worker.returncode == 0, worker.stdout + worker.stderr
    assert again.headers["location"] == clicked.headers["location"]  # the second click started nothing new
    assert _engine_jobs(session) == [("succeeded", 1)]
    assert cook.get(f"/jobs/files/{job_id}/status").json()["state"] == "done"
    download = cook.get(f"/jobs/files/{job_id}/download")
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
    other = login(make_user(session, ("kitchen", theirs.id), phone="13900000003").phone)
    assert other.get(f"/jobs/files/{job_id}/download").status_code == 403


def _wait_progress(session: Session, job_id: int, user_id: int, wanted: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    seen = ""
    while time.monotonic() < deadline:
        session.rollback()
        seen = file_status(session, job_id, user_id).progress
        if seen == wanted:
            break
        time.sleep(0.2)
    return seen


def test_a_worker_killed_mid_build_leaves_the_file_to_another_worker_which_builds_it_once(
        session: Session, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANTEEN_FILE_BUILDERS", SLOW)
    user = make_user(session, ("operator", None), phone="13900000001")
    log = tmp_path / "runs.log"
    job_id = enqueue_file(session, "slow", {"log": str(log), "steps": 6}, user.id or 0)
    env = _env(engine, tmp_path / "data", CANTEEN_JOB_STALE_S="4")
    base = [sys.executable, "-m", "app", "worker", "--poll", "0.2"]
    first = subprocess.Popen(base, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        progress = _wait_progress(session, job_id, user.id or 0, "第 2 步")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    killed_state = file_status(session, job_id, user.id or 0).state
    time.sleep(5)  # the dead worker's heartbeat goes stale (4 s)

    second = subprocess.run([*base, "--once"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)

    session.rollback()
    status = file_status(session, job_id, user.id or 0)
    job = session.get(FileJob, job_id)
    assert job is not None
    assert second.returncode == 0, second.stdout + second.stderr
    assert (progress, killed_state) == ("第 2 步", "running")
    assert (status.state, status.error, status.filename) == ("done", "", "慢文件.pdf")
    assert log.read_text().split() == ["start", "start", "finish"]  # the killed run never finished
    assert (tmp_path / "data" / "files" / (job.stored_name or "")).read_bytes() == b"%PDF-1.4 slow"
    assert len(list((tmp_path / "data" / "files").iterdir())) == 1
    assert job.attempts == 2
    assert _engine_jobs(session) == [("succeeded", 2)]
