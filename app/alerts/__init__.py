"""Alerts that need someone: no answer at the door, a wellness concern, a silent senior.

Other areas import only the names listed here; everything else in this package is private to it.
"""

from __future__ import annotations

from app.alerts.service import (
    AlertView,
    contacts_of,
    contacts_text,
    handle,
    open_alerts,
    raise_alert,
    raise_once,
)

__all__ = ["AlertView", "contacts_of", "contacts_text", "handle", "open_alerts", "raise_alert", "raise_once"]
