"""The floor: our graph with nothing but the graph (see ``engine.py``); benchmarks/floor.py runs it."""
