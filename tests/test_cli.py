"""The command line: python -m micrograd ..."""

from __future__ import annotations

import subprocess
import sys

import micrograd
from micrograd.cli import main


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "micrograd", *args], capture_output=True, text=True, timeout=120)


def test_version():
    r = run("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"micrograd {micrograd.__version__}"


def test_help_lists_the_commands():
    r = run("--help")
    assert r.returncode == 0 and "usage: micrograd" in r.stdout


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "usage: micrograd" in capsys.readouterr().out


def test_unknown_command_is_a_usage_error():
    r = run("frobnicate")
    assert r.returncode == 2 and "invalid choice" in r.stderr
