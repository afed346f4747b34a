"""The operators' dashboard and reports.

Other areas import only the names listed here; everything else in this package is private to it.
"""

from __future__ import annotations

