"""The register import as a file job (issue 16): the same import the preview's 导入 button runs, on the upload the
preview keeps, with the operator's choices as they were posted; its "file" is the outcome in a small CSV.

It reads the upload the pages keep (app.seniors.uploads) and the posted mapping and fixes kept beside it; the
import page queues it for a register longer than `import_job_rows` once `check_import` has passed:
`jobs.enqueue_file(session, "seniors_import", {"token": ..., "choices": digest}, operator_id)`.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlmodel import Session

from app import canteens, jobs
from app.core import messages as msg
from app.core.deps import int_or_none
from app.core.errors import Forbidden
from app.models import now
from app.seniors import importer as senior_import
from app.seniors import uploads


def build_import(session: Session, params: dict[str, Any], progress: Any) -> tuple[str, bytes, str]:
    """Import the stored upload `params["token"]` with the choices kept as `params["choices"]`; only an operator,
    and for a canteen only one they may manage (checked again here: rights may change between click and run).
    Returns the outcome as a small CSV and as the line the job's page shows; a refusal (the upload gone, rows
    with errors, warnings not confirmed) is an AppError, which fails the job in its own words."""
    principal = jobs.principal_for_user(session, int(params["requester_id"]))
    if not principal.has("operator"):
        raise Forbidden(msg.FILE_JOB_NOT_YOURS)
    form = uploads.load_choices(str(params["token"]), str(params.get("choices", "")))
    canteen_id = int_or_none(form.get("canteen"))
    if canteen_id:
        canteens.check_canteen(principal, canteen_id)
    _path, table = uploads.load(str(params["token"]))
    outcome = senior_import.import_seniors(
        session, table, uploads.mapping_from(table, form), today=now().date(), user_id=principal.user_id,
        canteen_id=canteen_id, filename=form.get("name", ""), **uploads.options_from(form),
        progress=lambda done, total: progress(msg.FILE_JOB_IMPORT_PROGRESS.format(done=done, total=total)))
    uploads.forget(str(params["token"]))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["新增", "更新", "未变", "跳过（有错）", "跳过（已故）"])
    writer.writerow([outcome.created, outcome.updated, outcome.unchanged, outcome.skipped_invalid,
                     outcome.skipped_deceased])
    summary = msg.FILE_JOB_IMPORT_DONE.format(created=outcome.created, updated=outcome.updated,
                                              unchanged=outcome.unchanged, invalid=outcome.skipped_invalid,
                                              deceased=outcome.skipped_deceased)
    return "名册导入结果.csv", ("\ufeff" + out.getvalue()).encode("utf-8"), summary
