"""A migration run: the source staged into batches, then written by the workers."""

import json
import logging
import time

from psycopg2 import errors as pg_errors

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .. import compat
from ..importers.diff import DIFF_STATUSES
from ..importers.engine import BatchProcessor
from ..services.engine import dependency_order, payload_hash
from ..services.errors import SourceError, SourceObjectUnreadable

MANAGER_GROUP = "field_service_migration.group_migration_manager"

_logger = logging.getLogger(__name__)
#: "object.field" pairs whose parents the mapper asks about (work orders with line items
#: get a quotation): computed once from the staged pages
CHILD_KEYS = ("work_order_lines.work_order_id",)


class FsmMigrationRun(models.Model):
    """One execution of a confirmed map: a sample, the full run or a delta pickup; or a
    rollback of the project (or of one run).

    Staging pulls the source into batches (dependency level, page of records); workers
    (cron or the command line) then claim and write the batches. Progress, rate and ETA
    are summed from the batches, so concurrent workers never fight over one counter.
    A rollback has no batches: it reverts its scope's journal entries in chunks, newest
    first, one transaction each, and its progress is counted from the undo entries it
    appends to the journal.

    Its parts have their own files: ``fsm_migration_run_progress`` (counters, live
    progress), ``fsm_migration_run_verify`` (the diff), ``fsm_migration_run_rollback``.
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
            compat.cron_progress(self.env, 0, 0)
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
        compat.cron_progress(self.env, done, remaining)
