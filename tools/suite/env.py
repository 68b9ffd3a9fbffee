"""Finding or preparing Odoo 18: its source tree, virtualenv, PostgreSQL, ports, addons dir."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import MODULE, REPO

UPSTREAM = "https://github.com/odoo/odoo.git"
CANDIDATES = [os.environ.get("ODOO_SRC"), "/opt/odoo", str(Path.home() / "odoo")]


def say(msg):
    print(f"[odoo-suite] {msg}", flush=True)


def find_odoo():
    for cand in CANDIDATES:
        if not cand:
            continue
        path = Path(cand).expanduser()
        release = path / "odoo" / "release.py"
        if (path / "odoo-bin").is_file() and release.is_file():
            if "version_info = (18, 0" in release.read_text():
                return path
            say(f"{path} holds an Odoo that is not 18.0: ignored")
    return None


def find_odoo19():
    """An Odoo 19.0 source tree where its users keep one ($ODOO19_SRC, /opt/odoo19,
    ~/odoo19), else None. Found to be reported: the module is not ported to it yet."""
    for cand in (os.environ.get("ODOO19_SRC"), "/opt/odoo19", str(Path.home() / "odoo19")):
        path = Path(cand).expanduser() if cand else None
        release = path / "odoo" / "release.py" if path else None
        if release and release.is_file() and "version_info = (19, 0" in release.read_text():
            return path
    return None


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



def get_odoo_for_demo():
    odoo = find_odoo()
    if odoo:
        return odoo
    target = Path(os.environ.get("ODOO_SRC") or Path.home() / "odoo")
    say(f"no Odoo 18 found: cloning upstream 18.0 into {target} (shallow)")
    proc = subprocess.run(["git", "clone", "--depth", "1", "--branch", "18.0", UPSTREAM,
                           str(target)])
    if proc.returncode != 0:
        sys.exit("Could not clone Odoo 18.0 (offline?). Put an Odoo 18.0 source tree at "
                 "/opt/odoo or point ODOO_SRC at one, then run make demo again.")
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
