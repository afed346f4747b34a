"""Sign-in, accounts and roles, helper links and the audit trail.

Other areas import only the names listed here; everything else in this package is private to it.
"""

from __future__ import annotations

from app.accounts.auth import hash_secret
from app.accounts.helper_links import CONSENT_METHODS, LinkForm, link_helper
from app.accounts.service import WEAK_PINS, senior_for_pin, set_senior_pin

__all__ = ["CONSENT_METHODS", "WEAK_PINS", "LinkForm", "hash_secret", "link_helper", "senior_for_pin",
           "set_senior_pin"]
