"""Delivery planning, the dispatcher's desk, the driver's route and the fleet.

Other areas import only the names listed here; everything else in this package is private to it.
"""

from __future__ import annotations

