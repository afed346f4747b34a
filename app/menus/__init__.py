"""Dishes, set meals and the weekly menus.

Other areas import only the names listed here; everything else in this package is private to it.
"""

from __future__ import annotations

from app.menus.planning import monday_of

__all__ = ["monday_of"]
