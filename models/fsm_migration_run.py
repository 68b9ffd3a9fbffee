import json
import logging
import time

from psycopg2 import errors as pg_errors

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..importers.diff import RunDiff
from ..importers.engine import BatchProcessor
from ..services.errors import SourceError
from ..services.record_mapper import dependency_order, payload_hash
from .fsm_migration_batch import COUNTERS

_logger = logging.getLogger(__name__)
#: "object.field" pairs whose parents the mapper asks about (work orders with line items
#: get a quotation): computed once from the staged pages
CHILD_KEYS = ("work_order_lines.work_order_id",)


class FsmMigrationRun(models.Model):
    """One execution of a confirmed map: a sample, the full run or a delta pickup.

    Staging pulls the source into batches (dependency level, page of records); workers
    (cron or the command line) then claim and write the batches. Progress, rate and ETA
    are summed from the batches, so concurrent workers never fight over one counter.
    """

    _name = "fsm.migration.run"
    _description = "Migration Run"
    _order = "id desc"

    project_id = fields.Many2one("fsm.migration.project", required=True, ondelete="cascade",
                                 index=True,
                                 help="The migration project.")
    company_id = fields.Many2one(related="project_id.company_id", store=True)
    map_id = fields.Many2one("fsm.migration.map", required=True, ondelete="restrict",
                             string="Map version",
                             help="The confirmed map version this run writes with.")
    kind = fields.Selection([("sample", "Sample"), ("full", "Full run"), ("delta", "Delta")],
                            required=True, default="full",
                            help="Sample: a representative slice; full run: everything; delta: "
                                 "what changed since.")
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

    @api.depends("kind", "state")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"].selection)
        states = dict(self._fields["state"].selection)
        for run in self:
            run.display_name = _("%(kind)s #%(id)s (%(state)s)", kind=kinds.get(run.kind),
                                 id=run.id or "", state=states.get(run.state))

    @api.depends("batch_ids.state")
    def _compute_progress(self):
        for run in self:
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
            })

    @api.depends("batch_ids.state", "issue_ids")
    def _compute_progress_data(self):
        for run in self:
            run.progress_data = run._progress_data()

    def _progress_data(self, errors=5):
        """Plain data for the live progress widget: overall, per object (dependency
        order), and the newest failed or blocked records."""
        self.ensure_one()
        objects = {}
        for row in self.batch_ids.read(["source_object", "level", "state", "record_count",
                                        "duration", "failed", "blocked"]):
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
            "state": self.state, "total": self.total, "done": self.done,
            "remaining": self.total - self.done, "percent": round(self.progress, 1),
            "rate": round(self.rate, 1), "eta_seconds": self.eta_seconds,
            "failed": self.failed, "blocked": self.blocked,
            "objects": sorted(objects.values(), key=lambda o: (o["level"], o["name"])),
            "errors": issues,
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
        attachment = self.env["ir.attachment"].create({
            "name": f"rebuild_reference_run_{self.id}.json", "mimetype": "application/json",
            "raw": json.dumps(self._rebuild_reference(), indent=1, default=str).encode(),
            "res_model": self._name, "res_id": self.id})
        return {"type": "ir.actions.act_url", "target": "self",
                "url": f"/web/content/{attachment.id}?download=true"}

    def action_open_diff(self):
        self.ensure_one()
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
        vals_list, sequence, deleted = [], 0, {}
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
                    if len(vals_list) >= 20:  # bounded memory: write staged pages as we go
                        self.env["fsm.migration.batch"].create(vals_list)
                        vals_list = []
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
    def action_start(self, source_ids=None):
        for run in self:
            if run.state != "draft":
                continue
            if run.map_id.state != "confirmed":
                raise UserError(_("Runs use a confirmed map only."))
            run._stage(source_ids)
            run.write({"state": "running", "started_at": fields.Datetime.now()})
        self.env.ref("field_service_migration.ir_cron_fsm_migration_worker")._trigger()

    def action_pause(self):
        self.filtered(lambda r: r.state == "running").state = "paused"

    def action_resume(self):
        self.filtered(lambda r: r.state == "paused").state = "running"
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
                for status in ("equal", "transformed", "different", "missing")}})
            self.project_id._on_run_done(self)

    def run_until_done(self, max_seconds=None):
        """Process batches in this transaction until none is left (tests, small runs);
        the command line commits between batches instead. Returns the count."""
        self.ensure_one()
        started, count = time.monotonic(), 0
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
        batch = run._run_one_batch()
        remaining = self.env["fsm.migration.batch"].search_count(
            [("run_id.state", "=", "running"), "|", ("state", "=", "pending"),
             "&", ("state", "=", "done"), ("verified", "=", False)])
        self.env["ir.cron"]._notify_progress(done=batch.record_count if batch else 0,
                                             remaining=remaining)
