"""A small threaded HTTP server shared by the local source emulators.

An emulator is a *router*: ``router(method, path, query, headers, body)`` returns
``(status, headers, body)`` where ``body`` is ``bytes`` or a JSON-able ``dict``/``list``.
:class:`EmulatorServer` serves it on 127.0.0.1 and injects faults *before* routing, on a
seeded random draw:

* ``rate_429`` - 429 with a ``Retry-After`` header (``retry_after_seconds``);
* ``rate_429_no_retry_after`` - 429 without it;
* ``rate_5xx`` - 500 or 503;
* ``drop_rate`` - the socket is closed without any answer;
* ``slow_rate`` / ``slow_seconds`` - the answer is delayed (independent draw);
* ``malformed_rate`` - not applied here: emulators damage records themselves, keyed by
  record id (see :func:`record_is_malformed`) so the damage is stable across pulls.

A router with a ``faults`` attribute shares that :class:`FaultConfig` with the server.
Paths under ``/_admin/`` are never subject to faults. ``GET /_admin/faults`` shows the
knobs, ``POST /_admin/faults`` with a JSON object changes some of them at run time;
other ``/_admin/`` paths go to the router.
"""

import argparse
import dataclasses
import json
import logging
import random
import socket
import threading
import time
import zlib
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

_logger = logging.getLogger(__name__)

ADMIN_PREFIX = "/_admin/"
#: how often the serving thread checks for stop(); short so that tests tear down fast
POLL_INTERVAL = 0.05


@dataclass
class FaultConfig:
    """Fault knobs, all rates in [0, 1]. Mutable while the server runs."""

    rate_429: float = 0
    rate_429_no_retry_after: float = 0
    rate_5xx: float = 0
    slow_rate: float = 0
    slow_seconds: float = 0.0
    drop_rate: float = 0
    malformed_rate: float = 0
    seed: int = 0
    retry_after_seconds: int = 1

    def update(self, values):
        """Set the knobs named in ``values``; unknown names raise ``ValueError``."""
        names = {f.name: f.type for f in dataclasses.fields(self)}
        unknown = set(values) - set(names)
        if unknown:
            raise ValueError(f"unknown fault knobs: {', '.join(sorted(unknown))}")
        for name, value in values.items():
            setattr(self, name, int(value) if names[name] is int else float(value))


def record_is_malformed(faults, key):
    """True for a stable share ``faults.malformed_rate`` of record keys (by seed)."""
    if faults.malformed_rate <= 0:
        return False
    draw = zlib.crc32(f"{faults.seed}:{key}".encode()) / 0xFFFFFFFF
    return draw < faults.malformed_rate


def json_body(payload):
    """Encode a JSON answer body (compact, UTF-8)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


class _Handler(BaseHTTPRequestHandler):
    """Reads a request, applies faults, calls the router, writes the answer."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes
    server_version = "FSMEmulator/1.0"
    emulator = None  # set on the per-server subclass

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_PUT(self):
        self._handle("PUT")

    def do_PATCH(self):
        self._handle("PATCH")

    def do_DELETE(self):
        self._handle("DELETE")

    def log_message(self, format, *args):
        _logger.debug("%s - %s", self.address_string(), format % args)

    def _handle(self, method):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        headers = {k.lower(): v for k, v in self.headers.items()}
        emulator = self.emulator
        if parts.path.startswith(ADMIN_PREFIX):
            if parts.path == ADMIN_PREFIX + "faults":
                self._send(*emulator.admin_faults(method, body))
            else:
                self._send(*emulator.route(method, parts.path, query, headers, body))
            return
        fault = emulator.draw_fault()
        if fault == "drop":
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if fault == "slow":
            time.sleep(emulator.faults.slow_seconds)
        elif fault is not None:
            self._send(*fault)
            return
        self._send(*emulator.route(method, parts.path, query, headers, body))

    def _send(self, status, headers, body):
        if isinstance(body, (dict, list)):
            body = json_body(body)
            headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        elif isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, str(value))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class EmulatorServer:
    """A router served over HTTP on 127.0.0.1, with injectable faults."""

    def __init__(self, router, port=0, faults=None):
        self.router = router
        # a router that reads faults itself (``malformed_rate``) shares its FaultConfig
        self.faults = faults or getattr(router, "faults", None) or FaultConfig()
        self._rng = random.Random(self.faults.seed)
        self._lock = threading.Lock()
        handler = type("EmulatorHandler", (_Handler,), {"emulator": self})
        self._httpd = _Server(("127.0.0.1", port), handler)
        self._thread = None

    @property
    def url(self):
        """Base URL, e.g. ``http://127.0.0.1:54321``."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        """Serve in a background daemon thread; return ``self``."""
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": POLL_INTERVAL},
            name=f"emulator-{self.url}",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self):
        """Serve in the calling thread until interrupted."""
        try:
            self._httpd.serve_forever()
        finally:
            self._httpd.server_close()

    def stop(self):
        """Stop serving and release the port. Idempotent."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def set_faults(self, **values):
        """Change fault knobs in-process (same as ``POST /_admin/faults``)."""
        with self._lock:
            self.faults.update(values)
            if "seed" in values:
                self._rng.seed(self.faults.seed)

    def draw_fault(self):
        """Pick the fault for one request: None, "drop", "slow" or a ready answer."""
        f = self.faults
        with self._lock:
            draw = self._rng.random()
            slow_draw = self._rng.random()
            status_draw = self._rng.random()
        threshold = f.drop_rate
        if draw < threshold:
            return "drop"
        threshold += f.rate_429
        if draw < threshold:
            return 429, {"Retry-After": f.retry_after_seconds}, {"errors": "Too Many Requests"}
        threshold += f.rate_429_no_retry_after
        if draw < threshold:
            return 429, {}, {"errors": "Too Many Requests"}
        threshold += f.rate_5xx
        if draw < threshold:
            status = 500 if status_draw < 0.5 else 503
            return status, {}, {"errors": "Internal Server Error" if status == 500
                                else "Service Unavailable"}
        if slow_draw < f.slow_rate:
            return "slow"
        return None

    def admin_faults(self, method, body):
        """``GET``/``POST /_admin/faults``: show or change the knobs."""
        if method == "POST":
            try:
                values = json.loads(body or b"{}")
                if not isinstance(values, dict):
                    raise TypeError("a JSON object is expected")
                self.set_faults(**values)
            except (ValueError, TypeError) as exc:
                return 422, {}, {"errors": str(exc)}
        elif method != "GET":
            return 405, {}, {"errors": "GET or POST"}
        return 200, {}, dataclasses.asdict(self.faults)

    def route(self, method, path, query, headers, body):
        """Call the router; an exception becomes a 500 (and is logged)."""
        try:
            return self.router(method, path, query, headers, body)
        except Exception:  # the emulator must answer whatever the router does
            _logger.exception("router failed on %s %s", method, path)
            return 500, {}, {"errors": "emulator router failed"}


def add_fault_arguments(parser):
    """Add ``--fault-*`` options for every :class:`FaultConfig` knob to ``parser``."""
    for field in dataclasses.fields(FaultConfig):
        if field.name == "seed":
            continue
        flag = "--fault-" + field.name.replace("_", "-")
        parser.add_argument(flag, dest=f"fault_{field.name}", type=field.type,
                            default=field.default, help=f"fault knob {field.name}")


def faults_from_args(args):
    """Build a :class:`FaultConfig` from parsed ``--fault-*`` options and ``--seed``."""
    values = {
        field.name: getattr(args, f"fault_{field.name}")
        for field in dataclasses.fields(FaultConfig)
        if field.name != "seed"
    }
    return FaultConfig(seed=args.seed, **values)


def main(make_router, argv=None, *, description="", add_arguments=None):
    """Command-line entry shared by the emulators.

    ``make_router(args, faults)`` builds the router from the parsed options (``--port``,
    ``--scale``, ``--seed``, ``--fault-*`` and whatever ``add_arguments(parser)`` adds).
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--scale", type=float, default=1, help="1 is about 1,000 records")
    parser.add_argument("--seed", type=int, default=0)
    add_fault_arguments(parser)
    if add_arguments:
        add_arguments(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    faults = faults_from_args(args)
    server = EmulatorServer(make_router(args, faults), port=args.port, faults=faults)
    print(f"serving on {server.url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0
