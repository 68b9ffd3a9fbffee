"""Reading Odoo's output: the module's own warnings, test counts, failure excerpts, .pot terms."""

import re

from . import MODULE

LOG_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>WARNING|ERROR|CRITICAL) "
    r"\S+ (?P<logger>[\w.]+): (?P<msg>.*)$")
RESULT_LINE = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests")


def strip_hidden(text):
    """Odoo's export walks the whole module folder, hidden ones included (a local .venv
    holds isort's and others' strings): keep the terms found in the module's own files."""
    blocks = []
    for block in text.split("\n\n"):
        lines = block.splitlines()
        refs = [line for line in lines if line.startswith("#: ")]
        keep = [line for line in refs if "/." not in line.split(":", 2)[-1]]
        if refs and not keep:
            continue
        blocks.append("\n".join(line for line in lines
                                 if not line.startswith("#: ") or line in keep))
    return "\n\n".join(blocks).rstrip("\n") + "\n"


def pot_msgids(text):
    """The msgids of a .po/.pot file (continuation lines joined), header excluded."""
    ids, current, inside = set(), None, False
    for line in text.splitlines():
        if line.startswith("msgid "):
            current, inside = [line[6:].strip()[1:-1]], True
        elif inside and line.startswith('"'):
            current.append(line.strip()[1:-1])
        else:
            if inside and current is not None and "".join(current):
                ids.add("".join(current))
            inside = False
    if inside and current and "".join(current):
        ids.add("".join(current))
    return ids



def module_warnings(text):
    """WARNING/ERROR lines that come from this module (its tests' own loggers excepted)."""
    found = []
    for line in text.splitlines():
        match = LOG_LINE.match(line)
        if not match:
            continue
        logger, msg = match["logger"], match["msg"]
        if ".tests" in logger or logger.startswith("odoo.tests"):
            continue
        if logger.startswith(f"odoo.addons.{MODULE}") or MODULE in msg:
            found.append(line)
    return found


def failure_excerpt(text, limit=60):
    lines = text.splitlines()
    keep = [i for i, line in enumerate(lines)
            if " ERROR " in line or " CRITICAL " in line or "Traceback" in line
            or line.startswith(("FAIL", "AssertionError"))]
    out = []
    for i in keep[:8]:
        out.extend(lines[i:i + 12])
    return out[:limit] or lines[-limit:]
