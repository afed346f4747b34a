"""Canteens, their meal slots and cutoffs.

Other areas import only the names listed here; everything else in this package is private to it.
"""

from __future__ import annotations

from app.canteens.service import allowed_canteens, canteen_options, check_canteen, get_canteen, list_canteens

__all__ = ["allowed_canteens", "canteen_options", "check_canteen", "get_canteen", "list_canteens"]
