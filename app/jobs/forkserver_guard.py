"""Imported by the fork server the plan children come from (multiprocessing's preload), so that it dies with its
worker and takes every plan child, and the solver's helper process of each, with it.

Linux tells the fork server when its worker dies, even by SIGKILL (PR_SET_PDEATHSIG → SIGTERM); its main loop
waits in select(), so the handler runs at once: each child leads its own process group (app.jobs.child), and the
handler kills each group with SIGKILL, then exits. A child cannot do this for itself: while OR-Tools holds its
GIL no Python signal handler runs. Elsewhere (not Linux) the owner token still keeps an orphan from storing.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()  # after "(name)": state, ppid, ...
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def _end_children(_signum: int, _frame: object) -> None:
    for child in children_of(os.getpid()):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child, signal.SIGKILL)
    os._exit(0)


def _in_fork_server() -> bool:
    return sys.argv[:1] == ["-c"] and "multiprocessing.forkserver" in sys.modules


if sys.platform.startswith("linux") and _in_fork_server():
    signal.signal(signal.SIGTERM, _end_children)
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
