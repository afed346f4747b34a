"""`python -m routing solve` prints the plan and its validation."""

import json

from routing import problem_to_json
from routing.cli import main
from tests.routing.builders import bike, line_problem, stop


def test_solve_prints_the_plan_as_json_with_its_validation(tmp_path, capsys):
    problem = line_problem({"K": 0, "A": 100, "B": 200}, [stop("A"), stop("B", window=(0, 50))], [bike()])
    path = tmp_path / "slot.json"
    path.write_text(problem_to_json(problem), encoding="utf-8")

    code = main(["solve", str(path), "--time-limit", "1", "--deterministic", "--json"])

    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [v["stop_key"] for v in out["routes"][0]["visits"]] == ["A"]
    assert out["unassigned"] == [
        {"stop_key": "B", "reason": "window_unreachable", "message": "送餐时间窗从厨房出发无法赶到"}
    ]
    assert out["validation"] == {"ok": True, "violations": [], "cost": 200}


def test_solve_prints_text_in_chinese(tmp_path, capsys):
    problem = line_problem({"K": 0, "A": 100}, [stop("A")], [bike()])
    path = tmp_path / "slot.json"
    path.write_text(problem_to_json(problem), encoding="utf-8")

    code = main(["solve", str(path), "--time-limit", "1", "--deterministic"])

    assert code == 0
    assert capsys.readouterr().out.splitlines()[-1] == "合计 200 s, 200 m, 1 辆车; 校验 通过"


def test_a_malformed_file_is_an_error_message_not_a_traceback(tmp_path, capsys):
    path = tmp_path / "slot.json"
    path.write_text("{}", encoding="utf-8")

    code = main(["solve", str(path), "--time-limit", "1"])

    assert code == 2
    assert capsys.readouterr().err == "error: problem: missing field 'depot'\n"
