"""Bindings: which Odoo record a source record became, per project and role."""

from odoo import fields, models

from .. import compat


class FsmMigrationBinding(models.Model):
    """The only place that knows which Odoo record a source record became.

    One row per (project, source object, source id, role): a Dispatch customer may give a
    company, a contact and a billing address, each its own role. The payload hash of the
    source record tells an unchanged record (skipped on re-run) from a changed one.
    A record shared by several source records is written by one of them (``origin_id``).
    """

    _name = "fsm.migration.binding"
    _description = "Migration Binding"
    _order = "id"

    project_id = fields.Many2one("fsm.migration.project", required=True, ondelete="cascade",
                                 index=True)
    company_id = fields.Many2one(related="project_id.company_id", store=True)
    source_identity = fields.Char(
        related="project_id.source_identity", store=True, index=True,
        help="The source the record came from: another project on the same source binds "
             "to this record instead of creating it again.")
    source_object = fields.Char(required=True)
    source_id = fields.Char(string="Source ID", required=True)
    role = fields.Char(required=True)
    model = fields.Char(required=True)
    res_id = fields.Integer(string="Record ID", required=True, index=True)
    payload_hash = fields.Char()
    run_id = fields.Many2one("fsm.migration.run", ondelete="set null",
                             help="The run that last wrote the record.")
    origin_id = fields.Char(
        string="Written from",
        help="For an Odoo record several source records stand for (the same person on "
             "several jobs, one company named by several customers, a service location "
             "typed again): the source record whose values it holds. The others are bound "
             "to it and counted skipped; only this one updates it.")

    compat.table_constraints(locals(), [
        ("binding_uniq", "unique(project_id, source_object, source_id, role)",
         "A source record is bound once per role and project."),
    ])

    def init(self):
        # the engine looks bindings up by (project, object, role, source id) in lists
        self.env.cr.execute("""
            CREATE INDEX IF NOT EXISTS fsm_migration_binding_lookup_idx
            ON fsm_migration_binding (project_id, source_object, role, source_id)
        """)
