"""Benchmark: full pull of every Dispatch object from the local emulator.

    python -m bench.pull_dispatch --scale 100

Starts ``emulators.dispatch`` in a child process (so that the server does not share
the benchmark's interpreter lock), then pulls everything twice - sequentially, and
with concurrent pages and concurrent per-job contact calls - and prints records/s.
The emulator is one Python process, so without ``--latency`` the concurrent run is
bounded by its CPU; ``--latency 0.02`` shows what concurrency buys over a real network.
"""

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from services.dispatch_client import DispatchSource  # noqa: E402 (after the path set-up)


def start_emulator(scale, seed, latency):
    """Start the emulator on a free port; return ``(process, base_url)``."""
    process = subprocess.Popen(
        [sys.executable, "-m", "emulators.dispatch", "--port", "0", "--scale", str(scale),
         "--seed", str(seed), "--fault-slow-rate", "1" if latency else "0",
         "--fault-slow-seconds", str(latency)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    match = re.search(r"serving on (\S+)", line)
    if not match:
        process.kill()
        raise SystemExit(f"emulator did not start: {line!r}")
    return process, match.group(1)


def full_pull(url, *, fetch_concurrency, max_workers):
    """Pull every object; return ``({object: (records, seconds)}, total seconds)``."""
    source = DispatchSource(url, client_id="emulator-client", client_secret="emulator-secret",
                            fetch_concurrency=fetch_concurrency, max_workers=max_workers)
    timings = {}
    started = time.perf_counter()
    for obj in source.list_objects():
        begun = time.perf_counter()
        count = sum(len(page) for page in source.iter_pages(obj))
        timings[obj] = (count, time.perf_counter() - begun)
    elapsed = time.perf_counter() - started
    source.close()
    return timings, elapsed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--concurrency", type=int, default=8,
                        help="pages of one object and job-contact calls in flight")
    parser.add_argument("--latency", type=float, default=0.0,
                        help="seconds the emulator waits before each answer (network-like)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    process, url = start_emulator(args.scale, args.seed, args.latency)
    print(f"emulator scale {args.scale:g} ready at {url} "
          f"in {time.perf_counter() - started:.1f}s", flush=True)
    try:
        runs = {
            "sequential": full_pull(url, fetch_concurrency=1, max_workers=1),
            f"concurrent x{args.concurrency}": full_pull(
                url, fetch_concurrency=args.concurrency, max_workers=args.concurrency),
        }
    finally:
        process.terminate()
        process.wait(timeout=10)
    names = list(runs)
    print(f"{'object':<18}" + "".join(f"{name:>26}" for name in names))
    for obj in next(iter(runs.values()))[0]:
        cells = []
        for name in names:
            count, seconds = runs[name][0][obj]
            cells.append(f"{count:>8} in {seconds:6.2f}s {count / seconds:>7.0f}/s")
        print(f"{obj:<18}" + "".join(f"{cell:>26}" for cell in cells))
    for name in names:
        timings, elapsed = runs[name]
        total = sum(count for count, _ in timings.values())
        print(f"{name:<18} {total} records in {elapsed:.1f}s = {total / elapsed:.0f} records/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
