"""Benchmarks, run as ``python -m benchmarks NAME [options]`` (``make bench
ARGS="NAME ..."``). Every figure is reported as a ratio against a baseline
measured in the same run, so machines can be compared."""
