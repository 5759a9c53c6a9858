"""The tutorials' small data tables, XOR, and a two-moons generator. Nothing is downloaded.

The tables are plain Python lists of floats, ready to feed to a model;
`make_moons` returns numpy arrays like scikit-learn's, so Karpathy's demo code
(``y = y*2 - 1``) runs unchanged.
"""

from __future__ import annotations

import numpy as np

__all__ = ["gender", "gender_to_predict", "xor", "exam_scores", "exam_query", "make_moons"]

# name: (weight in lb, height in in, 1 = F / 0 = M)
_GENDER = {"Alice": (133, 65, 1), "Bob": (160, 72, 0), "Charlie": (152, 70, 0), "Diana": (120, 60, 1)}
_GENDER_QUERY = {"Emily": (128, 63), "Frank": (155, 68)}
_SHIFT = (135, 66)


def _shift(row: tuple[float, ...], shifted: bool) -> list[float]:
    return [float(v - s) if shifted else float(v) for v, s in zip(row, _SHIFT)]


def gender(shifted: bool = True) -> tuple[list[list[float]], list[float], list[str]]:
    """The gender tutorial's table: ``(X, y, names)``; X is [weight, height], y is 1 for F, 0 for M.

    With ``shifted=True`` (the tutorial's form) weight is minus 135 lb and height minus 66 in.

    >>> X, y, names = gender()
    >>> X[0], y[0], names[0]
    ([-2.0, -1.0], 1.0, 'Alice')
    """
    names = list(_GENDER)
    return [_shift(_GENDER[n][:2], shifted) for n in names], [float(_GENDER[n][2]) for n in names], names


def gender_to_predict(shifted: bool = True) -> dict[str, list[float]]:
    """The two people the tutorial predicts: ``{'Emily': [-7.0, -3.0], 'Frank': [20.0, 2.0]}``."""
    return {n: _shift(row, shifted) for n, row in _GENDER_QUERY.items()}


def xor() -> tuple[list[list[float]], list[float]]:
    """XOR truth table: ``X = [[0,0],[0,1],[1,0],[1,1]]``, ``y = [0,1,1,0]``."""
    return [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0.0, 1.0, 1.0, 0.0]


_EXAM_X = [[2.0, 9.0], [1.0, 5.0], [3.0, 6.0]]
_EXAM_Y = [92.0, 86.0, 89.0]


def exam_scores(scaled: bool = True) -> tuple[list[list[float]], list[float]]:
    """Hours (studied, slept) -> test score, from the exam tutorial.

    ``scaled=True`` scales as the tutorial does: X by its column maxima, y by 100.

    >>> exam_scores()[1]
    [0.92, 0.86, 0.89]
    """
    if not scaled:
        return [row[:] for row in _EXAM_X], _EXAM_Y[:]
    col_max = [max(col) for col in zip(*_EXAM_X)]
    return [[v / m for v, m in zip(row, col_max)] for row in _EXAM_X], [v / 100 for v in _EXAM_Y]


def exam_query(scaled: bool = True) -> list[float]:
    """The input to predict, [4, 8]; scaled by its own maximum as the tutorial does: [0.5, 1.0]."""
    q = [4.0, 8.0]
    return [v / max(q) for v in q] if scaled else q


def make_moons(
    n: int | None = None,
    noise: float = 0.1,
    seed: int | None = None,
    *,
    n_samples: int | None = None,
    random_state: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: ``X`` of shape (n, 2) (n = 100 by default) and labels ``y`` in {0, 1}.

    Same construction as scikit-learn's ``make_moons`` (outer moon label 0, inner
    moon label 1, Gaussian ``noise``, shuffled), but its own random stream: the
    points are reproducible with ``seed``, not identical to scikit-learn's. Without
    a seed the global ``np.random`` state is used, so ``np.random.seed(...)`` fixes
    the data too. scikit-learn's keyword names ``n_samples`` and ``random_state``
    are accepted, so Karpathy's demo call ``make_moons(n_samples=100, noise=0.1)``
    runs unchanged.

    >>> X, y = make_moons(100, noise=0.1, seed=1337)
    >>> X.shape, sorted(set(y.tolist()))
    ((100, 2), [0, 1])
    """
    if n_samples is not None and n is not None:
        raise TypeError(f"give n or n_samples (scikit-learn's name for it), not both: got {n} and {n_samples}")
    if random_state is not None and seed is not None:
        raise TypeError(f"give seed or random_state (scikit-learn's name for it), not both: got {seed} and "
                        f"{random_state}")
    n = 100 if n is None and n_samples is None else n if n_samples is None else n_samples
    seed = seed if random_state is None else random_state
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an int >= 2, got {n!r}")
    if isinstance(noise, bool) or not isinstance(noise, (int, float, np.integer, np.floating)):
        raise TypeError(f"noise must be a number (the standard deviation of the noise), got {type(noise).__name__}")
    if not 0 <= noise < np.inf:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
        raise TypeError(f"seed must be an int (or None for numpy's global random state), got {seed!r}")
    rng = np.random if seed is None else np.random.default_rng(seed)
    n_out = n // 2
    n_in = n - n_out
    t_out = np.linspace(0, np.pi, n_out)
    t_in = np.linspace(0, np.pi, n_in)
    X = np.concatenate([
        np.stack([np.cos(t_out), np.sin(t_out)], axis=1),
        np.stack([1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5], axis=1),
    ])
    y = np.concatenate([np.zeros(n_out, dtype=np.int64), np.ones(n_in, dtype=np.int64)])
    X = X + rng.normal(scale=noise, size=X.shape)
    order = rng.permutation(n)
    return X[order], y[order]
