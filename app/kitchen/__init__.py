"""The kitchen's sheets: prep, special diets, packing and labels (the pure `kitchen` library does the sums).

Other areas import only the names listed here; everything else in this package is private to it.
"""

from __future__ import annotations

