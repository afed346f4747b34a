"""The settlement claim pack as a file job (issue 16): the same pack, checks and audit entry as the direct
download (claim_pages.claim_pack), built by a worker, so a district's month of evidence never holds a web request."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app import jobs
from app.core import audit
from app.core import messages as msg
from app.core.pdf import render_pdf
from app.subsidy import service as pricing_service
from app.subsidy.claim_pack import build_claim_pack, claim_pack_xlsx
from app.subsidy.claim_pdf import claim_pack_html


def build_claim_job(session: Session, params: dict[str, Any], progress: Any) -> tuple[str, bytes]:
    """params: scheme_key, funder, month ("2026-11"), fmt ("pdf" or "xlsx"); only a district operator, checked
    again here with the requester's roles as they are now."""
    principal = jobs.principal_for_user(session, int(params["requester_id"]))
    pricing_service.require_scheme_editor(principal)
    scheme_key, funder, month = str(params["scheme_key"]), str(params["funder"]), str(params["month"])
    pack = build_claim_pack(session, scheme_key, month, funder)
    progress(msg.FILE_JOB_CLAIM_PROGRESS.format(funder=pack.funder_name))
    xlsx = params.get("fmt") == "xlsx"
    data = claim_pack_xlsx(pack) if xlsx else render_pdf(claim_pack_html(pack))
    name = f"补贴申领_{pack.scheme_name}_{pack.funder_name}_{month}.{'xlsx' if xlsx else 'pdf'}"
    audit.record(session, user_id=principal.user_id, action="settlement.claim_pack", object_type="settlement",
                 object_id=f"{scheme_key}/{funder}/{month}", detail=name)
    session.commit()
    return name, data
