"""Ordering a meal: for a senior, by a helper, at the counter, and through the API.

Other areas import only the names listed here; everything else in this package is private to it.
"""

from __future__ import annotations

from app.ordering.checkin import check_in_order
from app.ordering.rules import ItemFacts, menu_items, suitable
from app.ordering.service import Actor, Choice, OrderRequest, cancel_order, place_order

__all__ = ["Actor", "Choice", "ItemFacts", "OrderRequest", "cancel_order", "check_in_order", "menu_items",
           "place_order", "suitable"]
