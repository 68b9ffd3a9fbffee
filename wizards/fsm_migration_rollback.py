import logging
from collections import defaultdict
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)
#: a record written this long after the migration's last write to it was edited in Odoo
EDIT_TOLERANCE = timedelta(seconds=2)


class FsmMigrationRollback(models.TransientModel):
    """Reverts what a project (or one of its runs) wrote, from the journal: created records
    removed children first, updated records given their old values back, custom fields,
    stages, products and users created by the plan removed (users archived when Odoo
    refuses to delete them). Records edited in Odoo after the migration are conflicts:
    listed and kept unless *force* is set. Rolling back twice is harmless, and an
    interrupted rollback finishes when started again: undone entries are skipped."""

    _name = "fsm.migration.rollback"
    _description = "Roll a Migration Back"

    project_id = fields.Many2one("fsm.migration.project", required=True, ondelete="cascade",
                                 default=lambda self: self.env.context.get("active_id"),
                                 help="The project to roll back.")
    run_id = fields.Many2one("fsm.migration.run", domain="[('project_id', '=', project_id)]",
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
        domain = [("project_id", "=", self.project_id.id),
                  ("operation", "in", ("create", "write", "schema", "config"))]
        if self.run_id:
            domain.append(("batch_ref", "=", f"run:{self.run_id.id}"))
        entries = self.env["fsm.migration.journal"].sudo().search(domain, order="id desc")
        undone = set(self.env["fsm.migration.journal"].sudo().search(
            [("undo_of_id", "in", entries.ids)]).mapped("undo_of_id").ids)
        return entries.filtered(lambda e: e.id not in undone)

    def _conflicts(self, entries):
        """Entries whose record was written in Odoo after the migration's last write."""
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

    def action_rollback(self):
        self.ensure_one()
        self.project_id.check_access("write")
        if self.project_id.run_ids.filtered(lambda r: r.state == "running"):
            raise UserError(_("Pause or finish the running migration before rolling back."))
        entries = self._pending()
        conflicts = set() if self.force else self._conflicts(entries)
        # the Migration Manager group is the gate: business records are reverted with
        # superuser rights, the journal keeps the real user
        env = self.env(su=True, context=dict(self.env.context, tracking_disable=True,
                                             mail_notrack=True, active_test=False))
        undo, kept, refused = [], 0, []
        for group in _consecutive(entries):
            model = group[0].model
            targets = [e for e in group if (e.model, e.res_id) not in conflicts]
            kept += len(group) - len(targets)
            if not targets:
                continue
            if model not in env:
                undo += [_undo_vals(e, "model not installed any more") for e in targets]
                continue
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
                        refused.append(f"{entry.model} #{entry.res_id}: {exc}")
        self.env["fsm.migration.journal"]._log(undo)
        scope = self.run_id or self.project_id.run_ids
        scope.filtered(lambda r: r.state in ("done", "paused", "failed")).write(
            {"state": "rolled_back"})
        bindings = self.env["fsm.migration.binding"].sudo().search(
            [("project_id", "=", self.project_id.id)]
            + ([("run_id", "=", self.run_id.id)] if self.run_id else []))
        bindings.unlink()
        self.project_id._on_rolled_back(self.run_id, len(undo), kept, refused)
        return {"type": "ir.actions.act_window_close"}


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
