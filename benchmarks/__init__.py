"""Benchmarks against the targets of DESIGN.md ("Targets"). Run: python -m benchmarks.run"""
