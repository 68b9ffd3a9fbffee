"""Finding or preparing Odoo (18.0, 19.0): source trees, virtualenvs, PostgreSQL, ports, addons."""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import MODULE, REPO

UPSTREAM = "https://github.com/odoo/odoo.git"
#: the series this add-on supports, oldest first
SERIES = (18, 19)
#: where users keep an Odoo source tree, per series (the environment variable first)
CANDIDATES = {
    18: [os.environ.get("ODOO_SRC"), "/opt/odoo", str(Path.home() / "odoo")],
    19: [os.environ.get("ODOO19_SRC"), "/opt/odoo19", str(Path.home() / "odoo19")],
}


def say(msg):
    print(f"[odoo-suite] {msg}", flush=True)


def tree_series(path):
    """The major version of the Odoo source tree at ``path`` (18, 19, ...), or None."""
    release = Path(path) / "odoo" / "release.py"
    if not ((Path(path) / "odoo-bin").is_file() and release.is_file()):
        return None
    match = re.search(r"^version_info = \((\d+), ", release.read_text(), re.M)
    return int(match[1]) if match else None


def find_odoos():
    """``{series: tree}`` of every supported Odoo found where its users keep one; a tree
    of another series than its place says (ODOO_SRC holding a 19.0) counts as its own."""
    found = {}
    for places in CANDIDATES.values():
        for cand in places:
            if not cand:
                continue
            path = Path(cand).expanduser()
            series = tree_series(path)
            if series is None:
                continue
            if series not in SERIES:
                say(f"{path} holds Odoo {series}.0, which this add-on does not support: ignored")
                continue
            found.setdefault(series, path)
    return dict(sorted(found.items()))


def find_odoo(series=None):
    """The tree of ``series`` (18 or 19), or the newest one found when None; else None."""
    found = find_odoos()
    if series is None:
        return found[max(found)] if found else None
    return found.get(int(series))


def venv_python(odoo):
    return odoo / ".venv" / "bin" / "python"


def ensure_venv(odoo):
    """Create ``<odoo>/.venv`` with Odoo's requirements the first time (minutes)."""
    py = venv_python(odoo)
    if py.exists() and subprocess.run([str(py), "-c", "import odoo,psycopg2,phonenumbers,markdown"],
                                      cwd=odoo, capture_output=True).returncode == 0:
        ensure_websocket(py, odoo)
        return py
    say(f"creating the Odoo virtualenv in {odoo / '.venv'} (first time only, a few minutes)")
    missing = [pkg for pkg in ("libpq-dev", "libldap2-dev", "libsasl2-dev")
               if subprocess.run(["dpkg", "-s", pkg], capture_output=True).returncode != 0]
    if missing:
        if os.geteuid() == 0 and shutil.which("apt-get"):
            subprocess.run(["apt-get", "update", "-qq"], check=True)
            subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True)
        else:
            sys.exit(f"Odoo's requirements need: sudo apt-get install {' '.join(missing)}")
    subprocess.run([sys.executable, "-m", "venv", str(odoo / ".venv")], check=True)
    pip = [str(py), "-m", "pip", "install", "-q"]
    # Odoo's pinned cbor2 builds only with setuptools < 81 (no pkg_resources after) and
    # needs setuptools_scm in the same environment when build isolation is off.
    subprocess.run([*pip, "setuptools<81", "setuptools_scm<8", "wheel", "Cython"], check=True)
    subprocess.run([*pip, "--no-build-isolation", "-r", str(odoo / "requirements.txt"),
                    # missing from Odoo's requirements, crm's tests need it
                    "phonenumbers"], check=True)
    subprocess.run([*pip, "-r", str(REPO / "requirements.txt")], check=True)
    ensure_websocket(py, odoo)
    return py


def ensure_websocket(py, odoo):
    """Odoo drives Chromium through websocket-client (the tours), which its requirements
    do not list: without it the browser tests would be skipped."""
    if subprocess.run([str(py), "-c", "import websocket"], cwd=odoo,
                      capture_output=True).returncode != 0:
        say("installing websocket-client into the Odoo virtualenv (Odoo's browser tests)")
        subprocess.run([str(py), "-m", "pip", "install", "-q", "websocket-client"], check=True)


#: the pytest plugin OCA developers run Odoo tests with (the product's brief names it)
PYTEST_ODOO = "pytest-odoo==2.3.0"


def ensure_pytest_odoo(py, odoo):
    """pytest-odoo in the Odoo virtualenv, and the tree importable from anywhere (what
    ``pip install -e`` of the tree gives: a .pth file), as pytest-odoo expects (the test
    command's pytest-odoo step only: demo, bench and pot leave the virtualenv as it is)."""
    probe = "import odoo.release, pytest_odoo"
    if subprocess.run([str(py), "-c", probe], cwd="/", capture_output=True).returncode == 0:
        return
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = subprocess.run([str(py), "-c", purelib], capture_output=True, text=True,
                          check=True).stdout.strip()
    (Path(site) / "odoo-src.pth").write_text(f"{Path(odoo).resolve()}\n")
    if subprocess.run([str(py), "-c", "import pytest_odoo"], cwd="/",
                      capture_output=True).returncode != 0:
        say(f"installing {PYTEST_ODOO} into the Odoo virtualenv")
        subprocess.run([str(py), "-m", "pip", "install", "-q", PYTEST_ODOO], check=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pg_ready(py):
    probe = "import psycopg2; psycopg2.connect(dbname='postgres').close()"
    return subprocess.run([str(py), "-c", probe], capture_output=True).returncode == 0


def addons_dir():
    """A folder holding a link named after the module to this checkout, whatever its name."""
    tmp = Path(tempfile.mkdtemp(prefix="fsm_addons_"))
    (tmp / MODULE).symlink_to(REPO)
    return tmp



def get_odoo_for_demo(series=None):
    """The tree of ``series`` (the newest found when None); when there is none, a shallow
    clone of upstream's branch (18.0 when no series was asked for)."""
    odoo = find_odoo(series)
    if odoo:
        return odoo
    series = int(series or 18)
    target = Path(CANDIDATES[series][0] or CANDIDATES[series][2])
    say(f"no Odoo {series}.0 found: cloning upstream {series}.0 into {target} (shallow)")
    proc = subprocess.run(["git", "clone", "--depth", "1", "--branch", f"{series}.0", UPSTREAM,
                           str(target)])
    if proc.returncode != 0:
        sys.exit(f"Could not clone Odoo {series}.0 (offline?). Put an Odoo {series}.0 source "
                 f"tree at {CANDIDATES[series][1]}, then run make demo again.")
    return target


def ensure_postgres(py):
    if pg_ready(py):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say("no PostgreSQL answers: installing and starting Debian's")
        subprocess.run(["apt-get", "install", "-y", "-qq", "postgresql"], check=True)
        subprocess.run("pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
                       shell=True, check=False)
        subprocess.run(["su", "postgres", "-c", "createuser -s root"], check=False)
        if pg_ready(py):
            return
    sys.exit("PostgreSQL does not answer. Run: sudo apt-get install postgresql && "
             "sudo -u postgres createuser -s $USER, then make demo again.")



def wait_for_port(port, proc, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"the demo emulator exited (is port {port} taken?)")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"the demo emulator did not listen on {port} within {seconds} s")
