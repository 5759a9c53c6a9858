"""The exercises and `micrograd check`: solutions pass, untouched starters fail cleanly, exit statuses."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

from micrograd import Value
from micrograd.cli import main
from micrograd.exercises import EXERCISES, check_file

ROOT = Path(__file__).resolve().parent.parent
STARTERS = ROOT / "docs" / "exercises"
SOLUTIONS = Path(__file__).resolve().parent / "exercise_solutions"


def check(path: Path | str, capsys) -> tuple[int, str]:
    status = main(["check", str(path)])
    out = capsys.readouterr()
    return status, out.out + out.err


# ---------------------------------------------------------------- the set of exercises


def test_there_are_at_least_ten_exercises_each_with_starter_and_solution():
    assert len(EXERCISES) >= 10
    assert sorted(p.stem for p in STARTERS.glob("*.py")) == sorted(EXERCISES)
    assert sorted(p.stem for p in SOLUTIONS.glob("*.py") if p.name != "conftest.py") == sorted(EXERCISES)


def test_every_exercise_is_described_in_docs_exercises_md_with_its_check_command():
    doc = (ROOT / "docs" / "exercises.md").read_text()
    for name in EXERCISES:
        assert f"micrograd check docs/exercises/{name}.py" in doc, name


@pytest.mark.parametrize("name", EXERCISES)
def test_each_starter_states_the_exercise_and_its_check_command(name):
    text = (STARTERS / f"{name}.py").read_text()
    assert text.startswith('"""Exercise: ')
    assert f'EXERCISE = "{name}"' in text and f"micrograd check {name}.py" in text


# ---------------------------------------------------------------- solutions pass, starters fail cleanly


@pytest.mark.parametrize("name", EXERCISES)
def test_the_worked_solution_passes(name, capsys):
    status, out = check(SOLUTIONS / f"{name}.py", capsys)
    assert status == 0, out
    assert "FAIL" not in out and re.search(r"All \d+ checks passed\.", out)


@pytest.mark.parametrize("name", EXERCISES)
def test_the_untouched_starter_fails_cleanly(name, capsys):
    status, out = check(STARTERS / f"{name}.py", capsys)
    assert status == 1, out
    assert "Traceback" not in out
    assert out.startswith(f"{name}: {EXERCISES[name].title}\n")
    rows = flagged(out)
    assert rows and all("FAIL: " in row for row in rows)
    assert re.search(r"\d+ of \d+ checks passed\.", out)


# ---------------------------------------------------------------- what a learner sees


def flagged(out: str) -> list[str]:
    """The rows the checker marked as failed."""
    return [line for line in out.splitlines() if line.startswith("> ")]


def write(tmp_path: Path, name: str, source: str) -> Path:
    path = tmp_path / name
    path.write_text(source)
    return path


def check_edited_solution(tmp_path: Path, capsys, name: str, old: str, new: str) -> tuple[int, str]:
    """Check the worked solution of exercise ``name`` with ``old`` (which must be in it) replaced by ``new``."""
    solution = (SOLUTIONS / f"{name}.py").read_text()
    assert old in solution
    return check(write(tmp_path, "mine.py", solution.replace(old, new)), capsys)


def test_a_wrong_answer_shows_expected_received_a_diagnosis_and_a_hint(tmp_path, capsys):
    status, out = check_edited_solution(tmp_path, capsys, "alice_w1", "d_L_d_ypred = -2 * (y_true - ypred)",
                                        "d_L_d_ypred = -(y_true - ypred)")
    assert status == 1
    row = next(line for line in out.splitlines() if line.startswith("> d_L_d_w1 (tutorial)"))
    assert row.split()[3:6] == ["0.0214695353", "0.0107347676", "FAIL:"]
    assert row.endswith("half the right size")
    assert "Hints:\n  - dL/dw1 = dL/dypred * dypred/dh1 * dh1/dw1" in out


def test_a_function_that_raises_is_reported_with_its_line_not_a_traceback(tmp_path, capsys):
    path = write(tmp_path, "mine.py", 'EXERCISE = "chain_rule"\n\n\ndef df_dx(x):\n    return 1 / 0\n')
    status, out = check(path, capsys)
    assert status == 1 and "Traceback" not in out
    assert "FAIL: df_dx raised ZeroDivisionError: division by zero (line 5)" in out


@pytest.mark.parametrize(
    "source, words",
    [
        ('EXERCISE = "chain_rule"\ndef df_dx(x)\n    return 1\n', "SyntaxError: expected ':' (line 2)"),
        ('EXERCISE = "chain_rule"\nimport no_such_module_here\n', "ModuleNotFoundError"),
    ],
)
def test_a_file_that_does_not_run_is_a_failed_check(tmp_path, capsys, source, words):
    status, out = check(write(tmp_path, "mine.py", source), capsys)
    assert status == 1 and "Traceback" not in out
    assert "FAIL: your file does not run: " + words in out


def test_answers_of_the_wrong_kind_fail_with_a_reason(tmp_path, capsys):
    source = (
        'EXERCISE = "network_partials"\n'
        "def partials(params, x, y_true):\n"
        "    return {'w1': None, 'w2': 'x', 'w7': 1.0}\n"
    )
    status, out = check(write(tmp_path, "mine.py", source), capsys)
    assert status == 1
    assert "FAIL: w1 is None, not a number" in out
    assert "FAIL: w2 is x, not a number" in out
    assert "FAIL: b3 missing" in out
    assert "FAIL: 'w7' is not one of" in out


def test_the_builtin_op_does_not_pass_the_custom_op_exercise(tmp_path, capsys):
    source = 'EXERCISE = "custom_op"\ndef my_softplus(x):\n    return x.softplus()\n'
    source += "def my_sqrt(x):\n    return x.sqrt()\n"
    status, out = check(write(tmp_path, "mine.py", source), capsys)
    assert status == 1
    assert "x.softplus() is the built-in op; build your own" in out
    assert "x.sqrt() is the built-in op; build your own" in out


def test_a_wrong_local_derivative_in_the_custom_op_is_caught_by_gradcheck(tmp_path, capsys):
    status, out = check_edited_solution(tmp_path, capsys, "custom_op", "[0.5 / r]", "[1 / r]")
    assert status == 1
    rows = flagged(out)
    assert rows and all(line.startswith("> my_sqrt: gradcheck") for line in rows)
    assert all(line.endswith("FAIL: derivative 2x too large") for line in rows)


def test_an_unstable_softmax_fails_the_overflow_check_only(tmp_path, capsys):
    status, out = check_edited_solution(tmp_path, capsys, "softmax_nll", "m = max(z.data for z in logits)", "m = 0.0")
    assert status == 1
    rows = flagged(out)
    assert len(rows) == 1 and rows[0].startswith("> nll([1000.0, 999.0, 998.0], 1).data (no overflow)")


def test_the_xor_tutorials_own_update_is_not_accepted_as_the_gradient(tmp_path, capsys):
    source = (
        'EXERCISE = "xor_factor_two"\n'
        "from micrograd.tutorials import xor_tutorial_backprop as gradient\n"
        "def slip_factor():\n    return 1.0\n"
    )
    status, out = check(write(tmp_path, "mine.py", source), capsys)
    assert status == 1
    rows = flagged(out)
    assert len(rows) == 7 and all("wrong sign and 2x too large" in line for line in rows[:6])


# ---------------------------------------------------------------- exit statuses and usage errors


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda d: d / "missing.py", "missing.py: no such file"),
        (lambda d: d, "is not a Python file"),
        (lambda d: write(d, "notes.txt", 'EXERCISE = "chain_rule"\n'), "is not a Python file"),
        (lambda d: write(d, "plain.py", "x = 1\n"), 'is not an exercise file: it has no line EXERCISE = "..."'),
        (lambda d: write(d, "odd.py", 'EXERCISE = "no_such"\n'), "names exercise 'no_such', which does not exist"),
    ],
)
def test_usage_errors_exit_2_with_a_message(tmp_path, capsys, make, words):
    status, out = check(make(tmp_path), capsys)
    assert status == 2 and words in out and out.startswith("micrograd check: error: ")


def test_check_without_a_file_is_a_usage_error(capsys):
    assert main(["check"]) == 2
    assert "give an exercise file" in capsys.readouterr().err


def test_check_file_raises_usage_errors_for_library_callers(tmp_path):
    from micrograd.exercises import UsageError

    with pytest.raises(UsageError, match="no such file"):
        check_file(tmp_path / "missing.py")


def test_start_copies_a_starter_that_then_fails_and_refuses_to_overwrite(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--start", "alice_w1"]) == 0
    assert (tmp_path / "alice_w1.py").read_text() == (STARTERS / "alice_w1.py").read_text()
    assert "micrograd check alice_w1.py" in capsys.readouterr().out
    assert main(["check", "--start", "alice_w1"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["check", "--start", "no_such"]) == 2
    assert main(["check", "alice_w1.py"]) == 1


def test_list_names_every_exercise(capsys):
    assert main(["check", "--list"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == list(EXERCISES)


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "micrograd", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


def test_python_m_micrograd_check_exit_statuses():
    passing = run("check", str(SOLUTIONS / "alice_w1.py"))
    failing = run("check", "docs/exercises/alice_w1.py")
    usage = run("check", "docs/exercises/no_such_file.py")
    assert (passing.returncode, failing.returncode, usage.returncode) == (0, 1, 2)
    assert "All 3 checks passed." in passing.stdout
    assert "0 of 3 checks passed." in failing.stdout and "Traceback" not in failing.stderr
    assert "no such file" in usage.stderr


# ---------------------------------------------------------------- the learner's file cannot move the references


def test_a_wrong_custom_op_attached_to_value_does_not_change_the_references(tmp_path, capsys):
    # Attaching the ops to Value, as from_op's docstring shows for softsign, must not make
    # Value(x).softplus() and Value(x).sqrt() give the learner's (here wrong) answers.
    source = (
        'EXERCISE = "custom_op"\n'
        "from micrograd import Value\n"
        "def my_softplus(x):\n    return Value.from_op(x.data, [x], [1.0], 'my_softplus')\n"
        "def my_sqrt(x):\n    return Value.from_op(x.data / 2, [x], [0.5], 'my_sqrt')\n"
        "Value.softplus = my_softplus\nValue.sqrt = my_sqrt\n"
    )
    original = (Value.softplus, Value.sqrt)
    status, out = check(write(tmp_path, "mine.py", source), capsys)
    assert status == 1, out
    rows = {line.split()[1]: line.split()[2:5] for line in flagged(out)}
    assert rows["my_softplus(0.5).data"] == [f"{math.log1p(math.exp(0.5)):.9g}", "0.5", "FAIL:"]
    assert rows["my_sqrt(9.0).data"] == ["3", "4.5", "FAIL:"]
    assert (Value.softplus, Value.sqrt) == original  # and the process is left as it was


def test_a_wrong_chain_rule_answer_cannot_pass_by_patching_an_op_the_reference_uses(tmp_path, capsys):
    # The product rule's second term is missing; giving exp a zero derivative would drop the
    # same term from an autograd reference computed with the patched class.
    source = (
        'EXERCISE = "chain_rule"\n'
        "import math\n"
        "from micrograd import Value\n"
        "def df_dx(x):\n    return math.cos(x**2) * 2 * x * math.exp(-x)\n"
        "Value.exp = lambda self: Value.from_op(math.exp(self.data), [self], [0.0], 'exp')\n"
    )
    original = Value.exp
    status, out = check(write(tmp_path, "mine.py", source), capsys)
    assert status == 1, out
    assert len(flagged(out)) == 3
    assert Value.exp is original


def test_ops_a_file_attaches_to_value_still_work_inside_its_own_functions(tmp_path, capsys):
    source = (
        'EXERCISE = "chain_rule"\n'
        "from micrograd import Value\n"
        "Value.f = lambda self: (self**2).sin() * (-self).exp()\n"
        "def df_dx(x):\n    v = Value(x)\n    v.f().backward()\n    return v.grad\n"
    )
    status, out = check(write(tmp_path, "mine.py", source), capsys)
    assert status == 0, out
    assert not hasattr(Value, "f")


def test_a_correct_solution_that_attaches_its_ops_to_value_passes(tmp_path, capsys):
    solution = (SOLUTIONS / "custom_op.py").read_text() + "\nValue.softplus = my_softplus\nValue.sqrt = my_sqrt\n"
    status, out = check(write(tmp_path, "mine.py", solution), capsys)
    assert status == 0, out


@pytest.mark.parametrize("stop", ["sys.exit()", "sys.exit(0)", "raise SystemExit('bye')", "raise GeneratorExit"])
def test_a_function_that_exits_is_a_failed_row_not_a_silent_exit(tmp_path, capsys, stop):
    source = f'EXERCISE = "chain_rule"\nimport sys\n\n\ndef df_dx(x):\n    {stop}\n'
    status, out = check(write(tmp_path, "mine.py", source), capsys)
    assert status == 1, out
    rows = flagged(out)
    assert len(rows) == 3 and all("FAIL: df_dx raised " in row and "(line 6)" in row for row in rows)
    assert "0 of 3 checks passed." in out


def test_a_function_that_exits_inside_gradcheck_is_a_failed_row(tmp_path, capsys):
    status, out = check_edited_solution(tmp_path, capsys, "custom_op", "    r = math.sqrt(x.data)\n",
                                        "    r = math.sqrt(x.data)\n    raise SystemExit(3)\n")
    assert status == 1, out
    assert "FAIL: my_sqrt raised SystemExit: 3" in out


def test_an_answer_object_that_exits_stops_the_checks_with_a_failure(tmp_path, capsys):
    source = (
        'EXERCISE = "chain_rule"\nimport sys\n'
        "class Odd(float):\n    def __float__(self):\n        sys.exit(0)\n"
        "def df_dx(x):\n    return Odd(1.0)\n"
    )
    status, out = check(write(tmp_path, "mine.py", source), capsys)
    assert status == 1, out
    assert "SystemExit" in out and "(line 5)" in out


def test_python_m_micrograd_check_of_a_file_that_exits_reports_a_failure(tmp_path):
    path = write(tmp_path, "mine.py", 'EXERCISE = "chain_rule"\nimport sys\ndef df_dx(x):\n    sys.exit()\n')
    r = run("check", str(path))
    assert r.returncode == 1 and "0 of 3 checks passed." in r.stdout


def test_the_tutorials_rounded_number_fails_and_is_called_rounded(tmp_path, capsys):
    source = 'EXERCISE = "alice_w1"\ndef d_L_d_w1(params, x, y_true):\n    return 0.0214\n'
    status, out = check(write(tmp_path, "mine.py", source), capsys)
    assert status == 1
    tutorial = next(line for line in flagged(out) if line.startswith("> d_L_d_w1 (tutorial)"))
    assert tutorial.endswith("FAIL: looks rounded: 0.0214 vs 0.02147; give full precision")
    others = [line for line in flagged(out) if line != tutorial]
    assert len(others) == 2 and not any("rounded" in line for line in others)  # other points: just wrong
