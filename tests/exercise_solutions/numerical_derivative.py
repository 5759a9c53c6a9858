"""Worked solution of docs/exercises/numerical_derivative.py."""

EXERCISE = "numerical_derivative"


def derivative(f, x, h=1e-4):
    return (f(x + h) - f(x - h)) / (2 * h)


def forward_derivative(f, x, h=1e-4):
    return (f(x + h) - f(x)) / h
