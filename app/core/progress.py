"""A text progress bar on stderr for the operators' command-line tools."""

from __future__ import annotations

import sys
from collections.abc import Callable

BAR_WIDTH = 30


def progress_bar(label: str) -> Callable[[int, int], None]:
    """A callable (done, total) that redraws one line: 导入 [#########.....] 62% 186/300."""
    shown = {"percent": -1}

    def draw(done: int, total: int) -> None:
        filled = BAR_WIDTH * done // max(total, 1)
        percent = 100 * done // max(total, 1)
        if percent == shown["percent"] and done < total:
            return  # redraw once per percent, not once per row
        shown["percent"] = percent
        end = "\n" if done >= total else ""
        sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {percent:3d}% {done}/{total}{end}")
        sys.stderr.flush()
    return draw
