"""An operator reads the audit log in Chinese: every action the code records has a name, none shows as a code."""

from __future__ import annotations

import re
from pathlib import Path

from app.core import messages as msg

APP = Path(__file__).resolve().parents[3] / "app"
LITERAL = re.compile(r'action=f?"([a-z_.{}]+)"')
# The values the formatted actions take.
EXPANSIONS = {"{actor.relation}": ("helper", "counter"), "{status}": ("deceased", "moved")}


def _recorded_actions() -> set[str]:
    found: set[str] = set()
    for path in APP.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "audit" not in text:
            continue
        for action in LITERAL.findall(text):
            if action == "store_true" or "." not in action and "_" not in action:
                continue
            for hole, values in EXPANSIONS.items():
                if hole in action:
                    found |= {action.replace(hole, v) for v in values}
                    break
            else:
                found.add(action)
    return found


def test_every_recorded_action_has_a_chinese_name() -> None:
    actions = _recorded_actions()

    assert len(actions) > 30
    assert not {a for a in actions if "{" in a}, "a formatted action needs its values in EXPANSIONS"
    assert sorted(actions - set(msg.AUDIT_ACTION_NAMES)) == []
