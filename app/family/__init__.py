"""What a helper or family member sees of a senior's day.

Other areas import only the names listed here; everything else in this package is private to it.
"""

from __future__ import annotations

