"""The command line: python -m micrograd ..."""

from __future__ import annotations

from support import run_cli

import micrograd
from micrograd.cli import main


def test_version():
    r = run_cli("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"micrograd {micrograd.__version__}"


def test_help_lists_the_commands():
    r = run_cli("--help")
    assert r.returncode == 0 and "usage: micrograd" in r.stdout


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "usage: micrograd" in capsys.readouterr().out


def test_unknown_command_is_a_usage_error():
    r = run_cli("frobnicate")
    assert r.returncode == 2 and "invalid choice" in r.stderr


def test_ci_runs_exactly_the_readme_quickstart_commands():
    """CI must install and test the way README tells a newcomer to."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    readme = root.joinpath("README.md").read_text()
    quickstart = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    commands = [b.strip() for b in re.findall(r"```bash\n(.*?)```", quickstart, re.S)]
    assert len(commands) == 2, "README's quickstart shows exactly two commands"
    ci = root.joinpath(".ci", "run").read_text()
    install = commands[0].split("&& pip install", 1)[1]  # the venv is made by CI itself
    assert "pip install" + install in ci
    assert commands[1] in ci.splitlines()
