"""Alerts that need someone: no answer at the door, a wellness concern, a silent senior.

Other areas import only the names listed here; everything else in this package is private to it.
"""

from __future__ import annotations

from app.alerts.service import (
    AlertView,
    close,
    contacts_of,
    contacts_text,
    handle,
    history_of,
    open_alerts,
    raise_alert,
    raise_once,
)

__all__ = ["AlertView", "close", "contacts_of", "contacts_text", "handle", "history_of", "open_alerts", "raise_alert",
           "raise_once"]
