"""The register of seniors: records, import from the civil-affairs Excel, identity numbers.

Other areas import only the names listed here; everything else in this package is private to it.
"""

from __future__ import annotations

from app.seniors.identity import make_id_number
from app.seniors.service import resume_due

__all__ = ["make_id_number", "resume_due"]
