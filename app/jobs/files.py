"""File jobs: slow files (the kitchen's big label and packing PDFs, claim packs, large imports) built by a worker,
with progress the page polls, and offered for download to the one who asked.

A kind names its builder as "module:function" (BUILDERS below), resolved when a job runs: the areas import
app.jobs to queue their files, so app.jobs must not import them back. A builder is
`(session, params, progress) -> (filename, bytes)`; `params` always carries `requester_id`, and the builder
re-checks what the request handler checked (a kitchen user only for their own canteen), since rights may change
between the click and the run. An AppError it raises reaches the page as its Chinese message.

States move by conditional UPDATEs, as plan jobs do (app.jobs.plans): queued → running (a fresh owner token) →
done/failed; only the owning run may report or finish, so a run taken over after its worker died cannot
overwrite the new run's file. Files live under CANTEEN_DATA_DIR/files with a random name, never in a URL, and are
removed (with their rows' file names) `file_job_keep_s` after they were finished.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.core import messages as msg
from app.core.db import begin_write
from app.core.errors import AppError, Forbidden, NotFound
from app.core.principal import Principal
from app.core.settings import get_settings
from app.jobs import engine
from app.models import FileJob, User, UserRole, now

log = logging.getLogger(__name__)
ACTIVE = ("queued", "running")
FILE_TASK = "file_job"
KEEP = timedelta(hours=24)
MEDIA_TYPES = {".pdf": "application/pdf", ".csv": "text/csv; charset=utf-8",
               ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
Progress = Callable[[str], None]
# (filename, bytes) or (filename, bytes, summary): a job whose point is a change (an import) says what it did in
# one line the page shows when it is done ("新增 40 位……"); a file's page just says it is ready.
Built = tuple[str, bytes] | tuple[str, bytes, str]
Builder = Callable[[Session, dict[str, Any], Progress], Built]
# Kinds that only read: cancelling one while it runs loses nothing, its file is thrown away. The others (an
# import) are cancelled only while queued, so a cancel never leaves half a change or a change the page denies.
CANCEL_WHILE_RUNNING = frozenset({"kitchen_sheet", "subsidy_claim_pack"})

# The registration point: kind → "module:function" of its builder (None: not wired yet, refused at queueing).
# A new kind needs a line here and a builder in its own area that re-checks the requester's rights.
BUILDERS: dict[str, str | None] = {
    "kitchen_sheet": "app.kitchen.pages:build_sheet_pdf",
    "seniors_import": "app.seniors.import_job:build_import",
    "subsidy_claim_pack": "app.subsidy.claim_job:build_claim_job",
}
# Tests register extra builders here (a kind → the function itself).
EXTRA: dict[str, Builder] = {}


@dataclass(frozen=True)
class FileStatus:
    """What the file's page polls."""

    job_id: int
    state: str
    state_name: str
    progress: str
    error: str
    filename: str
    kind: str = ""

    @property
    def active(self) -> bool:
        return self.state in ACTIVE

    @property
    def cancellable(self) -> bool:
        return self.state == "queued" or (self.state == "running" and self.kind in CANCEL_WHILE_RUNNING)


def registered() -> dict[str, str | None]:
    """BUILDERS, plus those a deployment (or a test's worker process) names in CANTEEN_FILE_BUILDERS, a JSON
    object of kind → "module:function"."""
    extra = json.loads(os.environ.get("CANTEEN_FILE_BUILDERS") or "{}")
    return {**BUILDERS, **{str(k): str(v) for k, v in extra.items()}}


def builder_for(kind: str) -> Builder | None:
    if kind in EXTRA:
        return EXTRA[kind]
    target = registered().get(kind)
    if not target:
        return None
    module, _, name = target.partition(":")
    built: Builder = getattr(importlib.import_module(module), name)
    return built


def files_dir() -> Path:
    return get_settings().data_dir / "files"


def principal_for_user(session: Session, user_id: int) -> Principal:
    """The requester as the builder re-checks them: their roles now (a role removed since the click counts), no
    web session. A deactivated account may build nothing."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise Forbidden(msg.FILE_JOB_NOT_YOURS)
    roles: dict[str, set[int | None]] = {}
    for role, canteen_id in session.exec(select(UserRole.role, UserRole.canteen_id)
                                         .where(UserRole.user_id == user_id)).all():
        roles.setdefault(role, set()).add(canteen_id)
    return Principal(user_id=user_id, name=user.name, senior_id=user.senior_id, font_size=user.font_size,
                     roles={k: frozenset(v) for k, v in roles.items()}, session_id=0, csrf_token="")


def dedupe_key(kind: str, params: dict[str, Any], requester_id: int) -> str:
    blob = json.dumps([kind, params, requester_id], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def enqueue_file(session: Session, kind: str, params: dict[str, Any], requester_id: int) -> int:
    """Queue the file, or return the job already queued/running for the same file from the same requester.
    On PostgreSQL the engine's job is deferred in the same transaction as the row."""
    if kind not in EXTRA and not registered().get(kind):
        raise AppError(msg.FILE_JOB_NOT_REGISTERED if kind in BUILDERS else msg.FILE_JOB_UNKNOWN_KIND)
    key = dedupe_key(kind, params, requester_id)
    begin_write(session)
    existing = _active(session, key)
    if existing is not None:
        session.rollback()
        return existing
    job = FileJob(kind=kind, params=json.dumps(params, ensure_ascii=False), dedupe_key=key,
                  requester_id=requester_id, progress=msg.FILE_JOB_PROGRESS_QUEUED)
    try:
        with session.begin_nested():
            session.add(job)
            session.flush()
    except IntegrityError:  # the same click, a moment earlier, on another connection
        session.rollback()
        return _active(session, key) or 0
    assert job.id is not None
    job_id = job.id
    engine_id = engine.defer(session, FILE_TASK, {"job_id": job_id}, lock=f"file:{job_id}")
    session.execute(update(FileJob).where(col(FileJob.id) == job_id).values(engine_id=engine_id))
    session.commit()
    return job_id


def _active(session: Session, key: str) -> int | None:
    return session.exec(select(FileJob.id).where(FileJob.dedupe_key == key, col(FileJob.state).in_(ACTIVE))).first()


def take(session: Session, job_id: int, *, attempts: int = 0) -> str | None:
    """Start a run; returns its owner token, or None (cancelled, finished, expired, too many attempts)."""
    begin_write(session)
    row = session.exec(select(FileJob).where(col(FileJob.id) == job_id).with_for_update()).first()
    if row is None or row.state not in ACTIVE:
        session.rollback()
        return None
    settings = get_settings()
    tries = max(attempts, row.attempts)
    if now() - row.created_at > timedelta(seconds=settings.job_expire_s):
        _fail(session, job_id, msg.FILE_JOB_EXPIRED)
        return None
    if tries >= settings.job_max_attempts:
        _fail(session, job_id, msg.FILE_JOB_TOO_MANY_ATTEMPTS.format(n=tries))
        return None
    owner = str(uuid.uuid4())
    session.execute(update(FileJob).where(col(FileJob.id) == job_id).values(
        state="running", owner=owner, attempts=tries + 1, progress=msg.FILE_JOB_PROGRESS_STARTED,
        started_at=now()))
    session.commit()
    return owner


def _fail(session: Session, job_id: int, error: str, owner: str | None = None) -> None:
    where = [col(FileJob.id) == job_id] + ([col(FileJob.owner) == owner] if owner else [])
    session.execute(update(FileJob).where(*where).values(
        state="failed", error=error[:300], owner=None, finished_at=now()))
    session.commit()


def _owned(job_id: int, owner: str) -> list[Any]:
    return [col(FileJob.id) == job_id, col(FileJob.state) == "running", col(FileJob.owner) == owner]


def run_file(session: Session, job_id: int, *, attempts: int = 0) -> str:
    """Take the job and build its file here; "finished" (done or failed in words) or "skipped"."""
    owner = take(session, job_id, attempts=attempts)
    if owner is None:
        return "skipped"
    job = session.get(FileJob, job_id)
    assert job is not None
    session.refresh(job)
    builder = builder_for(job.kind)
    if builder is None:
        _fail(session, job_id, msg.FILE_JOB_UNKNOWN_KIND, owner)
        return "finished"
    params = {**json.loads(job.params), "requester_id": job.requester_id}

    last = [0.0]

    def progress(text: str) -> None:
        # A large import reports every row: the page polls each second, so a write every half second is plenty.
        if time.monotonic() - last[0] < 0.5:
            return
        last[0] = time.monotonic()
        with Session(session.get_bind()) as other:
            other.execute(update(FileJob).where(*_owned(job_id, owner)).values(progress=text[:80]))
            other.commit()

    try:
        built = builder(session, params, progress)
    except AppError as exc:
        session.rollback()
        _fail(session, job_id, exc.message, owner)
        return "finished"
    except Exception:  # noqa: BLE001 - a broken builder fails its job in words; the details go to the log
        log.exception("file job %s (%s) failed", job_id, job.kind)
        session.rollback()
        _fail(session, job_id, msg.FILE_JOB_FAILED, owner)
        return "finished"
    session.rollback()
    filename, body, *said = built
    _store(session, job_id, owner, filename, body, said[0] if said else msg.FILE_JOB_STATE_NAMES["done"])
    return "finished"


def _store(session: Session, job_id: int, owner: str, filename: str, body: bytes, summary: str) -> None:
    stored = f"{uuid.uuid4().hex}.bin"
    folder = files_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / stored).write_bytes(body)
    media = MEDIA_TYPES.get(Path(filename).suffix.lower(), "application/octet-stream")
    result = session.execute(update(FileJob).where(*_owned(job_id, owner)).values(
        state="done", stored_name=stored, download_name=filename[:200], media_type=media, owner=None,
        progress=summary[:80], finished_at=now()))
    session.commit()
    if result.rowcount != 1:  # type: ignore[attr-defined]
        (folder / stored).unlink(missing_ok=True)  # taken over or cancelled meanwhile: the other run's file counts


def _mine(session: Session, job_id: int, user_id: int) -> FileJob:
    job = session.get(FileJob, job_id)
    if job is None:
        raise NotFound(msg.NOT_FOUND)
    session.refresh(job)
    if job.requester_id != user_id:
        raise Forbidden(msg.FILE_JOB_NOT_YOURS)
    return job


def file_status(session: Session, job_id: int, user_id: int) -> FileStatus:
    """The job's state for its requester (Forbidden for anyone else)."""
    return _status_of(_mine(session, job_id, user_id))


def _status_of(job: FileJob) -> FileStatus:
    names = msg.FILE_JOB_STATE_NAMES_BY_KIND.get(job.kind, msg.FILE_JOB_STATE_NAMES)
    return FileStatus(job.id or 0, job.state, names[job.state], job.progress, job.error, job.download_name,
                      job.kind)


def cancel_file(session: Session, job_id: int, user_id: int) -> None:
    """The requester cancels a file on its way: a queued one never runs; a running one that only reads stops
    counting (its run finds the row cancelled and throws its file away). An import already running is not
    cancelled (AppError in words): it saves all or nothing, and a page saying "cancelled" must be true."""
    begin_write(session)
    job = _mine(session, job_id, user_id)
    status = _status_of(job)
    if not status.cancellable:
        session.rollback()
        raise AppError(msg.FILE_JOB_CANNOT_CANCEL_RUNNING if status.active else msg.FILE_JOB_NOT_ACTIVE)
    engine_id = job.engine_id
    session.execute(update(FileJob).where(col(FileJob.id) == job_id, col(FileJob.state).in_(ACTIVE)).values(
        state="cancelled", owner=None, progress="", finished_at=now()))
    if engine_id is not None:
        engine.cancel(session, engine_id)
    session.commit()


def file_body(session: Session, job_id: int, user_id: int) -> tuple[str, str, bytes]:
    """(filename, media type, bytes) of a finished file, for its requester only."""
    job = _mine(session, job_id, user_id)
    if job.state != "done":
        raise AppError(msg.FILE_JOB_NOT_READY)
    path = files_dir() / (job.stored_name or "")
    if not job.stored_name or not path.is_file():
        raise NotFound(msg.FILE_JOB_GONE)
    return job.download_name, job.media_type, path.read_bytes()


def waiting_files(session: Session, *, include_running: bool) -> list[int]:
    states = ACTIVE if include_running else ("queued",)
    return [i or 0 for i in session.exec(select(FileJob.id).where(col(FileJob.state).in_(states))
                                         .order_by(col(FileJob.created_at), col(FileJob.id))).all()]


def clean_up(session: Session, *, keep: timedelta = KEEP) -> int:
    """Delete the files finished longer than `keep` ago; their rows stay (the page then says the file is gone)."""
    old = session.exec(select(FileJob).where(col(FileJob.stored_name).is_not(None),
                                             col(FileJob.finished_at) < now() - keep)).all()
    for job in old:
        (files_dir() / (job.stored_name or "")).unlink(missing_ok=True)
        job.stored_name = None
        session.add(job)
    session.commit()
    return len(old)


def drain_files(session: Session) -> int:
    """Run every queued file job now, oldest first (CLI, tests, the SQLite local runner)."""
    ran = 0
    while True:
        waiting = waiting_files(session, include_running=False)
        if not waiting:
            return ran
        run_file(session, waiting[0])
        ran += 1
