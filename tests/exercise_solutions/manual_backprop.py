"""Worked solution of docs/exercises/manual_backprop.py."""

EXERCISE = "manual_backprop"


def grads(a, b, c, f):
    e = a * b
    d = e + c
    dg = 1.0  # L = g + a
    dd = dg * f  # g = d * f
    df = dg * d
    de = dd  # d = e + c
    dc = dd
    da = de * b + 1.0  # through e = a * b, plus the direct path L = g + a
    db = de * a
    return {"g": dg, "d": dd, "f": df, "e": de, "c": dc, "a": da, "b": db}
