"""The command line's steps: discover a bundle, run it twice then roll back, a foreign shape."""

import json
import subprocess
import time

from . import REPO


class CliSteps:
    """``fsm_migrate`` on generated FST exports (mixed into ``OdooRunner``)."""

    def cli_discover(self, db):
        """``odoo-bin fsm_migrate discover`` on a generated bundle; its JSON report must
        count exactly what the generator wrote."""
        bundle = self.logdir / "cli_bundle"
        started = time.monotonic()
        subprocess.run([str(self.py), "-m", "emulators.fst_bundle", "--out", str(bundle),
                        "--scale", "1", "--seed", "3"], cwd=REPO, check=True,
                       capture_output=True)
        truth = json.loads(subprocess.run(
            [str(self.py), "-c", "import json; from emulators.fst_data import generate; "
             "print(json.dumps(generate(1, 3).truth()['counts']))"],
            cwd=REPO, check=True, capture_output=True, text=True).stdout)
        report_path = self.logdir / "cli_discover.json"
        rc, text, _took = self.odoo_bin(
            f"--addons-path={self.addons_path}", "fsm_migrate", "discover", "-d", db,
            "--no-http", "--source", "fst-bundle", "--path", str(bundle), "--allow-any-path",
            "--report", str(report_path), log="cli_discover")
        if rc == 0:
            report = json.loads(report_path.read_text())
            counts = {o["object"]: o["records"] for o in report["objects"]}
            if counts != truth:
                text += f"\nERROR report counts {counts} != generator {truth}"
                rc = 1
        return rc, text, time.monotonic() - started

    def cli_run(self, db):
        """``odoo-bin fsm_migrate run`` on a generated bundle, then the same command again
        (same flags, no ``--project``), then ``rollback``: the report must account for
        every source record, the second command must reuse the project and write nothing,
        the rollback must remove what the first wrote."""
        bundle = self.logdir / "cli_run_bundle"
        started = time.monotonic()
        subprocess.run([str(self.py), "-m", "emulators.fst_bundle", "--out", str(bundle),
                        "--scale", "0.5", "--seed", "4"], cwd=REPO, check=True,
                       capture_output=True)
        texts, reports = [], []
        flags = ["--name", "CLI run", "--source", "fst-bundle", "--path", str(bundle),
                 "--allow-any-path", "--confirm-map", "--no-sample"]
        for attempt in (1, 2):
            report_path = self.logdir / f"cli_run_{attempt}.json"
            rc, text, _took = self.odoo_bin(
                f"--addons-path={self.addons_path}", "fsm_migrate", "run", "-d", db,
                "--no-http", *flags, "--report", str(report_path), log=f"cli_run_{attempt}")
            texts.append(text)
            if rc != 0:
                return rc, "\n".join(texts), time.monotonic() - started
            reports.append(json.loads(report_path.read_text()))
            # the same command again, same flags and no --project: the same project
        problems = [f"{obj}: {row}" for obj, row in reports[0]["objects"].items()
                    if row["source"] != sum(row[k] for k in ("created", "updated", "skipped",
                                                             "failed", "blocked"))]
        written_again = sum(row["created"] + row["updated"]
                            for row in reports[1]["objects"].values())
        if written_again:
            problems.append(f"the second run wrote {written_again} records")
        if reports[1]["project_id"] != reports[0]["project_id"] or not reports[1].get(
                "project_note"):
            problems.append(f"the same command made project {reports[1]['project_id']} "
                            f"besides {reports[0]['project_id']} (one source, one project)")
        flags = ["--project", str(reports[0]["project_id"])]
        report_path = self.logdir / "cli_rollback.json"
        rc, text, _took = self.odoo_bin(
            f"--addons-path={self.addons_path}", "fsm_migrate", "rollback", "-d", db,
            "--no-http", *flags, "--report", str(report_path), log="cli_rollback")
        texts.append(text)
        rollback = json.loads(report_path.read_text()) if rc == 0 else {}
        if rollback.get("state") != "rolled_back" or not rollback.get("removed"):
            problems.append(f"rollback removed {rollback.get('removed')} records (state "
                            f"{rollback.get('state')})")
        text = "\n".join(texts)
        for problem in problems:
            text += f"\nERROR fsm_migrate run: {problem}"
        return (1 if problems else 0), text, time.monotonic() - started

    def cli_shape(self, db, shape="legacy_cp1252"):
        """A foreign-shaped FST export (``emulators.fst_shapes``): ``discover`` proposes a
        layout to review, ``run`` without ``--confirm-map`` stops and says what to review,
        ``layout --export`` then ``--import`` round-trips it, ``run --confirm-map`` confirms
        layout and map and migrates: every object balances, none failed, 0 fields read back
        different."""
        export = self.logdir / f"cli_shape_{shape}"
        started = time.monotonic()
        subprocess.run([str(self.py), "-m", "emulators.fst_shapes", "--out", str(export),
                        "--scale", "0.3", "--seed", "6", "--fixed", shape], cwd=REPO,
                       check=True, capture_output=True)
        texts, problems = [], []

        def cli(verb, *flags, expect_ok=True):
            path = self.logdir / f"cli_shape_{verb}_{len(texts)}.json"
            rc, text, _took = self.odoo_bin(
                f"--addons-path={self.addons_path}", "fsm_migrate", verb, "-d", db,
                "--no-http", *flags, "--report", str(path), log=f"cli_shape_{len(texts)}")
            texts.append(text)
            report = json.loads(path.read_text()) if path.exists() else {}
            if bool(report.get("ok")) != expect_ok:
                problems.append(f"{verb} {' '.join(flags)}: ok={report.get('ok')} "
                                f"{report.get('error', '')[:300]}")
            return report
        source = ["--source", "fst-bundle", "--path", str(export), "--allow-any-path",
                  "--new-project", "--name", f"CLI shape {shape}"]
        found = cli("discover", *source)
        layout = found.get("layout") or {}
        if layout.get("state") != "draft" or not layout.get("tables"):
            problems.append(f"discover: layout {layout.get('state')} with "
                            f"{len(layout.get('tables') or [])} tables (a draft expected)")
        # the bundle lies outside the import folders: every command needs the flag
        project = ["--project", str(found.get("project_id")), "--allow-any-path"]
        stopped = cli("run", *project, "--no-sample", expect_ok=False)
        if "Layout v" not in stopped.get("error", ""):
            problems.append("run without --confirm-map did not stop at the layout")
        exported = self.logdir / "cli_shape_layout.json"
        cli("layout", *project, "--export", str(exported))
        again = cli("layout", *project, "--import", str(exported))
        if (again.get("layout") or {}).get("version") != layout.get("version", 0) + 1:
            problems.append("layout --import did not make the next draft version")
        ran = cli("run", *project, "--confirm-map", "--no-sample")
        for obj, row in (ran.get("objects") or {}).items():
            if row["source"] != sum(row[k] for k in ("created", "updated", "skipped",
                                                     "failed", "blocked")):
                problems.append(f"{obj} does not balance: {row}")
            if row["failed"]:
                problems.append(f"{obj}: {row['failed']} failed")
        verified = ran.get("verified_fields") or {}
        if verified.get("different") or verified.get("missing"):
            problems.append(f"verification: {verified}")
        text = "\n".join(texts)
        for problem in problems:
            text += f"\nERROR fsm_migrate on a foreign shape: {problem}"
        return (1 if problems else 0), text, time.monotonic() - started
