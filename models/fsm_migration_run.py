import json
import logging
import time
from collections import defaultdict
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..importers.diff import DIFF_STATUSES, RunDiff
from ..importers.engine import BatchProcessor
from ..services.engine import dependency_order, payload_hash
from ..services.errors import SourceError, SourceObjectUnreadable
from .fsm_migration_batch import COUNTERS

MANAGER_GROUP = "field_service_migration.group_migration_manager"

_logger = logging.getLogger(__name__)
#: "object.field" pairs whose parents the mapper asks about (work orders with line items
#: get a quotation): computed once from the staged pages
CHILD_KEYS = ("work_order_lines.work_order_id",)
#: journal entries a rollback reverts per transaction (one chunk, committed by the cron or
#: the command line)
ROLLBACK_CHUNK = 500
#: a record written this long after the migration's last write to it was edited in Odoo
EDIT_TOLERANCE = timedelta(seconds=2)
#: refused journal entries kept on a rollback (the newest), with their reason
ROLLBACK_ERRORS_KEPT = 200


class FsmMigrationRun(models.Model):
    """One execution of a confirmed map: a sample, the full run or a delta pickup; or a
    rollback of the project (or of one run).

    Staging pulls the source into batches (dependency level, page of records); workers
    (cron or the command line) then claim and write the batches. Progress, rate and ETA
    are summed from the batches, so concurrent workers never fight over one counter.
    A rollback has no batches: it reverts its scope's journal entries in chunks, newest
    first, one transaction each, and its progress is counted from the undo entries it
    appends to the journal.
    """

    _name = "fsm.migration.run"
    _description = "Migration Run"
    _order = "id desc"

    project_id = fields.Many2one("fsm.migration.project", required=True, ondelete="cascade",
                                 index=True,
                                 help="The migration project.")
    company_id = fields.Many2one(related="project_id.company_id", store=True)
    # required for every kind but a rollback (see _check_map)
    map_id = fields.Many2one("fsm.migration.map", ondelete="restrict",
                             string="Map version",
                             help="The confirmed map version this run writes with.")
    kind = fields.Selection([("sample", "Sample"), ("full", "Full run"), ("delta", "Delta"),
                             ("rollback", "Rollback")],
                            required=True, default="full",
                            help="Sample: a representative slice; full run: everything; delta: "
                                 "what changed since; rollback: reverts what the project (or "
                                 "one run) wrote, from the journal.")
    state = fields.Selection(
        [("draft", "Draft"), ("running", "Running"), ("paused", "Paused"), ("done", "Done"),
         ("failed", "Failed"), ("rolled_back", "Rolled back")], default="draft",
        required=True, index=True,
        help="Running runs are written by the worker cron; a paused run "
             "waits; rolled back: its writes were reverted.")
    batch_size = fields.Integer(default=500, help="Source records per batch.")
    started_at = fields.Datetime(readonly=True,
                                 help="When the run was staged.")
    finished_at = fields.Datetime(readonly=True,
                                  help="When its last batch was written.")
    batch_ids = fields.One2many("fsm.migration.batch", "run_id",
                                help="The staged pages of source records, per object.")
    unreadable_json = fields.Text(
        readonly=True, string="Not readable",
        help="Source objects this account could not read during the run ({object: status, "
             "the source's words}): reported; the others were migrated and what needs them "
             "is blocked by that parent.")
    deleted_json = fields.Text(readonly=True, string="Deleted in the source",
                               help="Delta: source records bound by an earlier run that the "
                                    "source does not have any more ({object: [ids]}). They "
                                    "are listed, not deleted in Odoo.")
    deleted_count = fields.Integer(readonly=True, string="Deletions in the source",
                                   help="Source records bound by an earlier run that the "
                                        "source does not have any more.")
    issue_ids = fields.One2many("fsm.migration.issue", "run_id",
                                help="Failed, blocked and conflicting records.")
    diff_ids = fields.One2many("fsm.migration.diff", "run_id",
                               help="Written records read back and compared with what the map "
                                    "expects.")
    diff_summary = fields.Char(compute="_compute_diff_summary",
                               help="Diff lines per status.")
    verified_equal = fields.Integer(readonly=True, string="Fields equal",
                                    help="Fields read back equal to the source value.")
    verified_transformed = fields.Integer(readonly=True, string="Fields transformed",
                                          help="Fields read back as the map transforms the "
                                               "source value.")
    verified_kept = fields.Integer(readonly=True, string="Fields kept as typed",
                                   help="Fields whose source value could not be normalised, "
                                        "written as typed (a warning each) and read back so.")
    verified_different = fields.Integer(readonly=True, string="Fields different",
                                        help="Fields read back different from what the map "
                                             "expects.")
    verified_missing = fields.Integer(readonly=True, string="Fields missing",
                                      help="Fields expected but empty in Odoo.")
    total = fields.Integer(compute="_compute_progress",
                           help="Source records staged.")
    done = fields.Integer(compute="_compute_progress",
                          help="Source records in written batches.")
    progress = fields.Float(compute="_compute_progress", help="Done, in percent.")
    rate = fields.Float(compute="_compute_progress", help="Records per second so far.")
    eta_seconds = fields.Integer(compute="_compute_progress", string="ETA (s)",
                                 help="Seconds left at the current rate.")
    created = fields.Integer(compute="_compute_progress",
                             help="Odoo records created.")
    updated = fields.Integer(compute="_compute_progress",
                             help="Odoo records updated.")
    skipped = fields.Integer(compute="_compute_progress",
                             help="Records unchanged since they were written.")
    failed = fields.Integer(compute="_compute_progress",
                            help="Records Odoo refused, or whose values do not fit.")
    blocked = fields.Integer(compute="_compute_progress",
                             help="Records whose parent is missing.")
    progress_data = fields.Json(
        compute="_compute_progress_data", string="Live progress",
        help="Overall and per source object: records done and remaining, records per "
             "second, time left, and the latest failed or blocked records. The run form "
             "refreshes it every two seconds while the run is going.")
    # --- a rollback: its scope, and where it is (chunks of journal entries) -----------
    rollback_target_id = fields.Many2one(
        "fsm.migration.run", string="Run rolled back", readonly=True, ondelete="cascade",
        help="Rollback: only this run's writes are reverted (empty: the whole project, "
             "custom fields, stages and users included).")
    rollback_scope = fields.Char(
        compute="_compute_rollback_scope", string="Scope",
        help="Rollback: what it reverts, the whole project or one run's writes.")
    rollback_force = fields.Boolean(
        string="Forced", readonly=True,
        help="Rollback: records edited in Odoo since the migration are reverted too.")
    rollback_total = fields.Integer(
        string="Entries to undo", readonly=True,
        help="Rollback: journal entries of its scope not undone yet when it started.")
    rollback_totals = fields.Json(readonly=True,
                                  help="Rollback: [model, entries] in the order it reverts.")
    rollback_conflicts = fields.Json(
        readonly=True, help="Rollback: [model, id] of the records edited in Odoo since the "
                            "migration, found when it started (kept unless forced).")
    rollback_since = fields.Integer(readonly=True,
                                    help="Rollback: the last journal entry when it started.")
    rollback_until = fields.Integer(readonly=True,
                                    help="Rollback: the last journal entry when it finished.")
    rollback_cursor = fields.Integer(readonly=True,
                                     help="Rollback: the next chunk takes the entries below "
                                          "this journal id.")
    rollback_stats = fields.Json(readonly=True,
                                 help="Rollback: per model, entries kept, refused and "
                                      "seconds spent.")
    rollback_errors = fields.Json(readonly=True,
                                  help="Rollback: the newest entries Odoo refused to revert, "
                                       "with the reason.")
    rollback_seconds = fields.Float(readonly=True,
                                    help="Rollback: seconds spent reverting so far.")
    reverted = fields.Integer(compute="_compute_progress",
                              help="Rollback: journal entries reverted.")
    kept = fields.Integer(compute="_compute_progress", string="Conflicts kept",
                          help="Rollback: entries of records edited in Odoo since the "
                               "migration, kept (not forced).")
    refused = fields.Integer(compute="_compute_progress",
                             help="Rollback: entries Odoo refused to revert (a next "
                                  "rollback tries them again).")
    rollback_error_text = fields.Text(
        compute="_compute_rollback_error_text", string="Not reverted",
        help="Rollback: the records Odoo refused to revert, with the reason.")

    @api.constrains("kind", "map_id")
    def _check_map(self):
        for run in self:
            if run.kind != "rollback" and not run.map_id:
                raise ValidationError(_("A sample, full run or delta needs a map version."))

    @api.depends("kind", "state")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"].selection)
        states = dict(self._fields["state"].selection)
        for run in self:
            run.display_name = _("%(kind)s #%(id)s (%(state)s)", kind=kinds.get(run.kind),
                                 id=run.id or "", state=states.get(run.state))

    @api.depends("batch_ids.state", "rollback_cursor", "state")
    def _compute_progress(self):
        for run in self:
            if run.kind == "rollback":
                run.update(run._rollback_figures())
                continue
            rows = run.batch_ids.read(["state", "record_count", "duration", *COUNTERS])
            done_rows = [r for r in rows if r["state"] != "pending"]
            total = sum(r["record_count"] for r in rows)
            done = sum(r["record_count"] for r in done_rows)
            seconds = sum(r["duration"] for r in done_rows)
            rate = done / seconds if seconds else 0.0
            run.update({
                "total": total, "done": done,
                "progress": 100.0 * done / total if total else 0.0,
                "rate": rate, "eta_seconds": int((total - done) / rate) if rate else 0,
                **{k: sum(r[k] for r in done_rows) for k in COUNTERS},
                "reverted": 0, "kept": 0, "refused": 0,
            })

    @api.depends("batch_ids.state", "issue_ids", "rollback_cursor", "state")
    def _compute_progress_data(self):
        for run in self:
            run.progress_data = run._progress_data()

    def _progress_data(self, errors=5):
        """Plain data for the live progress widget: overall, per object (dependency
        order), and the newest failed or blocked records. A rollback gives the same shape:
        per model (in the order it reverts), and the newest entries Odoo refused."""
        self.ensure_one()
        if self.kind == "rollback":
            return self._rollback_progress_data(errors)
        objects, written, verified, pending = {}, 0, 0, 0
        for row in self.batch_ids.read(["source_object", "level", "state", "record_count",
                                        "duration", "failed", "blocked", "verified"]):
            pending += row["state"] == "pending"
            written += row["state"] == "done"
            verified += row["state"] == "done" and bool(row["verified"])
            obj = objects.setdefault(row["source_object"], {
                "name": row["source_object"], "level": row["level"], "total": 0, "done": 0,
                "failed": 0, "blocked": 0, "seconds": 0.0, "errors": 0})
            obj["total"] += row["record_count"]
            if row["state"] != "pending":
                obj["done"] += row["record_count"]
                obj["failed"] += row["failed"]
                obj["blocked"] += row["blocked"]
                obj["seconds"] += row["duration"]
            obj["errors"] += row["state"] == "error"
        for obj in objects.values():
            obj["percent"] = round(100.0 * obj["done"] / obj["total"], 1) if obj["total"] else 0
            obj["rate"] = round(obj["done"] / obj["seconds"], 1) if obj["seconds"] else 0
        issues = self.env["fsm.migration.issue"].search_read(
            [("run_id", "=", self.id), ("status", "in", ("failed", "blocked"))],
            ["status", "source_object", "source_id", "source_field", "reason"],
            limit=errors, order="id desc")
        return {
            "kind": self.kind,
            "state": self.state, "total": self.total, "done": self.done,
            "remaining": self.total - self.done, "percent": round(self.progress, 1),
            "rate": round(self.rate, 1), "eta_seconds": self.eta_seconds,
            "failed": self.failed, "blocked": self.blocked,
            "objects": sorted(objects.values(), key=lambda o: (o["level"], o["name"])),
            "errors": issues,
            # once every batch is written, the workers read them back (see _run_one_batch)
            "phase": "writing" if pending else (
                "verifying" if self.state == "running" and verified < written else "done"),
            "verify": {"done": verified, "total": written},
        }

    @api.depends("diff_ids.status")
    def _compute_diff_summary(self):
        labels = dict(self.env["fsm.migration.diff"]._fields["status"].selection)
        for run in self:
            counts = {status: 0 for status in labels}
            for row in self.env["fsm.migration.diff"]._read_group(
                    [("run_id", "=", run.id)], ["status"], ["__count"]):
                counts[row[0]] = row[1]
            run.diff_summary = ", ".join(f"{labels[k]}: {v}" for k, v in counts.items())

    def _compute_diff(self, problems_only=False):
        """(Re)build the field-level diff of this run: every written record read back and
        compared with what the map expects (a full run keeps the problems as lines)."""
        self.ensure_one()
        self.diff_ids.unlink()
        counts, lines = RunDiff(self).lines(problems_only=problems_only)
        self.env["fsm.migration.diff"].create(lines)
        self.write({f"verified_{status}": count for status, count in counts.items()})

    def _rebuild_reference(self):
        """What does not migrate, as one JSON document: the records kept aside per source
        object, and the source vocabularies (statuses, priorities …) with what they became."""
        self.ensure_one()
        records = {}
        for batch in self.batch_ids.filtered("rebuild"):
            for obj, rows in batch.rebuild.items():
                records.setdefault(obj, []).extend(rows)
        vocabularies = {}
        for line in self.map_id.value_line_ids:
            vocabularies.setdefault(f"{line.source_object}.{line.source_field}", {})[
                line.source_value] = line.target_value
        return {"project": self.project_id.name, "run": self.id, "map_version":
                self.map_id.version, "records": records, "vocabularies": vocabularies,
                "not_migrated_objects": sorted(
                    self.map_id.object_line_ids.filtered(
                        lambda o: o.target_model == "rebuild.reference").mapped(
                        "source_object"))}

    def action_export_rebuild_reference(self):
        self.ensure_one()
        # (attached to the run, which no one writes: created as its own actions are)
        attachment = self._owner().env["ir.attachment"].create({
            "name": f"rebuild_reference_run_{self.id}.json", "mimetype": "application/json",
            "raw": json.dumps(self._rebuild_reference(), indent=1, default=str).encode(),
            "res_model": self._name, "res_id": self.id})
        return {"type": "ir.actions.act_url", "target": "self",
                "url": f"/web/content/{attachment.id}?download=true"}

    def action_open_diff(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "field_service_migration.fsm_migration_diff_action")
        action["domain"] = [("run_id", "=", self.id)]
        return action

    # --- staging ----------------------------------------------------------------------
    def _stage(self, source_ids=None):
        """Pull the source into batches, in dependency order. ``source_ids``
        ({object: set of ids}) restricts the pull (a sample). A delta run stages only what is
        new, changed (payload hash) or failed before, and lists what the source deleted. A
        batch is not cut inside a group of records that aggregate together (the line items
        of one work order)."""
        self.ensure_one()
        proposal = self.map_id._to_proposal()
        group_fields = {line.source_object: line.transform_args.get("group_by")
                        for line in proposal.field_maps
                        if not line.skip and (line.transform_args or {}).get("group_by")}
        source = self.project_id._make_source()
        vals_list, sequence, deleted, unreadable = [], 0, {}, {}
        try:
            available = set(source.list_objects())
            for level, obj in enumerate(dependency_order(proposal)):
                if obj not in available:
                    continue
                wanted = source_ids.get(obj) if source_ids is not None else None
                known, retry = self._delta_state(obj) if self.kind == "delta" else ({}, set())
                seen = set()
                group_by = group_fields.get(obj)
                page = []
                try:
                    for record in source.iter_records(obj):
                        rid = str(record.get("id"))
                        seen.add(rid)
                        if wanted is not None and rid not in wanted:
                            continue
                        if self.kind == "delta" and rid in known and rid not in retry \
                                and known[rid] == payload_hash(record):
                            continue  # unchanged since it was written
                        if len(page) >= self.batch_size and not (
                                group_by and record.get(group_by) == page[-1].get(group_by)):
                            vals_list.append(self._batch_vals(obj, level, sequence, page))
                            sequence, page = sequence + 1, []
                        page.append(record)
                        if len(vals_list) >= 20:  # bounded memory: staged pages go as we go
                            self.env["fsm.migration.batch"].create(vals_list)
                            vals_list = []
                except SourceObjectUnreadable as exc:
                    # one object the account cannot read (its plan, its rights): reported,
                    # the others migrate; what depends on it is blocked by that parent
                    unreadable[obj] = exc.to_dict()
                    _logger.info("run %s: %s", self.id, exc)
                    continue  # (nothing is listed as deleted from what was not read)
                if page:
                    vals_list.append(self._batch_vals(obj, level, sequence, page))
                    sequence += 1
                gone = sorted(set(known) - seen)
                if gone:
                    deleted[obj] = gone
        except SourceError as exc:
            raise UserError(_("Could not read the source: %s", exc)) from exc
        finally:
            source.close()
        self.env["fsm.migration.batch"].create(vals_list)
        self.unreadable_json = json.dumps(unreadable, indent=1) if unreadable else False
        if self.kind == "delta":
            self.write({"deleted_json": json.dumps(deleted, indent=1) if deleted else False,
                        "deleted_count": sum(len(ids) for ids in deleted.values())})

    def _delta_state(self, obj):
        """``({source id: payload hash} of the records earlier runs took, {ids to retry})``,
        from the pages those runs staged (the latest version of each record): a record
        that failed or was blocked is taken again until it lands."""
        self.env.cr.execute("""
            SELECT DISTINCT ON (elem->>'id') elem->>'id', elem
              FROM fsm_migration_batch b
              JOIN fsm_migration_run r ON r.id = b.run_id,
                   jsonb_array_elements(b.payload) elem
             WHERE r.project_id = %s AND r.id != %s AND r.state != 'rolled_back'
               AND b.source_object = %s AND b.state = 'done'
             ORDER BY elem->>'id', b.id DESC
        """, (self.project_id.id, self.id, obj))
        known = {source_id: payload_hash(record)
                 for source_id, record in self.env.cr.fetchall()}
        self.env.cr.execute("""
            SELECT DISTINCT i.source_id FROM fsm_migration_issue i
              JOIN fsm_migration_run r ON r.id = i.run_id
             WHERE r.project_id = %s AND i.source_object = %s AND r.id != %s
               AND r.state != 'rolled_back' AND i.status IN ('failed', 'blocked')
        """, (self.project_id.id, obj, self.id))
        retry = {row[0] for row in self.env.cr.fetchall()}
        return known, retry

    def _staged_children(self):
        """``{"object.field": parent ids}`` over this run's staged pages (for the mapper)."""
        children = {}
        for key in CHILD_KEYS:
            obj, field = key.split(".")
            self.env.cr.execute("""
                SELECT DISTINCT elem->>%s FROM fsm_migration_batch b,
                       jsonb_array_elements(b.payload) elem
                 WHERE b.run_id = %s AND b.source_object = %s
            """, (field, self.id, obj))
            children[key] = {row[0] for row in self.env.cr.fetchall() if row[0] is not None}
        return children

    def _batch_vals(self, obj, level, sequence, records):
        return {"run_id": self.id, "source_object": obj, "level": level, "sequence": sequence,
                "payload": records, "record_count": len(records)}

    # --- running ----------------------------------------------------------------------
    def _owner(self):
        """These runs as their own actions write them: runs, batches, bindings and issues
        are never written by a user directly (no access right allows it), so a Migration
        Manager's button writes them under sudo, once this check has passed."""
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(_("Only a Migration Manager starts, pauses or resumes a run."))
        self.check_access("read")  # the company rules still apply
        return self.sudo()

    def action_start(self, source_ids=None):
        self._owner()._start(source_ids)

    def _start(self, source_ids=None):
        for run in self:
            if run.state != "draft":
                continue
            if run.map_id.state != "confirmed":
                raise UserError(_("Runs use a confirmed map only."))
            run._stage(source_ids)
            run.write({"state": "running", "started_at": fields.Datetime.now()})
        self.env.ref("field_service_migration.ir_cron_fsm_migration_worker")._trigger()

    def action_pause(self):
        self._owner().filtered(lambda r: r.state == "running").state = "paused"

    def action_resume(self):
        self._owner().filtered(lambda r: r.state == "paused").state = "running"
        self.env.ref("field_service_migration.ir_cron_fsm_migration_worker")._trigger()

    def _run_one_batch(self, processor=None):
        """Claim and write one batch of this run in the current transaction.
        Returns the batch (empty when nothing is left)."""
        self.ensure_one()
        Batch = self.env["fsm.migration.batch"]
        batch, verify = Batch._claim_next(self), False
        if not batch:
            if self._left("pending"):
                return batch  # other workers hold the last batches
            # every batch is written: verify them (each worker takes the next one), as
            # late as this, for later batches may change what earlier ones wrote
            batch, verify = Batch._claim_unverified(self), True
            if not batch:
                if not self._left("unverified"):
                    self._finish()
                return batch
        own = processor is None
        processor = processor or BatchProcessor(self)
        try:
            with self.env.cr.savepoint():
                if verify:
                    batch._verify(processor)
                else:
                    batch._process(processor)
        except (pg_errors.SerializationFailure, pg_errors.DeadlockDetected):
            raise  # the worker's transaction is retried as a whole
        except Exception as exc:  # one broken batch must not stop the run
            _logger.exception("Migration batch %s failed", batch.id)
            if verify:
                batch.write({"verified": True, "error": f"verification failed: {exc}"})
            else:
                batch._mark_error(f"{type(exc).__name__}: {exc}")
        finally:
            if own:
                processor.close()
        return batch

    def _left(self, what):
        """Batches of this run still to write (``pending``) or to verify (``unverified``)."""
        domain = [("state", "=", "pending")] if what == "pending" else [
            ("state", "=", "done"), ("verified", "=", False)]
        return self.env["fsm.migration.batch"].search_count([("run_id", "=", self.id),
                                                             *domain])

    def _finish(self):
        self.ensure_one()
        if self.state == "running":
            # the leads' count in crm's lead scoring, left by the batches to this point
            self.batch_ids._apply_scoring()
            # what the workers' verification counted, batch by batch
            self.env.flush_all()
            self.env.cr.execute("""
                SELECT kv.key, SUM(kv.value::int) FROM fsm_migration_batch b,
                       jsonb_each_text(b.verify_counts) kv
                 WHERE b.run_id = %s AND b.verify_counts IS NOT NULL GROUP BY kv.key
            """, (self.id,))
            counts = dict(self.env.cr.fetchall())
            self.write({"state": "done", "finished_at": fields.Datetime.now(), **{
                f"verified_{status}": counts.get(status, 0)
                for status in DIFF_STATUSES}})
            self.project_id._on_run_done(self)

    def run_until_done(self, max_seconds=None):
        """Process batches (a rollback: chunks) in this transaction until none is left
        (tests, small runs); the command line commits between batches instead. Returns
        the count."""
        self.ensure_one()
        return self._owner()._run_until_done(max_seconds)

    def _run_until_done(self, max_seconds=None):
        started, count = time.monotonic(), 0
        if self.kind == "rollback":
            while self.state == "running":
                if not self._rollback_chunk() and self.state == "running":
                    break  # another worker holds this rollback
                count += 1
                if max_seconds and time.monotonic() - started > max_seconds:
                    break
            return count
        processor = BatchProcessor(self)
        try:
            while self.state == "running":
                if not self._run_one_batch(processor):
                    break
                count += 1
                if max_seconds and time.monotonic() - started > max_seconds:
                    break
        finally:
            processor.close()
        return count

    @api.model
    def _cron_work(self):
        """The worker cron: one batch of the oldest running run per call, while work
        remains (the cron framework calls again, commits between calls)."""
        run = self.search([("state", "=", "running")], order="id", limit=1)
        if not run:
            self.env["ir.cron"]._notify_progress(done=0, remaining=0)
            return
        if run.kind == "rollback":  # one chunk of journal entries
            done = run._rollback_chunk()
        else:
            batch = run._run_one_batch()
            done = batch.record_count if batch else 0
        remaining = self.env["fsm.migration.batch"].search_count(
            [("run_id.state", "=", "running"), "|", ("state", "=", "pending"),
             "&", ("state", "=", "done"), ("verified", "=", False)])
        remaining += sum(max(rollback.total - rollback.done, 0) for rollback in self.search(
            [("state", "=", "running"), ("kind", "=", "rollback")]))
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)

    # --- rollback ---------------------------------------------------------------------
    @api.model
    def _rollback_pending(self, project, target=None):
        """Journal entries of the scope (``target``: one run's, else the whole project's)
        not undone yet, newest first."""
        Journal = self.env["fsm.migration.journal"].sudo()
        domain = [("project_id", "=", project.id),
                  ("operation", "in", ("create", "write", "schema", "config"))]
        if target:
            domain.append(("batch_ref", "=", f"run:{target.id}"))
        entries = Journal.search(domain, order="id desc")
        undone = set(Journal.search([("undo_of_id", "in", entries.ids)]).mapped(
            "undo_of_id").ids)
        return entries.filtered(lambda e: e.id not in undone)

    @api.model
    def _rollback_conflicts(self, entries):
        """``{(model, id)}`` of the records of ``entries`` written in Odoo after the
        migration's last write to them."""
        last_write = {}
        for entry in entries:
            key = (entry.model, entry.res_id)
            last_write[key] = max(last_write.get(key, entry.date), entry.date)
        by_model = defaultdict(list)
        for model, res_id in last_write:
            if model in self.env and entry_is_record(model):
                by_model[model].append(res_id)
        conflicts = set()
        for model, ids in by_model.items():
            records = self.env[model].sudo().with_context(active_test=False).browse(ids).exists()
            for record in records:
                if record.write_date and (record.write_date
                                          > last_write[(model, record.id)] + EDIT_TOLERANCE):
                    conflicts.add((model, record.id))
        return conflicts

    @api.model
    def _start_rollback(self, project, target=None, force=False):
        """A running rollback of ``project`` (or of its run ``target``): what it will undo
        is counted now, and the records edited in Odoo since the migration are found now,
        before anything is reverted (its own restores must not look like edits). The
        chunks are then reverted by ``_rollback_chunk`` (cron, command line, or at once)."""
        # two rollbacks started at once: the second waits for the first, then sees it
        self.env.cr.execute("SELECT id FROM fsm_migration_project WHERE id = %s FOR UPDATE",
                            (project.id,))
        project._check_no_rollback_going()
        if target and target.kind == "rollback":
            raise UserError(_("A rollback is not rolled back: choose a sample, full run or "
                              "delta."))
        entries = self._rollback_pending(project, target)
        conflicts = set() if force else self._rollback_conflicts(entries)
        totals = {}
        for entry in entries:
            totals[entry.model] = totals.get(entry.model, 0) + 1
        self.env["fsm.migration.journal"].flush_model()
        self.env.cr.execute("SELECT coalesce(max(id), 0) FROM fsm_migration_journal")
        since = self.env.cr.fetchone()[0]
        rollback = self.sudo().create({
            "project_id": project.id, "kind": "rollback", "state": "running",
            "started_at": fields.Datetime.now(),
            "rollback_target_id": target.id if target else False,
            "rollback_force": bool(force), "rollback_total": len(entries),
            "rollback_totals": [[model, count] for model, count in totals.items()],
            "rollback_conflicts": sorted([model, res_id] for model, res_id in conflicts),
            "rollback_since": since, "rollback_cursor": since + 1,
            "rollback_stats": {}, "rollback_errors": []})
        return rollback.with_env(self.env)

    def _rollback_chunk(self, size=None):
        """Revert the next chunk of this rollback's journal entries (newest first,
        children before parents) in the current transaction; finish the rollback when
        none is left. Returns the entries gone through (0: none left, paused, or another
        worker holds this rollback)."""
        self.ensure_one()
        if self.kind != "rollback" or self.state != "running" or not self._lock_rollback():
            return 0
        size = size or self.env.context.get("fsm_rollback_chunk") or ROLLBACK_CHUNK
        entries = self._rollback_next(size)
        if entries:
            self._rollback_revert(entries)
        if len(entries) < size:
            self._rollback_finish()
        return len(entries)

    def _lock_rollback(self):
        """One worker per rollback: the run's row is locked for the chunk's transaction
        (another worker, or a concurrent pause, makes this one skip)."""
        self.flush_recordset()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "SELECT id FROM fsm_migration_run WHERE id = %s FOR UPDATE SKIP LOCKED",
                    (self.id,), log_exceptions=False)
                return bool(self.env.cr.fetchone())
        except (pg_errors.SerializationFailure, pg_errors.LockNotAvailable):
            return False

    def _rollback_next(self, size):
        """The next ``size`` entries of the scope below the cursor not undone yet."""
        Journal = self.env["fsm.migration.journal"].sudo()
        Journal.flush_model()
        ref = f"run:{self.rollback_target_id.id}" if self.rollback_target_id else None
        self.env.cr.execute("""
            SELECT j.id FROM fsm_migration_journal j
             WHERE j.project_id = %s AND j.id < %s
               AND j.operation IN ('create', 'write', 'schema', 'config')
               AND (%s IS NULL OR j.batch_ref = %s)
               AND NOT EXISTS (SELECT 1 FROM fsm_migration_journal u WHERE u.undo_of_id = j.id)
             ORDER BY j.id DESC LIMIT %s
        """, (self.project_id.id, self.rollback_cursor, ref, ref, size))
        return Journal.browse([row[0] for row in self.env.cr.fetchall()])

    def _rollback_revert(self, entries):
        """Revert ``entries`` (one chunk), as one unlink or write round per run of the same
        model and operation; a round Odoo refuses is retried entry by entry, and an entry
        it still refuses is kept (with the reason) for a next rollback."""
        conflicts = {tuple(pair) for pair in self.rollback_conflicts or []}
        # the Migration Manager group is the gate: business records are reverted with
        # superuser rights, as the user who rolled back (also from the cron), whom the
        # journal keeps
        author = self.create_uid.id or self.env.uid
        env = self.env(user=author, su=True, context=dict(
            self.env.context, tracking_disable=True, mail_notrack=True, active_test=False))
        stats = json.loads(json.dumps(self.rollback_stats or {}))
        errors = list(self.rollback_errors or [])
        undo, started = [], time.monotonic()
        for group in _consecutive(entries):
            model, tick = group[0].model, time.monotonic()
            row = stats.setdefault(model, {"kept": 0, "refused": 0, "seconds": 0.0})
            targets = [e for e in group if (e.model, e.res_id) not in conflicts]
            row["kept"] += len(group) - len(targets)
            if targets and model not in env:
                undo += [_undo_vals(e, "model not installed any more") for e in targets]
            elif targets:
                try:
                    with env.cr.savepoint():
                        _revert(env, targets)
                    undo += [_undo_vals(e) for e in targets]
                except Exception:  # retried one by one below, to keep the others
                    for entry in targets:
                        try:
                            with env.cr.savepoint():
                                _revert(env, [entry])
                            undo.append(_undo_vals(entry))
                        except Exception as exc:  # left for the next rollback
                            row["refused"] += 1
                            errors.append({"id": entry.id, "model": entry.model,
                                           "res_id": entry.res_id, "reason": str(exc)[:500]})
            row["seconds"] += time.monotonic() - tick
        self.env["fsm.migration.journal"]._log([dict(vals, user_id=author) for vals in undo])
        self.write({"rollback_cursor": min(entries.ids), "rollback_stats": stats,
                    "rollback_errors": errors[-ROLLBACK_ERRORS_KEPT:],
                    "rollback_seconds": self.rollback_seconds + time.monotonic() - started})
        _logger.info("Rollback %s of project %s: %s of %s journal entries gone through",
                     self.id, self.project_id.id, self.done, self.total)

    def _rollback_finish(self):
        """The last chunk is done: the scope's runs are rolled back, their bindings
        removed, and the project told."""
        self.ensure_one()
        self.env.flush_all()
        self.env.cr.execute("SELECT coalesce(max(id), 0) FROM fsm_migration_journal")
        until = self.env.cr.fetchone()[0]
        project, target = self.project_id, self.rollback_target_id
        scope = target or project.run_ids.filtered(lambda r: r.kind != "rollback")
        scope.filtered(lambda r: r.state in ("done", "paused", "failed")).write(
            {"state": "rolled_back"})
        self.env["fsm.migration.binding"].sudo().search(
            [("project_id", "=", project.id)]
            + ([("run_id", "=", target.id)] if target else [])).unlink()
        self.write({"state": "done", "finished_at": fields.Datetime.now(),
                    "rollback_until": until})
        refused = [f"{e['model']} #{e['res_id']}: {e['reason']}"
                   for e in self.rollback_errors or []]
        project._on_rolled_back(target, self.reverted, self.kept, refused)

    def _rollback_reverted(self):
        """``{model: entries reverted}`` by this rollback, from the undo entries it
        appended to the journal (one rollback of a project at a time)."""
        if not self.id or isinstance(self.id, models.NewId):
            return {}
        self.env["fsm.migration.journal"].flush_model()
        ref = f"run:{self.rollback_target_id.id}" if self.rollback_target_id else None
        until = self.rollback_until or None
        self.env.cr.execute("""
            SELECT model, count(*) FROM fsm_migration_journal
             WHERE project_id = %s AND operation = 'undo' AND undo_of_id IS NOT NULL
               AND id > %s AND (%s IS NULL OR id <= %s)
               AND (%s IS NULL OR batch_ref = %s)
             GROUP BY model
        """, (self.project_id.id, self.rollback_since, until, until, ref, ref))
        return dict(self.env.cr.fetchall())

    def _rollback_objects(self):
        """Per model, in the order the rollback reverts them: entries to undo, gone
        through (reverted, kept or refused), rate."""
        reverted, stats, objects = self._rollback_reverted(), self.rollback_stats or {}, []
        for level, (model, total) in enumerate(self.rollback_totals or []):
            row = stats.get(model) or {}
            kept, refused = row.get("kept", 0), row.get("refused", 0)
            done = reverted.get(model, 0) + kept + refused
            seconds = row.get("seconds", 0.0)
            objects.append({
                "name": model, "level": level, "total": total, "done": done,
                "reverted": reverted.get(model, 0), "kept": kept, "refused": refused,
                "failed": 0, "blocked": 0, "errors": 0, "seconds": round(seconds, 2),
                "percent": round(100.0 * done / total, 1) if total else 0,
                "rate": round(done / seconds, 1) if seconds else 0})
        return objects

    def _rollback_figures(self, objects=None):
        objects = self._rollback_objects() if objects is None else objects
        done = sum(o["done"] for o in objects)
        total = max(self.rollback_total, done)
        seconds = self.rollback_seconds
        rate = done / seconds if seconds else 0.0
        return {"total": total, "done": done,
                "progress": 100.0 * done / total if total else (
                    100.0 if self.state == "done" else 0.0),
                "rate": rate, "eta_seconds": int((total - done) / rate) if rate else 0,
                **dict.fromkeys(COUNTERS, 0),
                "reverted": sum(o["reverted"] for o in objects),
                "kept": sum(o["kept"] for o in objects),
                "refused": sum(o["refused"] for o in objects)}

    def _rollback_progress_data(self, errors=5):
        objects = self._rollback_objects()
        figures = self._rollback_figures(objects)
        return {
            "kind": "rollback", "state": self.state, "total": figures["total"],
            "done": figures["done"], "remaining": figures["total"] - figures["done"],
            "percent": round(figures["progress"], 1), "rate": round(figures["rate"], 1),
            "eta_seconds": figures["eta_seconds"], "failed": figures["refused"],
            "blocked": 0, "reverted": figures["reverted"], "kept": figures["kept"],
            "refused": figures["refused"], "objects": objects,
            # the records Odoo refused to revert, newest first, opening the record itself
            "errors": [{"id": e["id"], "res_model": e["model"], "res_id": e["res_id"],
                        "source_object": e["model"], "source_id": f"#{e['res_id']}",
                        "source_field": False, "reason": e["reason"]}
                       for e in reversed((self.rollback_errors or [])[-errors:])],
        }

    @api.depends("kind", "rollback_target_id")
    def _compute_rollback_scope(self):
        for run in self:
            target = run.rollback_target_id
            run.rollback_scope = (_("Only %s", target.display_name) if target else _(
                "The whole project (custom fields, stages and users included)")) \
                if run.kind == "rollback" else False

    @api.depends("rollback_errors")
    def _compute_rollback_error_text(self):
        for run in self:
            run.rollback_error_text = "\n".join(
                f"{e['model']} #{e['res_id']}: {e['reason']}"
                for e in run.rollback_errors or []) or False


def entry_is_record(model):
    """Schema entries (ir.model.fields) are not business records edited by users."""
    return model != "ir.model.fields"


def _consecutive(entries):
    """Runs of entries with the same model and operation, in the given order: one
    unlink or write round per run."""
    groups = []
    for entry in entries:
        if groups and (groups[-1][0].model, groups[-1][0].operation) == (entry.model,
                                                                        entry.operation):
            groups[-1].append(entry)
        else:
            groups.append([entry])
    return groups


def _revert(env, entries):
    """Undo entries of one model and operation in one round."""
    model, operation = entries[0].model, entries[0].operation
    records = env[model].browse([e.res_id for e in entries]).exists()
    if operation == "write":
        for entry in entries:
            record = records.filtered(lambda r, rid=entry.res_id: r.id == rid)
            if record and entry.old_values:
                record.write(_writable(record, entry.old_values))
    elif model == "res.users":
        _remove_users(records)
    else:
        records.unlink()


def _writable(record, old_values):
    vals = {}
    for name, value in old_values.items():
        field = record._fields.get(name)
        if field is None or field.readonly and not field.inverse:
            continue
        vals[name] = [(6, 0, value)] if field.type in ("many2many", "one2many") else value
    return vals


def _remove_users(users):
    """Users created by the plan: deleted with the partner Odoo made for them, or archived
    when Odoo refuses (they own data)."""
    for user in users:
        partner = user.partner_id
        try:
            with user.env.cr.savepoint():
                user.unlink()
                partner.unlink()
        except Exception:  # a user with history cannot be deleted
            user.active = False


def _undo_vals(entry, note=None):
    return {"project_id": entry.project_id.id, "operation": "undo", "model": entry.model,
            "res_id": entry.res_id, "source_object": entry.source_object,
            "source_id": entry.source_id, "batch_ref": entry.batch_ref,
            "undo_of_id": entry.id, "note": note}
