"""The demo district (静安区彭浦镇) built through the real services.

Other areas import only the names listed here; everything else in this package is private to it.
"""

from __future__ import annotations

from app.demo.build import DEMO_PASSWORD, DEMO_PIN, build_demo, database_is_empty

__all__ = ["DEMO_PASSWORD", "DEMO_PIN", "build_demo", "database_is_empty"]
