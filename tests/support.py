"""What several test modules share: the rule for optional tools under CI.

Test modules import it as they import `op_registry` (``from support import
require``): pytest puts this folder on the path.
"""

from __future__ import annotations

import os

import pytest

#: CI is set to something other than empty, 0, false or no: optional tools must be there
IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def require(missing: bool, what: str, how: str) -> None:
    """If ``missing``, skip the calling test, saying ``how`` to install ``what``; under CI, fail it instead.

    CI installs every optional tool the tests use (.ci/run), so there a missing
    one is an error in the set-up, not a reason to test less.
    """
    if not missing:
        return
    if IN_CI:
        pytest.fail(f"CI runs these tests, but {what} is missing: {how}", pytrace=False)
    pytest.skip(f"{what} is missing ({how}); CI installs it and runs these tests")
