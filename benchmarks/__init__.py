"""Benchmarks: `studybot bench` runs them and writes the report (see benchmarks/README.md)."""
