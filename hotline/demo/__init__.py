"""The demo province: deterministic, realistic data for trying the system and for benchmarks."""
