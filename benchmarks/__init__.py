"""Benchmarks: `make bench` runs every `bench_*.py` module here; each prints ratios
against a baseline measured in the same run (never a timed assertion in tests)."""
