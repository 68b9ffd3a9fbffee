import logging
import time

from odoo import fields, models

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
    payload = fields.Json(help="The staged source records.", prefetch=False)
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

    def _process(self, processor):
        """Write this batch through ``processor`` (an ``importers.engine`` processor)."""
        self.ensure_one()
        started = time.monotonic()
        counters = processor.process(self.source_object, self.payload or [], batch=self)
        self.write({**{k: counters.get(k, 0) for k in COUNTERS}, "state": "done",
                    "duration": time.monotonic() - started, "finished_at": fields.Datetime.now(),
                    "attempts": self.attempts + 1})
        return counters

    def _mark_error(self, message, max_attempts=3):
        self.ensure_one()
        attempts = self.attempts + 1
        self.write({"attempts": attempts, "error": message,
                    "state": "error" if attempts >= max_attempts else "pending"})
        _logger.warning("Migration batch %s (%s) failed, attempt %s: %s", self.id,
                        self.source_object, attempts, message)
