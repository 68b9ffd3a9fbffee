"""The journal: every Odoo record a run created or changed, with the values before, for the undo."""

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..importers.bulk import insert_rows

OPERATIONS = [
    ("create", "Created"),
    ("write", "Updated"),
    ("schema", "Schema created"),
    ("config", "Configuration created"),
    ("undo", "Undone"),
]


class FsmMigrationJournal(models.Model):
    """Append-only log of every write a migration makes, enough to audit and undo it.

    A ``write`` entry keeps the old values of the fields it changed; ``create``,
    ``schema`` (custom fields) and ``config`` (stages, users, tags) entries say what to
    remove. Undoing adds ``undo`` entries; nothing here is ever modified or deleted
    (only deleting the whole project removes its journal).
    """

    _name = "fsm.migration.journal"
    _description = "Migration Journal Entry"
    _order = "id desc"
    _log_access = False  # the entry carries its own user and date, and is never written

    project_id = fields.Many2one("fsm.migration.project", required=True, ondelete="cascade",
                                 index=True, readonly=True,
                                 help="The migration project that made the change.")
    company_id = fields.Many2one(related="project_id.company_id", store=True)
    # the transaction's time, as the write_date of the records it wrote (conflicts compare
    # the two)
    date = fields.Datetime(required=True, readonly=True, default=lambda self: self.env.cr.now(),
                           index=True,
                           help="When the change was written.")
    user_id = fields.Many2one("res.users", required=True, readonly=True,
                              default=lambda self: self.env.user, ondelete="restrict",
                              help="Who ran the step that made the change.")
    operation = fields.Selection(OPERATIONS, required=True, readonly=True,
                                 help="create, write (old values kept), schema or config "
                                      "(fields, stages, users the plan created), or undo (a "
                                      "rollback reverted an entry).")
    model = fields.Char(required=True, readonly=True, index=True,
                        help="The Odoo model changed.")
    res_id = fields.Integer(string="Record ID", required=True, readonly=True,
                            help="The id of the Odoo record changed.")
    source_object = fields.Char(readonly=True,
                                help="The source object the change came from.")
    source_id = fields.Char(string="Source ID", readonly=True,
                            help="The source record's id.")
    batch_ref = fields.Char(string="Batch", readonly=True,
                            help="The run and batch that made the write.")
    old_values = fields.Json(readonly=True,
                             help="For an update: the values of the changed fields before it.")
    new_values = fields.Json(readonly=True, help="The values the migration wrote.")
    note = fields.Char(readonly=True,
                       help="Details, e.g. the custom field's model and name.")
    undo_of_id = fields.Many2one("fsm.migration.journal", readonly=True, index=True,
                                 ondelete="cascade", string="Undoes",
                                 help="For an undo entry: the entry it reverted.")

    @api.model
    def _log(self, entries):
        """Append entries (dicts) in one INSERT; the only way rows are added."""
        return insert_rows(self.sudo(), entries)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get("fsm_journal_append"):
            raise UserError(_("The migration journal is written by migrations only."))
        return super().create(vals_list)

    def write(self, vals):
        self._refuse_change(_("The migration journal is append-only: entries cannot be "
                              "changed."))
        return super().write(vals)

    def unlink(self):
        self._refuse_change(_("The migration journal is append-only: delete the project "
                              "instead."))
        return super().unlink()

    @api.model
    def _refuse_change(self, message):
        raise UserError(message)
