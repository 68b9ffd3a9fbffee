"""A page of source records staged for a run: its payload, its state, its retries."""

import logging
import time

from odoo import fields, models

from ..importers.diff import RunDiff
from ..importers.lead_writer import apply_scoring

_logger = logging.getLogger(__name__)
COUNTERS = ("created", "updated", "skipped", "failed", "blocked")


class FsmMigrationBatch(models.Model):
    """A page of staged source records of one object, processed in one transaction.

    Batches of a run are claimed by workers with ``FOR UPDATE SKIP LOCKED``, lowest
    dependency level first; a batch is done when its transaction commits, so a worker
    killed mid-batch leaves it pending for the next one.
    """

    _name = "fsm.migration.batch"
    _description = "Migration Batch"
    _order = "run_id, level, sequence"

    run_id = fields.Many2one("fsm.migration.run", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="run_id.company_id", store=True)
    source_object = fields.Char(required=True)
    level = fields.Integer(required=True, help="Dependency level: lower levels run first.")
    sequence = fields.Integer(required=True)
    state = fields.Selection([("pending", "Pending"), ("done", "Done"), ("error", "Error")],
                             default="pending", required=True, index=True)
    # the raw source records hold what the dictionary masks (tokens, personal data):
    # Migration Managers only
    payload = fields.Json(help="The staged source records.", prefetch=False,
                          groups="field_service_migration.group_migration_manager")
    rebuild = fields.Json(prefetch=False, help="What of this batch has no home in Odoo and "
                                               "goes to the JSON rebuild reference.")
    record_count = fields.Integer(required=True)
    attempts = fields.Integer()
    error = fields.Text(help="Why the batch itself could not be processed.")
    duration = fields.Float(help="Seconds spent writing the batch.")
    finished_at = fields.Datetime()
    created = fields.Integer()
    updated = fields.Integer()
    skipped = fields.Integer()
    failed = fields.Integer()
    blocked = fields.Integer()
    verified = fields.Boolean(
        index=True, help="Read back and compared with the map, once every batch of the "
                         "run was written (workers verify batches side by side).")
    verify_counts = fields.Json(prefetch=False,
                                help="Fields read back per status: equal, transformed, "
                                     "different, missing.")
    role_times = fields.Json(prefetch=False,
                             help="Seconds spent writing each role of the batch (resolve, "
                                  "validate, create or update, bind, journal) and its records: "
                                  "the rate of one target model (the leads of the work "
                                  "orders), mapping and read-back aside.")
    scoring = fields.Json(prefetch=False,
                          help="Leads this batch created in a won stage, whose count in "
                               "crm's predictive lead scoring is made when the run ends.")

    def _claim_next(self, run):
        """Lock and return the next batch of ``run`` a worker may process (or nothing):
        the lowest pending level, skipping the batches other workers hold."""
        self.env.cr.execute("""
            SELECT id FROM fsm_migration_batch
             WHERE run_id = %s AND state = 'pending'
               AND level = (SELECT min(level) FROM fsm_migration_batch
                             WHERE run_id = %s AND state = 'pending')
             ORDER BY sequence
             LIMIT 1
             FOR UPDATE SKIP LOCKED
        """, (run.id, run.id))
        row = self.env.cr.fetchone()
        return self.browse(row[0]) if row else self.browse()

    def _claim_unverified(self, run):
        """Lock and return a written batch of ``run`` nobody verifies yet (or nothing)."""
        self.env.cr.execute("""
            SELECT id FROM fsm_migration_batch
             WHERE run_id = %s AND state = 'done' AND NOT COALESCE(verified, FALSE)
             ORDER BY level, sequence
             LIMIT 1
             FOR UPDATE SKIP LOCKED
        """, (run.id,))
        row = self.env.cr.fetchone()
        return self.browse(row[0]) if row else self.browse()

    def _verify(self, processor):
        """Read back what this batch wrote and compare it with the map (see importers.diff);
        a full run keeps the problem lines, a sample every line."""
        self.ensure_one()
        differ = getattr(processor, "differ", None)
        if differ is None or differ.run != self.run_id:
            differ = processor.differ = RunDiff(self.run_id, processor)
        counts, lines = differ.batch_lines(self, problems_only=self.run_id.kind != "sample")
        self.env["fsm.migration.diff"].create(lines)
        self.write({"verified": True, "verify_counts": counts})
        return counts

    def _process(self, processor):
        """Write this batch through ``processor`` (an ``importers.engine`` processor)."""
        self.ensure_one()
        started = time.monotonic()
        counters = processor.process(self.source_object, self.payload or [], batch=self)
        self.write({**{k: counters.get(k, 0) for k in COUNTERS}, "state": "done",
                    "duration": time.monotonic() - started, "finished_at": fields.Datetime.now(),
                    "attempts": self.attempts + 1, "scoring": processor.scoring or False,
                    "role_times": processor.role_times or False})
        return counters

    def _apply_scoring(self):
        """Count the leads these batches created in a won stage in crm's predictive lead
        scoring, in one go (see importers.lead_writer); once: the batches forget them."""
        batches = self.filtered("scoring")
        if batches:
            apply_scoring(self.env(su=True), batches.mapped("scoring"))
            batches.write({"scoring": False})

    def _mark_error(self, message, max_attempts=3):
        self.ensure_one()
        attempts = self.attempts + 1
        self.write({"attempts": attempts, "error": message,
                    "state": "error" if attempts >= max_attempts else "pending"})
        _logger.warning("Migration batch %s (%s) failed, attempt %s: %s", self.id,
                        self.source_object, attempts, message)
