import os

from hypothesis import settings

# Property tests run a fixed, moderate number of examples so the suite stays fast
# and deterministic in CI; raise it locally with HYPOTHESIS_PROFILE=thorough.
settings.register_profile("default", max_examples=60, deadline=None, derandomize=True)
settings.register_profile("thorough", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
