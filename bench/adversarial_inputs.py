"""Benchmark: time and peak memory of the bundle reader and the attachment stream on
adversarial inputs (issue 14). Not a timed test: it prints one line per case.

    python -m bench.adversarial_inputs [--quick]

Each case runs in a fresh child process so that its peak RSS (``ru_maxrss``, the
interpreter's own ~35 MB included) is its own; the input is generated first (its RSS
counts, its time does not). Only 127.0.0.1 is contacted (the gzip bomb is served by a
local ``http.server``).

The generators are also used by ``tests/unit/test_bundle_bounds.py``.
"""

import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MB = 1024 * 1024
#: when the measured part of a case starts (after its input is generated)
STARTED = [0.0]
HEADER = b"customer_id,name\n"


def zip_with_duplicate_headers(path, columns):
    """customers.csv whose header repeats ``name`` ``columns`` times, and one row."""
    header = "customer_id," + ",".join(["name"] * columns) + "\n"
    row = "C1," + ",".join(["x"] * columns) + "\n"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("customers.csv", header + row)
    return path


def zip_with_wide_header(path, columns):
    """customers.csv with ``columns`` distinct unknown columns."""
    header = "customer_id," + ",".join(f"c{i}" for i in range(columns)) + "\n"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("customers.csv", header + "C1" + "," * columns + "\n")
    return path


def zip_with_long_line(path, line_bytes, *, real_crc=True):
    """customers.csv: a header, then one line of ``line_bytes`` ``a``, written by hand
    as one deflate member in about ``line_bytes / 1000`` bytes (a repeated 1 MB deflate
    block: with a window full of ``a`` every block compresses to the same bytes).

    ``real_crc=False`` writes a wrong CRC (cheap): a reader that does not stop at its
    line limit then fails on the CRC instead, with another reason.
    """
    block = b"a" * MB
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(HEADER + block) + compressor.flush(zlib.Z_SYNC_FLUSH)
    repeated = compressor.compress(block) + compressor.flush(zlib.Z_SYNC_FLUSH)
    blocks = max(line_bytes // MB, 1)
    tail = compressor.compress(b"\n") + compressor.flush()
    size = len(HEADER) + blocks * MB + 1
    crc = 0
    if real_crc:
        crc = zlib.crc32(HEADER)
        for _ in range(blocks):
            crc = zlib.crc32(block, crc)
        crc = zlib.crc32(b"\n", crc)
    compressed = len(head) + (blocks - 1) * len(repeated) + len(tail)
    name = b"customers.csv"
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, compressed,
                        size, len(name), 0) + name
    with open(path, "wb") as out:
        out.write(local)
        out.write(head)
        for _ in range(blocks - 1):
            out.write(repeated)
        out.write(tail)
        central_at = out.tell()
        central = struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21,
                              crc, compressed, size, len(name), 0, 0, 0, 0, 0o100644 << 16,
                              0) + name
        out.write(central)
        out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(central),
                              central_at, 0))
    return path


def zip_with_false_size(path, actual_rows, declared_bytes):
    """customers.csv whose zip entry declares ``declared_bytes`` (local header and
    central directory both patched) but holds ``actual_rows`` rows."""
    body = HEADER + b"".join(b"C%d,name %d\n" % (i, i) for i in range(actual_rows))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("customers.csv", body)
    raw = bytearray(Path(path).read_bytes())
    local = raw.index(b"PK\x03\x04")
    struct.pack_into("<I", raw, local + 22, declared_bytes)
    central = raw.index(b"PK\x01\x02")
    struct.pack_into("<I", raw, central + 24, declared_bytes)
    Path(path).write_bytes(bytes(raw))
    return path, len(body)


def zip_with_many_ids(path, rows):
    """customers.csv with ``rows`` distinct ids (the seen-id set's size)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("customers.csv", "w") as member:
            member.write(HEADER)
            for start in range(0, rows, 10000):
                member.write(b"".join(b"C%d,n\n" % i for i in range(start,
                                                                   min(rows, start + 10000))))
    return path


def gzip_bomb(decoded_bytes):
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(MB)
    parts = [compressor.compress(block) for _ in range(decoded_bytes // MB)]
    return b"".join(parts) + compressor.flush()


# -- the cases ------------------------------------------------------------------------------

def read_bundle(path, **options):
    from services.fst_bundle import FstBundleSource

    source = FstBundleSource(path, **options)
    STARTED[0] = time.perf_counter()
    rows = sum(len(page) for page in source.iter_pages("customers"))
    reasons = [i.reason for i in source.issues]
    source.close()
    return {"rows": rows, "issues": len(reasons), "notices": len(source.notices),
            "reason": (reasons[0][:110] if reasons else "")}


def case_duplicate_headers(tmp, columns, raise_limit):
    path = zip_with_duplicate_headers(os.path.join(tmp, "dup.zip"), columns)
    options = {"max_columns": columns + 10, "max_line_delimiters": 4 * columns} \
        if raise_limit else {}
    return read_bundle(path, **options)


def case_wide_header(tmp, columns):
    return read_bundle(zip_with_wide_header(os.path.join(tmp, "wide.zip"), columns))


def case_long_line(tmp, line_bytes, max_ratio):
    path = zip_with_long_line(os.path.join(tmp, "line.zip"), line_bytes)
    result = read_bundle(path, **({} if max_ratio is None else {"max_ratio": max_ratio}))
    result["zip_bytes"] = os.path.getsize(path)
    return result


def case_false_size(tmp, declared):
    path, _ = zip_with_false_size(os.path.join(tmp, "false.zip"), 200_000, declared)
    return read_bundle(path)


def case_many_ids(tmp, rows):
    return read_bundle(zip_with_many_ids(os.path.join(tmp, "ids.zip"), rows))


def case_gzip_bomb(_tmp, decoded):
    import http.server
    import threading

    from services.errors import SourceTooLarge
    from services.http_client import HttpClient

    bomb = gzip_bomb(decoded)
    STARTED[0] = time.perf_counter()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(bomb)))
            self.end_headers()
            try:
                self.wfile.write(bomb)
            except (BrokenPipeError, ConnectionResetError):
                pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = HttpClient(f"http://127.0.0.1:{server.server_address[1]}", max_retries=0)
        _, stream = client.open_stream("/file")
        read = 0
        try:
            while chunk := stream.read(MB):
                read += len(chunk)
            reason = "not stopped"
        except SourceTooLarge as exc:
            reason = str(exc)[-90:]
        return {"bomb_bytes": len(bomb), "decoded_read": read, "reason": reason}
    finally:
        server.shutdown()


def cases(quick):
    scale = 10 if quick else 1
    return [
        ("duplicate headers 20k (limit raised)", case_duplicate_headers, (20_000, True)),
        ("duplicate headers 100k (limit raised)", case_duplicate_headers, (100_000, True)),
        ("duplicate headers 20k (default limits)", case_duplicate_headers, (20_000, False)),
        ("wide header 1M columns", case_wide_header, (1_000_000 // scale,)),
        ("1 GB line in a ~1 MB zip (default: ratio)", case_long_line, (1024 * MB // scale, None)),
        ("1 GB line, ratio limit off (line limit)", case_long_line, (1024 * MB // scale, 0)),
        ("zip declaring 1 MB, holding ~3 MB", case_false_size, (1 * MB,)),
        ("zip declaring 50 MB, holding ~3 MB", case_false_size, (50 * MB,)),
        ("1M distinct ids (seen-id set spills)", case_many_ids, (1_000_000 // scale,)),
        ("gzip bomb 1 GB decoded (25 MB cap)", case_gzip_bomb, (1024 * MB // scale,)),
    ]


def run_one(index, quick):
    import resource

    name, function, args = cases(quick)[index]
    with tempfile.TemporaryDirectory() as tmp:
        result = function(tmp, *args)
        seconds = time.perf_counter() - STARTED[0]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"case": name, "seconds": round(seconds, 3), "max_rss_mb": round(rss, 1),
                      **result}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="inputs 10 times smaller")
    parser.add_argument("--case", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.case is not None:
        run_one(options.case, options.quick)
        return
    print("seconds: reading only (input generated before); max RSS: the child's peak")
    for index, (name, _, _) in enumerate(cases(options.quick)):
        command = [sys.executable, "-m", "bench.adversarial_inputs", "--case", str(index)]
        if options.quick:
            command.append("--quick")
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        line = done.stdout.strip().splitlines()[-1:] or [done.stderr.strip()[-300:]]
        try:
            data = json.loads(line[0])
        except ValueError:
            print(f"{name}: failed: {line[0]}")
            continue
        extra = {k: v for k, v in data.items()
                 if k not in ("case", "seconds", "max_rss_mb")}
        print(f"{name:42} {data['seconds']:6.2f} s  max RSS {data['max_rss_mb']:6.1f} MB  "
              f"{json.dumps(extra)}")


if __name__ == "__main__":
    main()
