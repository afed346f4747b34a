"""Sign-in, accounts and roles, helper links and the audit trail.

Other areas import only the names listed here; everything else in this package is private to it.
"""

from __future__ import annotations

from app.accounts.auth import hash_secret

__all__ = ["hash_secret"]
