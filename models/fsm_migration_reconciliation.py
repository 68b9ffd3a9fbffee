"""The reconciliation report: per run and object, source count against created, updated,
skipped, failed, blocked."""

from odoo import fields, models, tools


class FsmMigrationReconciliation(models.Model):
    """Per run and source object: what the source had and what became of it. A database
    view over the batches and the record issues; every figure opens its records."""

    _name = "fsm.migration.reconciliation"
    _description = "Migration Reconciliation"
    _auto = False
    _order = "run_id desc, level"
    # pending ORM writes to these are flushed before the view is read
    _depends = {
        "fsm.migration.batch": ["run_id", "source_object", "level", "state", "record_count",
                                "created", "updated", "skipped", "failed", "blocked"],
        "fsm.migration.issue": ["run_id", "source_object", "source_id", "status"],
        "fsm.migration.run": ["project_id", "company_id"],
    }

    run_id = fields.Many2one("fsm.migration.run", readonly=True,
                             help="The run.")
    project_id = fields.Many2one("fsm.migration.project", readonly=True,
                                 help="The project of the run.")
    company_id = fields.Many2one("res.company", readonly=True)
    kind = fields.Selection(related="run_id.kind")
    run_state = fields.Selection(related="run_id.state", string="Run state")
    level = fields.Integer(readonly=True,
                           help="Dependency level of the object (lower levels are written "
                                "first).")
    source_object = fields.Char(readonly=True,
                                help="The source object.")
    source = fields.Integer(readonly=True, help="Records the run read from the source.")
    created = fields.Integer(readonly=True,
                             help="Odoo records created.")
    updated = fields.Integer(readonly=True,
                             help="Odoo records updated (bound before, changed in the source).")
    skipped = fields.Integer(readonly=True,
                             help="Records unchanged since they were written.")
    failed = fields.Integer(readonly=True,
                            help="Records Odoo refused, or whose values do not fit.")
    blocked = fields.Integer(readonly=True,
                             help="Records whose parent is missing.")
    conflicts = fields.Integer(readonly=True,
                               help="Records changed in the source and edited in Odoo since.")
    warnings = fields.Integer(
        readonly=True, help="Values written as typed or left empty (the record was written), "
                            "and records bound to what another project made from the same "
                            "source.")
    balanced = fields.Boolean(readonly=True, help="created + updated + skipped + failed + "
                                                  "blocked = source")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(f"""
            CREATE VIEW {self._table} AS
            SELECT min(b.id) AS id, b.run_id, r.project_id, r.company_id,
                   min(b.level) AS level, b.source_object,
                   sum(b.record_count) AS source, sum(coalesce(b.created, 0)) AS created,
                   sum(coalesce(b.updated, 0)) AS updated,
                   sum(coalesce(b.skipped, 0)) AS skipped,
                   sum(coalesce(b.failed, 0)) AS failed,
                   sum(coalesce(b.blocked, 0)) AS blocked,
                   (SELECT count(DISTINCT i.source_id) FROM fsm_migration_issue i
                     WHERE i.run_id = b.run_id AND i.source_object = b.source_object
                       AND i.status = 'conflict') AS conflicts,
                   (SELECT count(*) FROM fsm_migration_issue i
                     WHERE i.run_id = b.run_id AND i.source_object = b.source_object
                       AND i.status = 'warning') AS warnings,
                   -- Odoo stores an integer 0 as NULL
                   sum(coalesce(b.created, 0) + coalesce(b.updated, 0)
                       + coalesce(b.skipped, 0) + coalesce(b.failed, 0)
                       + coalesce(b.blocked, 0)) = sum(b.record_count) AS balanced
              FROM fsm_migration_batch b
              JOIN fsm_migration_run r ON r.id = b.run_id
             WHERE b.state != 'pending'
             GROUP BY b.run_id, r.project_id, r.company_id, b.source_object
        """)

    def _open(self, model, domain, name):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": model, "name": name,
                "view_mode": "list,form", "domain": domain, "target": "current"}

    def _issues(self, status):
        return self._open("fsm.migration.issue", [
            ("run_id", "=", self.run_id.id), ("source_object", "=", self.source_object),
            ("status", "=", status)], f"{self.source_object}: {status}")

    def action_open_failed(self):
        return self._issues("failed")

    def action_open_blocked(self):
        return self._issues("blocked")

    def action_open_conflicts(self):
        return self._issues("conflict")

    def action_open_warnings(self):
        return self._issues("warning")

    def action_open_written(self):
        """The Odoo records this run bound for the object (created or updated)."""
        return self._open("fsm.migration.binding", [
            ("run_id", "=", self.run_id.id), ("source_object", "=", self.source_object)],
            f"{self.source_object}: written")
