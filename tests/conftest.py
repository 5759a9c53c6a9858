"""Settings and fixtures for every test module: hypothesis profiles, which renderer drawings use."""

import os

import pytest
from hypothesis import settings

from micrograd import viz

# Property tests run a fixed, moderate number of examples so the suite stays fast
# and deterministic in CI; raise it locally with HYPOTHESIS_PROFILE=thorough.
settings.register_profile("default", max_examples=60, deadline=None, derandomize=True)
settings.register_profile("thorough", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def pure(monkeypatch) -> str:
    """Render through graphviz-pure even if Graphviz's dot is installed (the path a fresh venv takes)."""
    monkeypatch.setattr(viz, "RENDERERS", ("graphviz-pure",))
    exe = viz.find_renderer()
    if exe is None:
        pytest.skip("graphviz-pure is not installed; pip install -e '.[dev]' installs it")
    return exe


@pytest.fixture
def no_renderer(monkeypatch) -> None:
    """No renderer to be found: drawings are built but not rendered."""
    monkeypatch.setattr(viz, "RENDERERS", ("micrograd-test-no-such-renderer",))
    assert viz.find_renderer() is None
