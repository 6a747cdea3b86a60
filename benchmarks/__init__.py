"""Benchmarks against the project's speed and memory targets (benchmarks/README.md).

Run: python -m benchmarks.run
"""
