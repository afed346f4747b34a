"""The claim pack downloads (PDF and Excel) per scheme × funder × month."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote as url_quote

from fastapi import APIRouter
from fastapi.responses import Response

from app.core import audit
from app.core.deps import SessionDep, allow
from app.core.pdf import PDF_MEDIA_TYPE, render_pdf
from app.core.principal import Principal
from app.models import now
from app.subsidy import service as pricing_service
from app.subsidy.claim_pack import XLSX_MEDIA_TYPE, build_claim_pack, claim_pack_xlsx
from app.subsidy.claim_pdf import claim_pack_html

router = APIRouter(prefix="/subsidy")


def _last_month() -> str:
    return f"{now().date().replace(day=1) - timedelta(days=1):%Y-%m}"


@router.get("/schemes/{scheme_key}/claim", name="subsidy:claim_pack")
def claim_pack(session: SessionDep, scheme_key: str, funder: str = "", month: str = "", fmt: str = "pdf",
               principal: Principal = allow("operator")) -> Response:
    """A district operator's download: a claim covers every canteen of the scheme."""
    pricing_service.require_scheme_editor(principal)
    month = month or _last_month()
    pack = build_claim_pack(session, scheme_key, month, funder)
    if fmt == "xlsx":
        data, media, ext = claim_pack_xlsx(pack), XLSX_MEDIA_TYPE, "xlsx"
    else:
        data, media, ext = render_pdf(claim_pack_html(pack)), PDF_MEDIA_TYPE, "pdf"
    name = f"补贴申领_{pack.scheme_name}_{pack.funder_name}_{month}.{ext}"
    audit.record(session, user_id=principal.user_id, action="settlement.claim_pack", object_type="settlement",
                 object_id=f"{scheme_key}/{funder}/{month}", detail=name)
    session.commit()
    return Response(data, media_type=media, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{url_quote(name)}"})
