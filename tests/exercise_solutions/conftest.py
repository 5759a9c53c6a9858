# Worked solutions are data for tests/test_exercises.py, run through `micrograd check`;
# they are not test modules, so pytest (and its --doctest-modules) does not import them.
collect_ignore_glob = ["*.py"]
