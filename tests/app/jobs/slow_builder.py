"""A slow file builder for the worker-process tests: it reports a step a second and notes, in files named by its
parameters, each start and each finish (so a test sees how many runs began and how many built the file)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlmodel import Session


def build(_session: Session, params: dict[str, Any], progress: Any) -> tuple[str, bytes]:
    log = Path(params["log"])
    with log.open("a") as f:
        f.write("start\n")
    for step in range(1, int(params["steps"]) + 1):
        progress(f"第 {step} 步")
        time.sleep(1)
    with log.open("a") as f:
        f.write("finish\n")
    return "慢文件.pdf", b"%PDF-1.4 slow"
