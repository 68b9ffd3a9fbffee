"""Local emulators of the source systems (Dispatch v3 API, FST REST) for tests,
demos and benchmarks. Pure Python: stdlib HTTP server, seeded deterministic data."""
