"""Throughput report: records per second per run and object (SQL view)."""

from odoo import fields, models, tools


class FsmMigrationThroughput(models.Model):
    """Records written per minute, run and source object: a database view over the
    written batches (Odoo's views group dates by day at the finest, a run lasts minutes)."""

    _name = "fsm.migration.throughput"
    _description = "Migration Throughput"
    _auto = False
    _order = "minute, source_object"
    _depends = {
        "fsm.migration.batch": ["run_id", "source_object", "state", "record_count",
                                "duration", "finished_at"],
        "fsm.migration.run": ["project_id", "company_id"],
    }

    minute = fields.Datetime(readonly=True, string="Start of the minute",
                             help="The minute the batches were written in.")
    minute_label = fields.Char(readonly=True, string="Minute",
                               help="Date, hour and minute (UTC) the batches were written in.")
    run_id = fields.Many2one("fsm.migration.run", readonly=True, help="The run.")
    project_id = fields.Many2one("fsm.migration.project", readonly=True,
                                 help="The project of the run.")
    company_id = fields.Many2one("res.company", readonly=True)
    source_object = fields.Char(readonly=True, help="The source object written.")
    records = fields.Integer(readonly=True,
                             help="Source records in the batches written that minute.")
    batches = fields.Integer(readonly=True, help="Batches written that minute.")
    seconds = fields.Float(readonly=True, help="Seconds the workers spent writing them.")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(f"""
            CREATE VIEW {self._table} AS
            SELECT min(b.id) AS id, date_trunc('minute', b.finished_at) AS minute,
                   to_char(date_trunc('minute', b.finished_at), 'YYYY-MM-DD HH24:MI')
                       AS minute_label,
                   b.run_id, r.project_id, r.company_id, b.source_object,
                   sum(b.record_count) AS records, count(*) AS batches,
                   sum(coalesce(b.duration, 0)) AS seconds
              FROM fsm_migration_batch b
              JOIN fsm_migration_run r ON r.id = b.run_id
             WHERE b.state = 'done' AND b.finished_at IS NOT NULL
             GROUP BY date_trunc('minute', b.finished_at), b.run_id, r.project_id,
                      r.company_id, b.source_object
        """)
