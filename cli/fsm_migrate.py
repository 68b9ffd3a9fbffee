"""``odoo-bin fsm-migrate VERB -d DB [options]``: run a migration project headless.

Verbs: ``test-connection``, ``discover`` (the proposed source layout: which file holds
which object, keys and links with their confidence, and what to review), ``layout``
(``--export FILE`` / ``--import FILE``: the layout as JSON; an import is a new draft
version), ``sample`` (and its field-level diff), ``run``
(discover if needed, confirm the proposed layout and propose the map, confirm both with
``--confirm-map``, apply the schema
plan, write every batch), ``work`` (one more worker on a run), ``delta`` (pick up the
source's changes after the full run) and ``rollback`` (revert what the project wrote,
from its journal; ``--force`` includes records edited in Odoo since). ``run`` on a
project whose run was interrupted resumes it; ``run --stage-only`` then ``work`` (as many
at once as wanted) writes it with several workers.

Connection flags create a project (or update the one named by ``--project``); secrets
may come from the environment (``FSM_CLIENT_SECRET``, ``FSM_PASSWORD``, ``FSM_API_KEY``,
``FSM_TOKEN``) so that they do not show in the process list. The result is printed and,
with ``--report``, written as JSON.
"""

import json
import logging
import optparse
import os
import sys
import time
from pathlib import Path

from psycopg2 import errors as pg_errors

import odoo
from odoo.cli import Command
from odoo.exceptions import UserError

# absolute: 19.0 loads this file as ``odoo.cli.fsm_migrate``, without the add-on's package
from odoo.addons.field_service_migration import compat
from odoo.addons.field_service_migration.importers.diff import DIFF_STATUSES
from odoo.addons.field_service_migration.importers.engine import BatchProcessor

_logger = logging.getLogger(__name__)

VERBS = ("test-connection", "discover", "layout", "sample", "run", "work", "delta",
         "rollback")
SOURCES = {"dispatch": "dispatch", "fst-rest": "fst_rest", "fst-bundle": "fst_bundle"}
SECRET_ENV = {"client_secret": "FSM_CLIENT_SECRET", "password": "FSM_PASSWORD",
              "api_key": "FSM_API_KEY", "token": "FSM_TOKEN"}


class FsmMigrate(Command):
    """Run a field service migration project headless (discover, run, rollback …)"""

    name = compat.command_name("fsm-migrate")

    def run(self, args):
        parser = odoo.tools.config.parser
        parser.prog = f"{Path(sys.argv[0]).name} {self.name} {{{','.join(VERBS)}}}"
        group = optparse.OptionGroup(parser, "Field service migration")
        group.add_option("--project", dest="fsm_project", type="int",
                         help="id of the migration project (default: a new one when connection "
                              "flags are given, else the latest)")
        group.add_option("--name", dest="fsm_name", help="name of a project to create")
        group.add_option("--user", dest="fsm_user",
                         help="login of the Odoo user the command acts for: the responsible of "
                              "a project it creates, the author of its journal entries and "
                              "notes (default: admin)")
        group.add_option("--new-project", dest="fsm_new_project", action="store_true",
                         help="make a new project even if one of this database reads the same "
                              "source (by default that one is reused)")
        group.add_option("--source", dest="fsm_source", choices=list(SOURCES),
                         help="dispatch, fst-rest or fst-bundle")
        group.add_option("--url", dest="fsm_url", help="base URL of the source API")
        group.add_option("--path", dest="fsm_path", help="FST bundle folder or zip")
        group.add_option("--auth", dest="fsm_auth",
                         choices=["client_credentials", "password", "bearer", "api_key", "basic"])
        group.add_option("--client-id", dest="fsm_client_id")
        group.add_option("--client-secret", dest="fsm_client_secret",
                         help="visible to other users in `ps`: prefer --client-secret-file or "
                              "FSM_CLIENT_SECRET")
        group.add_option("--username", dest="fsm_username")
        group.add_option("--password", dest="fsm_password",
                         help="prefer --password-file or FSM_PASSWORD")
        group.add_option("--api-key", dest="fsm_api_key",
                         help="prefer --api-key-file or FSM_API_KEY")
        group.add_option("--token", dest="fsm_token", help="prefer --token-file or FSM_TOKEN")
        for key in SECRET_ENV:
            flag = key.replace("_", "-")
            group.add_option(f"--{flag}-file", dest=f"fsm_{key}_file",
                             help=f"read the {flag.replace('-', ' ')} from this file (first "
                                  "line)")
        group.add_option("--rest-config", dest="fsm_rest_config",
                         help="FST REST adapter settings: a JSON string or @file.json")
        group.add_option("--sample-size", dest="fsm_sample_size", type="int",
                         help="discover: records profiled per object at most; sample: "
                              "records in the sample")
        group.add_option("--allow-loopback", dest="fsm_allow_loopback", action="store_true",
                         help="let a 127.0.0.1/localhost URL (a local emulator) through the "
                              "allow-list, for this command only (the database's parameter "
                              "is left as it is)")
        group.add_option("--allow-any-path", dest="fsm_allow_any_path", action="store_true",
                         help="read a bundle outside the import folders (system parameter "
                              "field_service_migration.import_folders), for this command "
                              "only")
        group.add_option("--export", dest="fsm_export",
                         help="layout: write the latest layout version as JSON to this file")
        group.add_option("--import", dest="fsm_import",
                         help="layout: load a layout JSON as a new draft version (checked)")
        group.add_option("--no-sample", dest="fsm_no_sample", action="store_true",
                         help="run: start the full run without an approved sample (recorded "
                              "on the project as 'No sample')")
        group.add_option("--confirm-map", dest="fsm_confirm_map", action="store_true",
                         help="run: accept the proposed source layout (when it has no "
                              "problems) and the proposed map as they are (otherwise review "
                              "and confirm them in Odoo first)")
        group.add_option("--fallback-user", dest="fsm_fallback_user",
                         help="run: login of the user who receives unmatched technicians' "
                              "records (default: the administrator)")
        group.add_option("--batch-size", dest="fsm_batch_size", type="int",
                         help="run: source records per batch (default 500)")
        group.add_option("--run", dest="fsm_run", type="int",
                         help="work: the run to work on; rollback: only this run's writes "
                              "(default: the whole project)")
        group.add_option("--stage-only", dest="fsm_stage_only", action="store_true",
                         help="run: stage the batches and stop; start workers with `work`")
        group.add_option("--force", dest="fsm_force", action="store_true",
                         help="rollback: also revert records edited in Odoo since")
        group.add_option("--report", dest="fsm_report", help="write the JSON report here")
        parser.add_option_group(group)
        verbs = [a for a in args if not a.startswith("-")][:1]
        if not verbs or verbs[0] not in VERBS:
            sys.exit(f"usage: {parser.prog} -d DB [options]; verbs: {', '.join(VERBS)}")
        verb = verbs[0]
        args = list(args)
        args.remove(verb)
        opt = odoo.tools.config.parse_config(args, setup_logging=True)
        # no default= on the option: 19.0 warns about it (it wants its own my_default=)
        opt.fsm_user = opt.fsm_user or "admin"
        dbname = compat.first_database(odoo.tools.config)
        if not dbname:
            sys.exit("fsm-migrate needs a database: -d DB")
        registry = odoo.modules.registry.Registry(dbname)
        with registry.cursor() as cr:
            # --allow-loopback and --allow-any-path hold for this command's environment only
            context = {}
            if opt.fsm_allow_loopback:
                context["fsm_allow_loopback"] = True
            if opt.fsm_allow_any_path:
                context["fsm_allow_any_path"] = True
            env = odoo.api.Environment(cr, odoo.api.SUPERUSER_ID, context)
            if "fsm.migration.project" not in env:
                sys.exit(f"field_service_migration is not installed in {dbname}")
            # the command acts for a real user (responsible, journal, notes), with the
            # superuser rights of a server-side command
            user = env["res.users"].with_context(active_test=False).search(
                [("login", "=", opt.fsm_user)], limit=1)
            if not user:
                sys.exit(f"no Odoo user with login {opt.fsm_user!r} in {dbname} (--user)")
            env = env(user=user.id, su=True)
            self.project_note = None
            try:
                project = self._project(env, opt)
                handler = "_work_verb" if verb == "work" else "_" + verb.replace("-", "_")
                report = getattr(self, handler)(project, opt)
            except UserError as exc:
                cr.rollback()
                report = {"ok": False, "error": str(exc)}
            else:
                report = {"ok": True, **report}
            if self.project_note:
                report["project_note"] = self.project_note
            # leaving the block commits what the verb did (nothing after a rollback)
        text = json.dumps(report, indent=2, default=str)
        if opt.fsm_report:
            Path(opt.fsm_report).write_text(text)
        print(text)  # pylint: disable=print-used  # the command's output
        sys.exit(0 if report["ok"] else 1)

    def _project(self, env, opt):
        Project = env["fsm.migration.project"]
        vals = {key: value for key, value in {
            "source_kind": SOURCES.get(opt.fsm_source), "source_url": opt.fsm_url,
            "bundle_path": opt.fsm_path and str(Path(opt.fsm_path).resolve()),
            "auth_method": opt.fsm_auth, "client_id": opt.fsm_client_id,
            "username": opt.fsm_username,
            "rest_config": self._rest_config(opt.fsm_rest_config),
        }.items() if value}
        secrets = {key: self._secret(opt, key, env_name) for key, env_name in SECRET_ENV.items()}
        vals.update({f"{key}_input": value for key, value in secrets.items() if value})
        if opt.fsm_project:
            project = Project.browse(opt.fsm_project).exists()
            if not project:
                raise UserError(env._("No migration project with id %s.", opt.fsm_project))
            if vals:
                project.write(vals)
            return project
        if vals.get("source_kind"):
            same = Project.browse() if opt.fsm_new_project else Project._find_for_source(vals)
            if same:
                # one source, one project: running the command again resumes or updates
                self.project_note = env._(
                    "Reusing project %(name)s (#%(id)s), which reads the same source (give "
                    "--new-project to make another one).", name=same.name, id=same.id)
                _logger.info("%s", self.project_note)
                same.write({k: v for k, v in vals.items() if k != "source_kind"})
                return same
            name = opt.fsm_name or f"{opt.fsm_source} migration (command line)"
            return Project.create({"name": name, **vals})
        project = Project.search([], limit=1)
        if not project:
            raise UserError(env._("No migration project yet: give --source and its connection "
                                  "flags."))
        if vals:
            project.write(vals)
        return project

    @staticmethod
    def _secret(opt, key, env_name):
        """A secret from its file, the environment, or (with a warning) the command line."""
        path = getattr(opt, f"fsm_{key}_file", None)
        if path:
            return Path(path).read_text().splitlines()[0].strip() if Path(path).read_text(
                ).strip() else None
        if getattr(opt, f"fsm_{key}"):
            _logger.warning("--%s on the command line is visible to other users of this "
                            "machine (ps): use --%s-file or %s instead", key.replace("_", "-"),
                            key.replace("_", "-"), env_name)
            return getattr(opt, f"fsm_{key}")
        return os.environ.get(env_name)

    @staticmethod
    def _rest_config(value):
        if not value:
            return None
        text = Path(value[1:]).read_text() if value.startswith("@") else value
        json.loads(text)  # refuse malformed JSON here, with the parser's message
        return text

    def _test_connection(self, project, _opt):
        project.action_test_connection()
        return {"project_id": project.id, "message": project.last_connection_message}

    def _discover(self, project, opt):
        if opt.fsm_sample_size:
            project.discovery_sample_size = opt.fsm_sample_size
        project.action_discover()
        report = self._dictionary_report(project)
        report["layout"] = self._layout_report(project.layout_id)
        return report

    @staticmethod
    def _layout_report(layout):
        """The layout version: its tables (lowest confidence first) with object, key and
        links, and what to review before confirming it."""
        data = layout._to_layout()
        tables = sorted(data.tables, key=lambda t: (t.confidence if t.object else 2, t.label))
        review = list(data.problems())
        for table in tables:
            if not table.object:
                if table.status == "read" and table.rows:
                    review.append(f"{table.label}: ignored, {table.rows} rows "
                                  f"({table.reason or 'no object recognised'}): choose its "
                                  "object if it holds one")
                continue
            if table.confidence < 0.9:
                review.append(f"{table.label} → {table.object}: {round(table.confidence * 100)}%"
                              f" ({table.reason})")
            review.extend(f"{table.label}, column {c.name!r} ({c.role}"
                          + (f" → {c.link_object} by {c.link_key}" if c.role == "link" else "")
                          + f"): {round(c.confidence * 100)}% ({c.reason})"
                          for c in sorted(table.columns, key=lambda c: c.confidence)
                          if c.confidence < 0.9 and c.role != "ignore")
        return {
            "version": layout.version, "state": layout.state, "profile": layout.profile,
            "lowest_confidence": round(data.lowest_confidence(), 3),
            "tables": [{
                "table": t.label, "status": t.status, "rows": t.rows, "object": t.object,
                "confidence": round(t.confidence, 3), "reason": t.reason,
                "key": [c.name for c in t.key_columns()],
                "date_order": t.conventions.date_order if t.object else None,
                "links": sorted(({"column": c.name, "object": c.link_object, "by": c.link_key,
                                  "confidence": round(c.confidence, 3), "reason": c.reason}
                                 for c in t.columns if c.role == "link"),
                                key=lambda link: link["confidence"]),
            } for t in tables],
            "review": review,
        }

    def _layout(self, project, opt):
        """``layout --export FILE`` / ``--import FILE``; without either, the latest version."""
        env = project.env
        if opt.fsm_import:
            try:
                text = Path(opt.fsm_import).read_text(encoding="utf-8-sig")
            except OSError as exc:
                raise UserError(env._("Cannot read %(file)s: %(error)s", file=opt.fsm_import,
                                      error=exc)) from exc
            env["fsm.migration.layout"]._import_json(project, text)
            if project.state in ("discover", "plan", "map", "sample"):
                project.sudo().state = "layout"
        layout = project.layout_id
        if not layout:
            raise UserError(env._("Project %s has no layout yet: run discover first.",
                                  project.id))
        if opt.fsm_export:
            Path(opt.fsm_export).write_text(layout._to_layout().to_json(), encoding="utf-8")
        return {"project_id": project.id, "layout": self._layout_report(layout),
                **({"exported": opt.fsm_export} if opt.fsm_export else {})}

    @staticmethod
    def _dictionary_report(project):
        return {
            "project_id": project.id,
            "objects": [{"object": o.name, "records": o.record_count,
                         "profiled": o.profiled_count, "sampled": o.sampled,
                         "fields": o.field_count, "custom_fields": o.custom_field_count}
                        for o in project.object_ids],
            "multi_contact_customers": project.multi_contact_customers,
            "multi_site_customers": project.multi_site_customers,
            "cardinality": json.loads(project.cardinality_json or "[]"),
            "issues": json.loads(project.discovery_issues_json or "[]"),
        }

    def _prepare(self, project, opt):
        """Discover if needed, propose the map, confirm it (``--confirm-map``), apply the
        schema plan: what every writing verb needs first."""
        env = project.env
        if not project.object_ids or project.state == "layout":
            if project.state != "layout":
                project.action_discover()
            self._confirm_layout(project, opt)
        if not project.fallback_user_id:
            login = opt.fsm_fallback_user or "admin"
            user = env["res.users"].search([("login", "=", login)], limit=1)
            if not user:
                raise UserError(env._("No user with login %s for --fallback-user.", login))
            project.fallback_user_id = user
        def current(fsm_map):  # proposed from the confirmed layout
            return not fsm_map.layout_id or fsm_map.layout_id == project.confirmed_layout_id
        if not project.confirmed_map_id or not current(project.confirmed_map_id):
            if not project.map_id or project.map_id.state != "draft" or not current(
                    project.map_id):
                project.action_propose_map()
            if not opt.fsm_confirm_map:
                raise UserError(env._(
                    "Map v%(version)s of project %(id)s is proposed, not confirmed: review it in "
                    "Odoo (Migrations > Map versions) or pass --confirm-map to accept it as "
                    "proposed.", version=project.map_id.version, id=project.id))
            project.map_id.action_confirm()
        if project.state == "map":
            env["fsm.migration.plan.apply"].with_context(active_id=project.id).create(
                {}).action_apply()

    def _confirm_layout(self, project, opt):
        """The layout waiting at the Layout step: confirmed with ``--confirm-map`` when it
        has no problems, otherwise the command stops and says what to review."""
        env, layout = project.env, project.layout_id
        if project.state != "layout" or layout.state != "draft":
            return
        report = self._layout_report(layout)
        problems = layout._to_layout().problems()
        if problems or not opt.fsm_confirm_map:
            raise UserError(env._(
                "Layout v%(version)s of project %(id)s is proposed, not confirmed: review it "
                "in Odoo (the project's Layout) or `fsm-migrate discover`, then confirm it "
                "(--confirm-map accepts it when it has no problems). To review:\n%(review)s",
                version=layout.version, id=project.id,
                review="\n".join(report["review"][:40]) or env._("nothing flagged")))
        layout.action_confirm()

    def _run(self, project, opt):
        running = project.run_ids.filtered(lambda r: r.kind == "full" and r.state == "running")
        if running:  # an interrupted run: its uncommitted batch is pending again
            return self._work(running[:1])
        self._prepare(project, opt)
        if opt.fsm_no_sample and not (project.sample_approved or project.skip_sample):
            project.skip_sample = True
            project._post_note(body=project.env._(
                "No sample: the full run was started from the command line with --no-sample."))
        run = project._start_run("full", opt.fsm_batch_size)
        if opt.fsm_stage_only:
            return self._run_report(run)
        return self._work(run)

    def _sample(self, project, opt):
        """A sample run and its field-level diff (counts per status, and the lines that are
        not equal or transformed as mapped)."""
        self._prepare(project, opt)
        if opt.fsm_sample_size:
            project.sample_size = opt.fsm_sample_size
        project.action_run_sample()
        run = project.sample_run_id
        report = self._run_report(run)
        report["diff"] = {status: len(run.diff_ids.filtered(lambda d, s=status: d.status == s))
                          for status in DIFF_STATUSES}
        report["diff_problems"] = [
            {"object": d.source_object, "source_id": d.source_id, "model": d.model,
             "field": d.field_name, "expected": d.expected_value, "odoo": d.odoo_value,
             "status": d.status}
            for d in run.diff_ids if d.status in ("different", "missing")]
        return report

    def _delta(self, project, _opt):
        """Pick up the source's changes (opens the cutover window after the full run)."""
        if project.state == "verify":
            project.action_start_cutover()
        if project.state != "delta":
            raise UserError(project.env._(
                "Delta pickup comes after the full run (project %(id)s is at step "
                "%(state)s).", id=project.id, state=project.state))
        run = project._start_run("delta")
        report = self._work(run)
        report["deleted_in_source"] = json.loads(run.deleted_json or "{}")
        return report

    def _work_verb(self, project, opt):
        """``work``: one more worker on a running run (several may run at once)."""
        Run = project.env["fsm.migration.run"]
        run = Run.browse(opt.fsm_run).exists() if opt.fsm_run else project.run_ids.filtered(
            lambda r: r.state == "running")[:1]
        if not run:
            raise UserError(project.env._("No running run to work on (give --run ID)."))
        if run.kind == "rollback":  # a rollback's chunks, not batches
            self._roll_back(run)
            return {"project_id": run.project_id.id, "rollback_id": run.id,
                    "rollback_state": run.state, "state": run.project_id.state}
        if run.state != "running":  # finished meanwhile (by other workers): its report
            return self._run_report(run)
        return self._work(run)

    def _work(self, run):
        """Write batches until none is left. This command opened its own cursor: each batch
        is committed on its own, so that a killed process loses only the batch it was
        writing, which the next worker takes again."""
        env = run.env
        env.cr.commit()  # pylint: disable=invalid-commit
        processor, retries = BatchProcessor(run), 0
        try:
            while run.state == "running":
                try:
                    batch = run._run_one_batch(processor)
                    env.cr.commit()  # pylint: disable=invalid-commit
                    # what the batch read and wrote stays out of memory: a worker's size
                    # follows the batch size, not the size of the migration
                    env.invalidate_all()
                    retries = 0
                except (pg_errors.SerializationFailure, pg_errors.DeadlockDetected) as exc:
                    env.cr.rollback()  # a concurrent worker won: take the batch again
                    env.invalidate_all()
                    retries += 1
                    if retries > 50:  # in a row: not a concurrent worker any more
                        raise
                    _logger.info("run %s: %s; the batch is taken again", run.id,
                                 str(exc).strip())
                    time.sleep(min(0.1 * retries, 2))
                    continue
                run.invalidate_recordset()
                if not batch:
                    if run.state != "running" or not (
                            run._left("pending") or run._left("unverified")):
                        break
                    time.sleep(0.2)  # another worker holds the last batches (or verifies)
                    env.cr.commit()  # pylint: disable=invalid-commit
                    continue
                if batch.verified:
                    _logger.info("run %s: batch %s read back and compared", run.id, batch.id)
                    continue
                _logger.info("run %s: %s/%s records (%.0f%%), %.0f records/s", run.id,
                             run.done, run.total, run.progress, run.rate)
        finally:
            processor.close()
        return self._run_report(run)

    @staticmethod
    def _run_report(run):
        objects = {}
        for batch in run.batch_ids:
            stats = objects.setdefault(batch.source_object, {
                "source": 0, "created": 0, "updated": 0, "skipped": 0, "failed": 0,
                "blocked": 0, "seconds": 0.0})
            stats["source"] += batch.record_count
            stats["seconds"] = round(stats["seconds"] + batch.duration, 3)
            for key in ("created", "updated", "skipped", "failed", "blocked"):
                stats[key] += batch[key]
            for role, timing in (batch.role_times or {}).items():
                row = stats.setdefault("roles", {}).setdefault(role, {
                    "model": timing["model"], "records": 0, "seconds": 0.0})
                row["records"] += timing["records"]
                row["seconds"] = round(row["seconds"] + timing["seconds"], 3)
        issues = [{"object": i.source_object, "source_id": i.source_id, "status": i.status,
                   "field": i.target_field or i.source_field or None, "value": i.value or None,
                   "reason": i.reason} for i in run.issue_ids]
        return {"project_id": run.project_id.id, "run_id": run.id, "state": run.state,
                "map_version": run.map_id.version, "objects": objects,
                # what the account could not read: at discovery (skipped by the map) and
                # during this run
                "not_readable": {
                    **{o.name: {"status": o.unreadable_status, "reason": o.unreadable_reason}
                       for o in run.project_id.object_ids if not o.readable},
                    **json.loads(run.unreadable_json or "{}")},
                "verified_fields": {status: run[f"verified_{status}"]
                                    for status in DIFF_STATUSES},
                "records_per_second": round(run.rate, 1),
                "batch_errors": [{"object": b.source_object, "error": b.error}
                                 for b in run.batch_ids if b.state == "error"],
                "issues": issues}

    def _rollback(self, project, opt):
        """Revert what the project (or ``--run``) wrote, chunk by chunk in the foreground,
        committing each chunk: a killed rollback resumes where it stopped (here, or by the
        worker cron), and a rollback paused from Odoo stops between two chunks."""
        env = project.env
        rollback = project._going_rollback()
        if rollback:  # an interrupted (or paused) rollback of the same scope goes on
            target = rollback.rollback_target_id.id or None
            if target != (opt.fsm_run or None) or rollback.rollback_force != bool(
                    opt.fsm_force):
                raise UserError(env._(
                    "Rollback %(run)s of project %(id)s is in progress with another scope: "
                    "finish it first (fsm-migrate rollback --project %(id)s%(flags)s).",
                    run=rollback.id, id=project.id,
                    flags=(f" --run {target}" if target else "")
                    + (" --force" if rollback.rollback_force else "")))
            _logger.info("Resuming rollback %s of project %s", rollback.id, project.id)
            rollback.action_resume()
        else:
            wizard = env["fsm.migration.rollback"].with_context(active_id=project.id).create(
                {"run_id": opt.fsm_run or False, "force": bool(opt.fsm_force)})
            rollback = wizard._start()
        conflicts = [f"{model} #{res_id}" for model, res_id in rollback.rollback_conflicts or []]
        self._roll_back(rollback)
        totals = {"create": 0, "write": 0, "schema": 0}
        env.cr.execute("""
            SELECT j.operation, count(*) FROM fsm_migration_journal u
              JOIN fsm_migration_journal j ON j.id = u.undo_of_id
             WHERE u.project_id = %s AND u.id > %s AND (%s IS NULL OR u.id <= %s)
             GROUP BY j.operation
        """, (project.id, rollback.rollback_since, rollback.rollback_until or None,
              rollback.rollback_until or None))
        for operation, count in env.cr.fetchall():
            key = "schema" if operation == "config" else operation
            totals[key] = totals.get(key, 0) + count
        return {"project_id": project.id, "run_id": opt.fsm_run, "rollback_id": rollback.id,
                "removed": totals["create"], "restored": totals["write"],
                "schema_removed": totals["schema"], "conflicts_kept": len(conflicts),
                "conflicts": conflicts, "refused": [
                    f"{e['model']} #{e['res_id']}: {e['reason']}"
                    for e in rollback.rollback_errors or []],
                "rollback_state": rollback.state, "state": project.state}

    @staticmethod
    def _roll_back(rollback):
        """The rollback's chunks, one transaction each, until it is done or paused."""
        env, retries = rollback.env, 0
        env.cr.commit()  # pylint: disable=invalid-commit
        while rollback.state == "running":
            try:
                count = rollback._rollback_chunk()
                env.cr.commit()  # pylint: disable=invalid-commit
            except (pg_errors.SerializationFailure, pg_errors.DeadlockDetected):
                env.cr.rollback()  # paused meanwhile, or another worker: read it again
                count, retries = 0, retries + 1
                if retries > 50:
                    raise
            env.invalidate_all()  # what the chunk read stays out of memory
            if rollback.state == "running":
                _logger.info("Rollback %s: %s of %s journal entries (%s reverted, %s kept, "
                             "%s refused), %.0f/s, ETA %s s", rollback.id, rollback.done,
                             rollback.total, rollback.reverted, rollback.kept,
                             rollback.refused, rollback.rate, rollback.eta_seconds)
                if not count:
                    time.sleep(0.5)  # another worker (the cron) holds the chunk
                    env.cr.commit()  # pylint: disable=invalid-commit
        _logger.info("Rollback %s %s: %s journal entries reverted, %s kept, %s refused",
                     rollback.id, rollback.state, rollback.reverted, rollback.kept,
                     rollback.refused)


compat.register_command_alias(FsmMigrate, "fsm-migrate")
