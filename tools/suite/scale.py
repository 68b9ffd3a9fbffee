"""Workers on one run compared field by field, and the scale runs on the three emulators."""

import json
import shutil
import subprocess
import time
import urllib.request

from . import REPO
from .env import free_port, say, wait_for_port


class ScaleSteps:
    """Several workers, killed workers, and large runs (mixed into ``OdooRunner``)."""

    def cli_workers(self, db):
        """One bundle, three projects: written by one worker; by two workers at once; by
        a worker killed mid-run then resumed. The three reports must be identical."""
        bundle = self.logdir / "workers_bundle"
        started = time.monotonic()
        subprocess.run([str(self.py), "-m", "emulators.fst_bundle", "--out", str(bundle),
                        "--scale", "1", "--seed", "9"], cwd=REPO, check=True,
                       capture_output=True)
        reports, texts = {}, []

        def stage(name):
            path = self.logdir / f"stage_{name}.json"
            # each project its own copy of the bundle: one source is one project (the same
            # location would be reused, and a second project binds to the first's records)
            copy = self.logdir / f"workers_bundle_{name.replace(' ', '_')}"
            shutil.copytree(bundle, copy)
            rc, text, _t = self._cli(db, "run", "--name", name, "--source", "fst-bundle",
                                     "--path", str(copy), "--allow-any-path", "--confirm-map",
                                     "--no-sample", "--stage-only", "--batch-size", "60",
                                     "--report", str(path),
                                     log=f"stage_{name}")
            texts.append(text)
            if rc:
                raise RuntimeError(f"staging {name} failed")
            return json.loads(path.read_text())

        def finish(name, staged, verb="work"):
            """``work --run`` (reports a run other workers finished), or ``run --project``
            (resumes the project's interrupted run)."""
            path = self.logdir / f"final_{name}.json"
            target = ["--run", str(staged["run_id"])] if verb == "work" else [
                "--project", str(staged["project_id"])]
            rc, text, _t = self._cli(db, verb, *target, "--allow-any-path", "--report",
                                     str(path), log=f"final_{name}")
            texts.append(text)
            if rc:
                raise RuntimeError(f"finishing {name} failed")
            return json.loads(path.read_text())

        try:
            one = stage("one worker")
            reports["one worker"] = finish("one worker", one)
            two = stage("two workers")
            workers = [self._spawn_worker(db, two["run_id"], f"worker_{i}") for i in (1, 2)]
            for proc, out in workers:
                proc.wait(600)
                out.close()
            reports["two workers"] = finish("two workers", two)
            killed = stage("killed worker")
            proc, out = self._spawn_worker(db, killed["run_id"], "worker_killed")
            log = self.logdir / "worker_killed.log"
            deadline = time.monotonic() + 120
            while proc.poll() is None and time.monotonic() < deadline:
                if log.read_text(errors="replace").count("records/s") >= 3:
                    break  # some batches are committed, the next is being written
                time.sleep(0.1)
            proc.kill()
            proc.wait(30)
            out.close()
            reports["killed, resumed"] = finish("killed worker", killed, verb="run")
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            return 1, "\n".join(texts) + f"\nERROR {exc}", time.monotonic() - started

        def outcome(report):
            # the three projects share one database: what the first created (users'
            # employees, service products) the next ones find and bind, so "written"
            # merges created, updated and skipped; failed and blocked must match exactly
            return {obj: {"source": row["source"], "failed": row["failed"],
                          "blocked": row["blocked"],
                          "written": row["created"] + row["updated"] + row["skipped"]}
                    for obj, row in report["objects"].items()}
        names = list(reports)
        rc, text, _t = self.shell(db, f"PROJECTS = {[reports[n]['project_id'] for n in names]}"
                                  + PROJECT_DUMP, log="workers_dump")
        line = next((x for x in text.splitlines() if x.startswith("DUMP ")), None)
        if rc or line is None:
            return 1, "\n".join(texts) + "\n" + text + "\nERROR workers: no field dump", \
                time.monotonic() - started
        dumps = list(json.loads(line[5:]).values())
        fields_compared = sum(len(v) for v in dumps[0].values() if isinstance(v, dict))
        say(f"     workers: {len(dumps[0])} records, {fields_compared} fields compared "
            "(two workers vs killed-then-resumed; the first project by its counts)")
        reference = outcome(reports["one worker"])
        problems = [f"{name}: {outcome(report)} != {reference}"
                    for name, report in reports.items() if outcome(report) != reference]
        problems += [f"{name}: {report['state']}" for name, report in reports.items()
                     if report["state"] != "done"]
        # field by field: the two workers' project against the killed-then-resumed one.
        # The first project of the database is compared by its counts only: it is planned
        # before the others exist, so its map may differ (it creates the stages and users
        # the later ones then find), which is the planning, not the writing
        problems += compare_dumps(dumps[1:], names[1:])
        if not fields_compared:
            problems.append("no field was compared")
        text = "\n".join(texts) + "".join(f"\nERROR workers: {p}" for p in problems)
        return (1 if problems else 0), text, time.monotonic() - started

    def cli_scale(self, db, scale):
        """``fsm_migrate run`` of a scale-``scale`` FST bundle, FST REST emulator and
        Dispatch emulator, and of a Dispatch account shaped otherwise (an endpoint its plan
        gates, 20% of the optional fields absent, an empty object, 2% malformed values):
        every object balances, every written field reads back as the map expects, a
        record fails only for a malformed value of its own, and the same command run
        again reuses the project and writes nothing."""
        started = time.monotonic()
        bundle = self.logdir / f"scale_{db}"
        subprocess.run([str(self.py), "-m", "emulators.fst_bundle", "--out", str(bundle),
                        "--scale", str(scale), "--seed", "10"], cwd=REPO, check=True,
                       capture_output=True)
        port = free_port()
        emulator = subprocess.Popen(  # pylint: disable=consider-using-with
            [str(self.py), "-m", "emulators.dispatch", "--port", str(port), "--scale",
             str(scale), "--seed", "10", "--client-id", "ci", "--client-secret", "ci-secret"],
            cwd=REPO, stdout=subprocess.DEVNULL)
        odd_port = free_port()
        odd = subprocess.Popen(  # pylint: disable=consider-using-with
            [str(self.py), "-m", "emulators.dispatch", "--port", str(odd_port), "--scale",
             str(scale), "--seed", "11", "--client-id", "ci", "--client-secret", "ci-secret",
             "--unreadable", "brands=404", "--empty", "survey_responses",
             "--absent-rate", "0.2", "--malformed-value-rate", "0.02"],
            cwd=REPO, stdout=subprocess.DEVNULL)
        rest_port = free_port()
        rest = subprocess.Popen(  # pylint: disable=consider-using-with
            [str(self.py), "-m", "emulators.fst", "--port", str(rest_port), "--scale",
             str(scale), "--seed", "10", "--auth", "apikey", "--pagination", "cursor"],
            cwd=REPO, stdout=subprocess.DEVNULL)
        texts, problems = [], []
        try:
            wait_for_port(port, emulator, seconds=120)
            wait_for_port(rest_port, rest, seconds=120)
            wait_for_port(odd_port, odd, seconds=120)
            with urllib.request.urlopen(f"http://127.0.0.1:{odd_port}/_admin/variations",
                                        timeout=60) as answer:
                odd_malformed = {(m["object"], str(m["id"])) for m in json.loads(
                    answer.read())["malformed"]}
            sources = {
                "bundle": ["--source", "fst-bundle", "--path", str(bundle), "--allow-any-path"],
                "dispatch": ["--source", "dispatch", "--url", f"http://127.0.0.1:{port}",
                             "--client-id", "ci", "--client-secret-file",
                             self._secret_file("ci-secret"), "--allow-loopback"],
                "fst-rest": ["--source", "fst-rest", "--url", f"http://127.0.0.1:{rest_port}",
                             "--auth", "api_key", "--api-key-file",
                             self._secret_file("fst-dev-key"),
                             "--rest-config", '{"pagination": "cursor", "page_size": 500}',
                             "--allow-loopback"],
                "dispatch, odd account": [
                    "--source", "dispatch", "--url", f"http://127.0.0.1:{odd_port}",
                    "--client-id", "ci", "--client-secret-file",
                    self._secret_file("ci-secret"), "--allow-loopback"],
            }
            for name, source_flags in sources.items():
                reports, flags = [], source_flags
                for attempt in (1, 2):
                    path = self.logdir / f"scale_{db}_{name}_{attempt}.json"
                    rc, text, _t = self._cli(db, "run", *flags, "--name", f"scale {name}",
                                             "--confirm-map", "--no-sample",
                                             "--report", str(path),
                                             log=f"scale_{db}_{name}_{attempt}")
                    texts.append(text)
                    if rc:
                        problems.append(f"{name} run {attempt} failed")
                        break
                    reports.append(json.loads(path.read_text()))
                    # the second time the same command (no --project): the same project
                if len(reports) < 2:
                    continue
                first, second = reports
                if second["project_id"] != first["project_id"]:
                    problems.append(f"{name}: the same command made a second project "
                                    f"({second['project_id']} besides {first['project_id']})")
                for obj, row in first["objects"].items():
                    if row["source"] != sum(row[k] for k in ("created", "updated", "skipped",
                                                             "failed", "blocked")):
                        problems.append(f"{name} {obj} does not balance: {row}")
                failed = {obj: row["failed"] for obj, row in first["objects"].items()
                          if row["failed"]}
                if name == "dispatch, odd account":
                    # a record may fail only for a malformed value of its own (an amount, a
                    # key); a bad optional value is a warning and the record lands
                    failed = {f"{i['object']} {i['source_id']}": i["reason"][:120]
                              for i in first["issues"] if i["status"] == "failed"
                              and (i["object"], str(i["source_id"])) not in odd_malformed}
                    warned = sum(1 for i in first["issues"] if i["status"] == "warning")
                    say(f"     {name}: {len(odd_malformed)} records served with a malformed "
                        f"value, {warned} warnings, not readable: {first['not_readable']}")
                    if not warned or "brands" not in first["not_readable"]:
                        problems.append(f"{name}: warnings {warned}, not readable "
                                        f"{first['not_readable']}")
                if failed:  # the generators' bad rows are orphans (blocked), not failures
                    problems.append(f"{name}: records failed {failed}: "
                                    + "; ".join(i["reason"][:200] for i in first["issues"]
                                                if i["status"] == "failed")[:1000])
                verified = first["verified_fields"]
                checked = sum(verified.values())
                # both sources read back exactly (a record shared by several source
                # records is compared with the one that wrote it)
                if verified["different"] or verified["missing"] or not checked:
                    problems.append(f"{name}: fields read back {verified}")
                again = sum(r["created"] + r["updated"] for r in second["objects"].values())
                if again:
                    problems.append(f"{name}: the second run wrote {again} records")
                total = sum(r["source"] for r in first["objects"].values())
                say(f"     {name}: {total} records, {first['records_per_second']}/s write "
                    f"phase, fields read back {verified}")
        finally:
            emulator.terminate()
            rest.terminate()
            odd.terminate()
        text = "\n".join(texts) + "".join(f"\nERROR scale: {p}" for p in problems)
        return (1 if problems else 0), text, time.monotonic() - started


# Every record each project wrote, field by field, in terms that do not depend on the
# project: a link to a record the project bound is its source key, any other link the
# linked record's name, an image URL without its attachment id.
PROJECT_DUMP = """
import json, re
def dump(project_id):
    bindings = env['fsm.migration.binding'].search([('project_id', '=', project_id)])
    project = env['fsm.migration.project'].browse(project_id)
    x_names = {}  # a project's new x_ field, named by the source fields that feed it
    for line in project.confirmed_map_id.field_line_ids:
        if (line.target_field or '').startswith('x_') and not line.skip:
            x_names.setdefault((line.target_model, line.target_field), set()).add(
                f"{line.source_object}.{line.source_field}")
    key_of = {}
    for b in bindings:  # (a record bound twice - a lead and its survey - by its first key)
        key = f"{b.source_object}/{b.source_id}/{b.role}"
        key_of[(b.model, b.res_id)] = min(key, key_of.get((b.model, b.res_id), key))
    fields_of = {}
    for entry in env['fsm.migration.journal'].search([('project_id', '=', project_id),
                                                      ('operation', 'in', ('create', 'write'))]):
        fields_of.setdefault((entry.model, entry.res_id), set()).update(entry.new_values or {})
    def canon(record, name):
        field = record._fields[name]
        value = record[name]
        if field.type in ('many2one', 'one2many', 'many2many'):
            return sorted(key_of.get((r._name, r.id)) or r.display_name for r in value)
        if field.type == 'many2one_reference' or name == 'res_id':
            model = record[field.model_field] if field.type == 'many2one_reference' else (
                record['res_model'] if 'res_model' in record._fields else record['model'])
            return key_of.get((model, value)) or value
        if field.type == 'binary':
            return record.checksum if 'checksum' in record._fields else bool(value)
        if isinstance(value, str):
            return re.sub(r'/web/image/\\d+', '/web/image/N', value)
        return str(value) if value is not False else None
    out = {}
    for (model, res_id), key in key_of.items():
        record = env[model].with_context(active_test=False).browse(res_id).exists()
        names = sorted(n for n in fields_of.get((model, res_id), ()) if n in record._fields)
        # projects in one database name their new x_ fields apart (x_..._2, a prefix)
        out[key] = {('x:' + ','.join(sorted(x_names[(model, n)])) if (model, n) in x_names
                     else n): canon(record, n) for n in names} if record else 'missing'
    return out
print('DUMP ' + json.dumps({pid: dump(pid) for pid in PROJECTS}, default=str))
"""


#: records made from technicians (users, employees, skills) follow the users the database
#: holds when a project's user plan is made: projects planned one after the other in one
#: database match other users by e-mail (a messy e-mail shared with an earlier project's
#: technician), so these are not compared across projects
PLANNED_BY_USERS = ("technicians/", "users/")


def compare_dumps(dumps, names):
    """Differences, field by field, between the projects' dumps (the first is the
    reference); at most a few lines each."""
    problems = []
    reference = dumps[0]
    for name, dump in zip(names[1:], dumps[1:], strict=True):
        keys = {k for k in set(reference) | set(dump) if not k.startswith(PLANNED_BY_USERS)}
        diff = [k for k in sorted(keys) if reference.get(k) != dump.get(k)]
        for key in diff[:5]:
            ref, got = reference.get(key) or {}, dump.get(key) or {}
            fields = {f for f in set(ref) | set(got) if ref.get(f) != got.get(f)} \
                if isinstance(ref, dict) and isinstance(got, dict) else {"(record)"}
            problems.append(f"{name}: {key} differs on {sorted(fields)[:5]}")
        if len(diff) > 5:
            problems.append(f"{name}: {len(diff)} records differ in all")
    return problems
