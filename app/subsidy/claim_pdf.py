"""The claim pack as a PDF: `claim_pack_pdf(session, scheme, month, funder) -> bytes`, a plain function with no
request, so a background job can build a district's packs as well as the download page."""

from __future__ import annotations

from sqlmodel import Session

from app.core.pdf import render_pdf
from app.core.templating import env
from app.subsidy.claim_pack import ClaimPack, build_claim_pack


def claim_pack_html(pack: ClaimPack) -> str:
    """The printable page (its stylesheet is read from app/static by the PDF renderer)."""
    return env.get_template("subsidy/claim_pack.html").render(pack=pack)


def claim_pack_pdf(session: Session, scheme_key: str, month: str, funder_key: str) -> bytes:
    """The signed-claim PDF of one funder of one scheme for one month ("2026-11")."""
    return render_pdf(claim_pack_html(build_claim_pack(session, scheme_key, month, funder_key)))
