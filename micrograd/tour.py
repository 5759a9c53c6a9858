"""Placeholder for the `demo` command; replaced by the real implementation."""

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="run the guided tour or one demo")
    p.set_defaults(func=lambda args: print("not implemented yet") or 2)
