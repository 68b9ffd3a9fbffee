"""Wizard: roll a run or a whole project back, after saying what will be undone."""

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.fsm_migration_run_rollback import ROLLBACK_CHUNK

#: journal entries a rollback reverts at once, in the request; above, the worker cron
#: reverts it chunk by chunk (``fsm_rollback_sync_max`` in the context overrides it)
SYNC_ROLLBACK_MAX = 2000


class FsmMigrationRollback(models.TransientModel):
    """Reverts what a project (or one of its runs) wrote, from the journal: created records
    removed children first, updated records given their old values back, custom fields,
    stages, products and users created by the plan removed (users archived when Odoo
    refuses to delete them). Records edited in Odoo after the migration are conflicts:
    listed and kept unless *force* is set. Rolling back twice is harmless, and an
    interrupted rollback finishes when started again: undone entries are skipped.

    Confirming creates a run of kind *rollback* that tracks it (scope, force, entries to
    undo, progress per model, refused entries); a big one goes on in the background,
    chunk by chunk, and can be paused and resumed like a run."""

    _name = "fsm.migration.rollback"
    _description = "Roll a Migration Back"

    project_id = fields.Many2one("fsm.migration.project", required=True, ondelete="cascade",
                                 default=lambda self: self.env.context.get("active_id"),
                                 help="The project to roll back.")
    run_id = fields.Many2one("fsm.migration.run",
                             domain="[('project_id', '=', project_id), ('kind', '!=', 'rollback')]",
                             help="Only this run's writes (leave empty for the whole project, "
                                  "schema included).")
    force = fields.Boolean(help="Also revert records edited in Odoo since the migration.")
    to_remove = fields.Integer(compute="_compute_preview", string="Records to remove",
                               help="Records the migration created, deleted now (children first).")
    to_restore = fields.Integer(compute="_compute_preview", string="Records to restore",
                                help="Records the migration changed, given their old values "
                                     "back.")
    schema_to_remove = fields.Integer(compute="_compute_preview",
                                      string="Fields, stages, users to remove",
                                      help="Custom fields, stages, products and users the plan "
                                           "or the runs created.")
    conflict_count = fields.Integer(compute="_compute_preview", string="Conflicts",
                                    help="Records edited in Odoo since the migration wrote them.")
    summary = fields.Char(compute="_compute_preview", string="What will happen",
                          help="The rollback in one sentence, before it happens.")
    conflicts = fields.Text(compute="_compute_preview", string="Conflicting records",
                            help="Records edited in Odoo after the migration wrote them.")

    def _pending(self):
        """Journal entries of the scope not undone yet, newest first."""
        self.ensure_one()
        return self.env["fsm.migration.run"]._rollback_pending(self.project_id, self.run_id)

    def _conflicts(self, entries):
        """Entries whose record was written in Odoo after the migration's last write."""
        return self.env["fsm.migration.run"]._rollback_conflicts(entries)

    @api.depends("project_id", "run_id", "force")
    def _compute_preview(self):
        for wizard in self:
            entries = wizard._pending() if wizard.project_id else self.env[
                "fsm.migration.journal"]
            conflicts = wizard._conflicts(entries)
            wizard.update({
                "to_remove": len(entries.filtered(lambda e: e.operation == "create")),
                "to_restore": len(entries.filtered(lambda e: e.operation == "write")),
                "schema_to_remove": len(entries.filtered(
                    lambda e: e.operation in ("schema", "config"))),
                "conflict_count": len(conflicts),
                "summary": _(
                    "%(remove)s records removed, %(restore)s restored, %(schema)s fields, "
                    "stages and users removed; %(conflicts)s records edited in Odoo since "
                    "the migration %(fate)s.", remove=len(entries.filtered(
                        lambda e: e.operation == "create")),
                    restore=len(entries.filtered(lambda e: e.operation == "write")),
                    schema=len(entries.filtered(lambda e: e.operation in ("schema", "config"))),
                    conflicts=len(conflicts),
                    fate=_("reverted too (forced)") if wizard.force else _("kept")),
                "conflicts": "\n".join(f"{model} #{res_id}"
                                       for model, res_id in sorted(conflicts)[:200]) or False,
            })
            limit = self.env.context.get("fsm_rollback_sync_max", SYNC_ROLLBACK_MAX)
            if len(entries) > limit:
                wizard.summary += " " + _(
                    "%(entries)s journal entries: the rollback goes on in the background, "
                    "%(chunk)s at a time; its progress opens, and it can be paused.",
                    entries=len(entries), chunk=ROLLBACK_CHUNK)

    def _start(self):
        """The rollback's run, running: what it undoes and the conflicts it keeps are
        counted now; its chunks are reverted by the caller, the cron or the command line."""
        self.ensure_one()
        self.project_id.check_access("write")
        self.project_id._check_no_rollback_going()
        if self.project_id.run_ids.filtered(lambda r: r.state == "running"):
            raise UserError(_("Pause or finish the running migration before rolling back."))
        return self.env["fsm.migration.run"]._start_rollback(self.project_id, self.run_id,
                                                             self.force)

    def action_rollback(self):
        """Small rollbacks are done at once, in this request; bigger ones are left to the
        worker cron, chunk by chunk, and their run opens with the live progress."""
        rollback = self._start()
        limit = self.env.context.get("fsm_rollback_sync_max", SYNC_ROLLBACK_MAX)
        if rollback.total <= limit:
            rollback.run_until_done()
            return {"type": "ir.actions.act_window_close"}
        self.env.ref("field_service_migration.ir_cron_fsm_migration_worker")._trigger()
        return {"type": "ir.actions.act_window", "res_model": "fsm.migration.run",
                "res_id": rollback.id, "view_mode": "form", "views": [[False, "form"]],
                "target": "current", "name": _("Rollback")}
