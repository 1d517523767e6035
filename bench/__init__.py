"""Benchmarks for Couplet's delivery engine: ``python -m bench.delivery``."""
