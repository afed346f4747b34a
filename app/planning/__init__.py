"""District planning: the 15-minute circle, where to open next, supply against the 10 % target, 政策找人 and
探访关爱. Nothing here is used by other areas yet.
"""

from __future__ import annotations
