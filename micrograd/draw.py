"""Placeholder for the `draw` command; replaced by the real implementation."""

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("draw", help="draw a computation graph to a file")
    p.set_defaults(func=lambda args: print("not implemented yet") or 2)
