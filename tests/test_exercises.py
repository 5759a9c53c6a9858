"""The exercises and `micrograd check`: solutions pass, untouched starters fail cleanly, exit statuses.

`micrograd check` runs the learner's file in a process of its own. Most tests
here check files that behave (solutions, starters, wrong answers), so to stay
fast they make the same calls in this process (`checker._run_here`: the same
records, through the same JSON); a test that asks for the ``child_process``
fixture gets the real process, as the command does.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from support import run_cli

from micrograd import Value, is_grad_enabled
from micrograd.cli import main
from micrograd.exercises import EXERCISES, check_file, checker
from micrograd.exercises.answers import Foreign, decode, encode, values_in

ROOT = Path(__file__).resolve().parent.parent
STARTERS = ROOT / "docs" / "exercises"
SOLUTIONS = Path(__file__).resolve().parent / "exercise_solutions"


@pytest.fixture(autouse=True)
def in_this_process(request, monkeypatch):
    """Make the learner's calls in this process, unless the test asks for ``child_process``."""
    if "child_process" not in request.fixturenames:
        monkeypatch.setattr(checker, "_run_learner", checker._run_here)


@pytest.fixture
def child_process():
    """Run the learner's file in a process of its own, as ``micrograd check`` does."""


def check(path: Path | str, capsys, *options: str) -> tuple[int, str]:
    status = main(["check", *options, str(path)])
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


def test_python_m_micrograd_check_exit_statuses():
    passing = run_cli("check", str(SOLUTIONS / "alice_w1.py"))
    failing = run_cli("check", "docs/exercises/alice_w1.py")
    usage = run_cli("check", "docs/exercises/no_such_file.py")
    assert (passing.returncode, failing.returncode, usage.returncode) == (0, 1, 2)
    assert "All 3 checks passed." in passing.stdout
    assert "0 of 3 checks passed." in failing.stdout and "Traceback" not in failing.stderr
    assert "no such file" in usage.stderr


# ---------------------------------------------------------------- the learner's file cannot move the references
# It runs in a process of its own: what it changes there, it cannot change here.


def test_a_wrong_custom_op_attached_to_value_does_not_change_the_references(tmp_path, capsys, child_process):
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


def test_a_wrong_chain_rule_answer_cannot_pass_by_patching_an_op_the_reference_uses(tmp_path, capsys, child_process):
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


def test_ops_a_file_attaches_to_value_still_work_inside_its_own_functions(tmp_path, capsys, child_process):
    source = (
        'EXERCISE = "chain_rule"\n'
        "from micrograd import Value\n"
        "Value.f = lambda self: (self**2).sin() * (-self).exp()\n"
        "def df_dx(x):\n    v = Value(x)\n    v.f().backward()\n    return v.grad\n"
    )
    status, out = check(write(tmp_path, "mine.py", source), capsys)
    assert status == 0, out
    assert not hasattr(Value, "f")


def test_a_correct_solution_that_attaches_its_ops_to_value_passes(tmp_path, capsys, child_process):
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


def test_an_answer_object_that_exits_when_read_is_a_failed_row(tmp_path, capsys):
    source = (
        'EXERCISE = "chain_rule"\nimport sys\n'
        "class Odd(float):\n    def __float__(self):\n        sys.exit(0)\n"
        "def df_dx(x):\n    return Odd(1.0)\n"
    )
    status, out = check(write(tmp_path, "mine.py", source), capsys)
    assert status == 1, out
    assert "SystemExit" in out and "(line 5)" in out
    rows = flagged(out)
    assert len(rows) == 3 and all(row.endswith("FAIL: df_dx returned a Odd that raised SystemExit: 0 (line 5) "
                                               "when it was read") for row in rows)


def test_python_m_micrograd_check_of_a_file_that_exits_reports_a_failure(tmp_path):
    path = write(tmp_path, "mine.py", 'EXERCISE = "chain_rule"\nimport sys\ndef df_dx(x):\n    sys.exit()\n')
    r = run_cli("check", str(path))
    assert r.returncode == 1 and "0 of 3 checks passed." in r.stdout


def test_the_tutorials_rounded_number_fails_and_is_called_rounded(tmp_path, capsys):
    source = 'EXERCISE = "alice_w1"\ndef d_L_d_w1(params, x, y_true):\n    return 0.0214\n'
    status, out = check(write(tmp_path, "mine.py", source), capsys)
    assert status == 1
    tutorial = next(line for line in flagged(out) if line.startswith("> d_L_d_w1 (tutorial)"))
    assert tutorial.endswith("FAIL: looks rounded: 0.0214 vs 0.02147; give full precision")
    others = [line for line in flagged(out) if line != tutorial]
    assert len(others) == 2 and not any("rounded" in line for line in others)  # other points: just wrong


def test_a_file_that_switches_no_grad_on_cannot_pass_with_zeros(tmp_path, capsys, child_process):
    # With the graph off, autograd gives 0 everywhere: references computed next to this file would be 0.
    source = ('EXERCISE = "chain_rule"\nfrom micrograd import no_grad\nno_grad().__enter__()\n'
              "def df_dx(x):\n    no_grad().__enter__()\n    return 0.0\n")
    status, out = check(write(tmp_path, "mine.py", source), capsys)
    assert status == 1, out
    rows = flagged(out)
    assert len(rows) == 3 and all(row.endswith("FAIL: is 0 (a missing term?)") for row in rows), out
    assert is_grad_enabled()


def test_a_file_that_loosens_the_checkers_tolerances_does_not_pass(tmp_path, capsys, child_process):
    source = ('EXERCISE = "chain_rule"\n'
              "import micrograd.exercises.checker as checker\nimport micrograd.gradcheck as gradcheck\n"
              "for tol in (checker.HAND, checker.NUMERIC, checker.SAME_FORMULA):\n    tol.update(atol=1e9, rtol=1e9)\n"
              "checker.Run.number.__defaults__ = ({'atol': 1e9, 'rtol': 1e9},)\n"
              "gradcheck._close = lambda *args: True\n"
              "def df_dx(x):\n    return 123.0\n")
    status, out = check(write(tmp_path, "mine.py", source), capsys)
    assert status == 1, out
    assert len(flagged(out)) == 3
    assert checker.HAND == {"atol": 1e-10, "rtol": 1e-7}


CHEAT = '''EXERCISE = "chain_rule"
import gc, sys
from micrograd import Value

class Cheat(float):
    """Read as a number, it gives any expected value it can find."""

    def __float__(self):
        frame = sys._getframe(1)
        while frame is not None:
            if isinstance(frame.f_locals.get("expected"), float):
                return frame.f_locals["expected"]
            frame = frame.f_back
        leaves = [v for v in gc.get_objects() if isinstance(v, Value) and not v._prev and v.grad]
        return leaves[-1].grad if leaves else 0.0

def df_dx(x):
    return Cheat(0.0)
'''


def test_an_answer_whose_float_reads_the_expected_value_does_not_pass(tmp_path, capsys, child_process):
    status, out = check(write(tmp_path, "mine.py", CHEAT), capsys)
    assert status == 1, out
    rows = flagged(out)
    assert len(rows) == 3 and all(row.split()[3] == "0" for row in rows), out  # received: what it found, nothing


@pytest.mark.parametrize("where", ["its top level", "df_dx"])
def test_a_file_that_calls_os_exit_fails_with_a_clear_row(tmp_path, where):
    top, body = ("os._exit(0)\n", "return 0.0") if where == "its top level" else ("", "os._exit(0)")
    path = write(tmp_path, "mine.py", f'EXERCISE = "chain_rule"\nimport os\n{top}def df_dx(x):\n    {body}\n')
    r = run_cli("check", str(path))
    assert r.returncode == 1, r.stdout
    rows = flagged(r.stdout)
    assert len(rows) == 3 and all(row.endswith(f"FAIL: your file exited before it was checked (exit status 0 while "
                                               f"running {where}: os._exit()?)") for row in rows), r.stdout
    assert "Hints:\n  - return your answers: os._exit() ends the process" in r.stdout


def test_a_file_whose_process_is_killed_fails_with_the_signal(tmp_path, capsys, child_process):
    source = 'EXERCISE = "chain_rule"\nimport os, signal\ndef df_dx(x):\n    os.kill(os.getpid(), signal.SIGKILL)\n'
    status, out = check(write(tmp_path, "mine.py", source), capsys)
    assert status == 1
    rows = flagged(out)
    assert len(rows) == 3 and all(row.endswith("FAIL: the process running your file was killed by SIGKILL "
                                               "(it was running df_dx)") for row in rows), out


@pytest.mark.parametrize("where", ["its top level", "df_dx"])
def test_an_endless_loop_fails_when_the_time_is_up(tmp_path, capsys, child_process, where):
    loop = "while True:\n    pass\n"
    top, body = (loop, "return 0.0") if where == "its top level" else ("", loop.replace("\n    ", "\n        "))
    path = write(tmp_path, "mine.py", f'EXERCISE = "chain_rule"\n{top}def df_dx(x):\n    {body}\n')
    start = time.monotonic()
    status, out = check(path, capsys, "--timeout", "1")
    elapsed = time.monotonic() - start
    assert status == 1 and 1 <= elapsed < 5, (elapsed, out)
    rows = flagged(out)
    assert len(rows) == 3 and all(row.endswith(f"FAIL: your file did not finish in 1 s (it was running {where})")
                                  for row in rows), out
    assert f"look for a loop that never ends in {where}" in out and "micrograd check --timeout 60 " in out


def test_answers_made_before_the_time_is_up_are_checked(tmp_path, capsys, child_process):
    source = ('EXERCISE = "sigmoid_derivative"\nimport math\n'
              "def deriv_sigmoid(x):\n    s = 1 / (1 + math.exp(-x))\n    return s * (1 - s)\n"
              "def deriv_sigmoid_from_output(s):\n    while True:\n        pass\n")
    status, out = check(write(tmp_path, "mine.py", source), capsys, "--timeout", "1")
    assert status == 1
    rows = [line for line in out.splitlines() if line.lstrip("> ").startswith("deriv_sigmoid")]
    # the calls are made in order: every one after the endless one has no answer either
    assert rows[0].endswith(" ok") and len(rows) == 6, out
    assert all(row.endswith("did not finish in 1 s (it was running deriv_sigmoid_from_output)") for row in rows[1:])


def test_what_the_file_started_is_stopped_with_it(tmp_path, capsys, child_process):
    pid_file = tmp_path / "pid"
    source = (f'EXERCISE = "chain_rule"\nimport subprocess, sys\n'
              f'p = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])\n'
              f"open({str(pid_file)!r}, 'w').write(str(p.pid))\nwhile True:\n    pass\n")
    status, out = check(write(tmp_path, "mine.py", source), capsys, "--timeout", "1")
    assert status == 1, out
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)


def test_the_files_process_ends_when_the_checker_is_killed(tmp_path):
    source = ('EXERCISE = "chain_rule"\nimport os, subprocess, sys\n'
              'p = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])\n'
              "open('pids', 'w').write(f'{os.getpid()} {p.pid}')\nwhile True:\n    pass\n")
    path = write(tmp_path, "mine.py", source)
    checker_process = subprocess.Popen([sys.executable, "-m", "micrograd", "check", str(path)], cwd=tmp_path,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pids = tmp_path / "pids"
    deadline = time.monotonic() + 30
    while not (pids.exists() and pids.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    started = [int(pid) for pid in pids.read_text().split()]
    assert all(_alive(pid) for pid in started)
    checker_process.kill()  # no chance to clean up: the file's process must notice by itself
    checker_process.wait()
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in started) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in started)


def test_a_file_that_writes_over_its_answers_fails_without_a_traceback(tmp_path, capsys, child_process):
    source = ('EXERCISE = "chain_rule"\nimport os\nfor fd in range(3, 30):\n    try:\n'
              """        os.write(fd, b'{"no_run": 5}\\n{"answer": 1.0}\\n{"error": "forged"}\\n')\n"""
              "    except OSError:\n        pass\n"
              "def df_dx(x):\n    return 0.0\n")
    status, out = check(write(tmp_path, "mine.py", source), capsys)
    assert status == 1 and "Traceback" not in out
    rows = flagged(out)
    assert out.startswith("forged\n")  # an error of the checker's code there is shown, and fails every row
    assert len(rows) == 3 and all("FAIL: micrograd check itself failed in your file's process: forged" in row
                                  for row in rows), out
    status, out = check(write(tmp_path, "mine.py", source.replace('\\n{"error": "forged"}', "")), capsys)
    assert status == 1 and "Traceback" not in out
    rows = flagged(out)
    assert len(rows) == 3 and all("FAIL: the answers written down in your file's process are unreadable" in row
                                  for row in rows), out


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")  # a killed process nobody has reaped yet is a zombie: dead
    return not (stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z")


def test_what_the_file_prints_comes_before_the_report(tmp_path, capsys, child_process):
    solution = (SOLUTIONS / "chain_rule.py").read_text()
    source = solution.replace("def df_dx(x):\n", "print('loading')\n\n\ndef df_dx(x):\n    print('x is', x)\n")
    assert source != solution
    status, out = check(write(tmp_path, "mine.py", source), capsys)
    assert status == 0, out
    assert out.startswith("loading\nx is 0.3\nx is 1.7\nx is -2.2\nchain_rule: ")


def test_a_flood_of_prints_is_cut_short(tmp_path, capsys, child_process):
    source = 'EXERCISE = "chain_rule"\nfor i in range(100_000):\n    print(i)\ndef df_dx(x):\n    return 0.0\n'
    status, out = check(write(tmp_path, "mine.py", source), capsys)
    assert status == 1
    assert out.startswith("0\n1\n2\n") and re.search(r"\n\.\.\. \(\d+ more bytes of output not shown\)\n", out)
    assert len(out) < 25_000 and "0 of 3 checks passed." in out


def test_input_fails_at_once_instead_of_waiting(tmp_path, capsys, child_process):
    source = 'EXERCISE = "chain_rule"\ndef df_dx(x):\n    return float(input("x? "))\n'
    status, out = check(write(tmp_path, "mine.py", source), capsys)
    assert status == 1
    assert len(flagged(out)) == 3 and "FAIL: df_dx raised EOFError: EOF when reading a line (line 3)" in out


@pytest.mark.parametrize("name", ["numerical_derivative", "xor_factor_two", "custom_op", "softmax_nll"])
def test_solutions_pass_in_a_process_of_their_own(name, capsys, child_process):
    # functions, arrays, Values and derivatives cross between the processes
    status, out = check(SOLUTIONS / f"{name}.py", capsys)
    assert status == 0, out


@pytest.mark.parametrize("timeout", ["0", "-1", "inf", "nan"])
def test_a_bad_time_limit_is_a_usage_error(tmp_path, capsys, timeout):
    status, out = check(SOLUTIONS / "chain_rule.py", capsys, "--timeout", timeout)
    assert status == 2 and out.startswith("micrograd check: error: the time limit must be a number of seconds above 0")


# ---------------------------------------------------------------- calls and answers as data


def test_answers_are_rebuilt_as_plain_objects_with_the_checkers_own_arguments():
    x, other = Value(2.0, "x"), Value(5.0)
    known = values_in(([x, other], {"k": (1, 2.5)}))
    assert known == [x, other]
    answer = {"out": x * other, "same": x, "array": np.arange(6.0).reshape(2, 3), "text": "hi", "n": None,
              "odd": 3 + 4j, ("a", 1): [True, float("inf")]}
    got = decode(json.loads(json.dumps(encode(answer, known))), known)
    assert got["out"].data == 10.0 and got["out"]._op == "*" and got["out"]._prev == (x, other)
    assert got["same"] is x
    assert isinstance(got["array"], np.ndarray) and got["array"].shape == (2, 3) and got["array"][1, 2] == 5.0
    assert (got["text"], got["n"], got[("a", 1)]) == ("hi", None, [True, math.inf])
    assert isinstance(got["odd"], Foreign) and type(got["odd"]).__name__ == "complex" and repr(got["odd"]) == "(3+4j)"


def test_an_answer_cannot_make_the_checker_import_or_run_anything():
    with pytest.raises(ValueError, match="not an encoded object"):
        decode({"function": "os:system"})
    assert decode({"function": "math:sin"}, trusted=True) is math.sin


def test_a_check_that_chooses_its_calls_by_the_answers_is_refused(tmp_path):
    run = checker.Run(tmp_path / "mine.py", [{"call": "f", "args": encode((1.0,), functions=True)}], [])
    with pytest.raises(RuntimeError, match="is not the one planned"):
        run.call("f", 2.0)
