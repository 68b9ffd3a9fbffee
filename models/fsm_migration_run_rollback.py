"""A rollback run: its scope, the journal entries reverted in chunks, newest first."""

import json
import logging
import time
from collections import defaultdict
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .fsm_migration_batch import COUNTERS

_logger = logging.getLogger(__name__)
#: journal entries a rollback reverts per transaction (one chunk, committed by the cron or
#: the command line)
ROLLBACK_CHUNK = 500
#: a record written this long after the migration's last write to it was edited in Odoo
EDIT_TOLERANCE = timedelta(seconds=2)
#: refused journal entries kept on a rollback (the newest), with their reason
ROLLBACK_ERRORS_KEPT = 200


class FsmMigrationRunRollback(models.Model):
    """A run of kind *rollback*: it has no batches; it reverts its scope's journal entries
    in chunks, one transaction each, and counts its progress from the undo entries."""

    _inherit = "fsm.migration.run"

    # --- a rollback: its scope, and where it is (chunks of journal entries) -----------
    rollback_target_id = fields.Many2one(
        "fsm.migration.run", string="Run rolled back", readonly=True, ondelete="cascade",
        help="Rollback: only this run's writes are reverted (empty: the whole project, "
             "custom fields, stages and users included).")
    rollback_scope = fields.Char(
        compute="_compute_rollback_scope", string="Scope",
        help="Rollback: what it reverts, the whole project or one run's writes.")
    rollback_force = fields.Boolean(
        string="Forced", readonly=True,
        help="Rollback: records edited in Odoo since the migration are reverted too.")
    rollback_total = fields.Integer(
        string="Entries to undo", readonly=True,
        help="Rollback: journal entries of its scope not undone yet when it started.")
    rollback_totals = fields.Json(readonly=True,
                                  help="Rollback: [model, entries] in the order it reverts.")
    rollback_conflicts = fields.Json(
        readonly=True, help="Rollback: [model, id] of the records edited in Odoo since the "
                            "migration, found when it started (kept unless forced).")
    rollback_since = fields.Integer(readonly=True,
                                    help="Rollback: the last journal entry when it started.")
    rollback_until = fields.Integer(readonly=True,
                                    help="Rollback: the last journal entry when it finished.")
    rollback_cursor = fields.Integer(readonly=True,
                                     help="Rollback: the next chunk takes the entries below "
                                          "this journal id.")
    rollback_stats = fields.Json(readonly=True,
                                 help="Rollback: per model, entries kept, refused and "
                                      "seconds spent.")
    rollback_errors = fields.Json(readonly=True,
                                  help="Rollback: the newest entries Odoo refused to revert, "
                                       "with the reason.")
    rollback_seconds = fields.Float(readonly=True,
                                    help="Rollback: seconds spent reverting so far.")
    reverted = fields.Integer(compute="_compute_progress",
                              help="Rollback: journal entries reverted.")
    kept = fields.Integer(compute="_compute_progress", string="Conflicts kept",
                          help="Rollback: entries of records edited in Odoo since the "
                               "migration, kept (not forced).")
    refused = fields.Integer(compute="_compute_progress",
                             help="Rollback: entries Odoo refused to revert (a next "
                                  "rollback tries them again).")
    rollback_error_text = fields.Text(
        compute="_compute_rollback_error_text", string="Not reverted",
        help="Rollback: the records Odoo refused to revert, with the reason.")

    @api.model
    def _rollback_pending(self, project, target=None):
        """Journal entries of the scope (``target``: one run's, else the whole project's)
        not undone yet, newest first."""
        Journal = self.env["fsm.migration.journal"].sudo()
        domain = [("project_id", "=", project.id),
                  ("operation", "in", ("create", "write", "schema", "config"))]
        if target:
            domain.append(("batch_ref", "=", f"run:{target.id}"))
        entries = Journal.search(domain, order="id desc")
        undone = set(Journal.search([("undo_of_id", "in", entries.ids)]).mapped(
            "undo_of_id").ids)
        return entries.filtered(lambda e: e.id not in undone)

    @api.model
    def _rollback_conflicts(self, entries):
        """``{(model, id)}`` of the records of ``entries`` written in Odoo after the
        migration's last write to them."""
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

    @api.model
    def _start_rollback(self, project, target=None, force=False):
        """A running rollback of ``project`` (or of its run ``target``): what it will undo
        is counted now, and the records edited in Odoo since the migration are found now,
        before anything is reverted (its own restores must not look like edits). The
        chunks are then reverted by ``_rollback_chunk`` (cron, command line, or at once)."""
        # two rollbacks started at once: the second waits for the first, then sees it
        self.env.cr.execute("SELECT id FROM fsm_migration_project WHERE id = %s FOR UPDATE",
                            (project.id,))
        project._check_no_rollback_going()
        if target and target.kind == "rollback":
            raise UserError(_("A rollback is not rolled back: choose a sample, full run or "
                              "delta."))
        entries = self._rollback_pending(project, target)
        conflicts = set() if force else self._rollback_conflicts(entries)
        totals = {}
        for entry in entries:
            totals[entry.model] = totals.get(entry.model, 0) + 1
        self.env["fsm.migration.journal"].flush_model()
        self.env.cr.execute("SELECT coalesce(max(id), 0) FROM fsm_migration_journal")
        since = self.env.cr.fetchone()[0]
        rollback = self.sudo().create({
            "project_id": project.id, "kind": "rollback", "state": "running",
            "started_at": fields.Datetime.now(),
            "rollback_target_id": target.id if target else False,
            "rollback_force": bool(force), "rollback_total": len(entries),
            "rollback_totals": [[model, count] for model, count in totals.items()],
            "rollback_conflicts": sorted([model, res_id] for model, res_id in conflicts),
            "rollback_since": since, "rollback_cursor": since + 1,
            "rollback_stats": {}, "rollback_errors": []})
        return rollback.with_env(self.env)

    def _rollback_chunk(self, size=None):
        """Revert the next chunk of this rollback's journal entries (newest first,
        children before parents) in the current transaction; finish the rollback when
        none is left. Returns the entries gone through (0: none left, paused, or another
        worker holds this rollback)."""
        self.ensure_one()
        if self.kind != "rollback" or self.state != "running" or not self._lock_rollback():
            return 0
        size = size or self.env.context.get("fsm_rollback_chunk") or ROLLBACK_CHUNK
        entries = self._rollback_next(size)
        if entries:
            self._rollback_revert(entries)
        if len(entries) < size:
            self._rollback_finish()
        return len(entries)

    def _lock_rollback(self):
        """One worker per rollback: the run's row is locked for the chunk's transaction
        (another worker, or a concurrent pause, makes this one skip)."""
        self.flush_recordset()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "SELECT id FROM fsm_migration_run WHERE id = %s FOR UPDATE SKIP LOCKED",
                    (self.id,), log_exceptions=False)
                return bool(self.env.cr.fetchone())
        except (pg_errors.SerializationFailure, pg_errors.LockNotAvailable):
            return False

    def _rollback_next(self, size):
        """The next ``size`` entries of the scope below the cursor not undone yet."""
        Journal = self.env["fsm.migration.journal"].sudo()
        Journal.flush_model()
        ref = f"run:{self.rollback_target_id.id}" if self.rollback_target_id else None
        self.env.cr.execute("""
            SELECT j.id FROM fsm_migration_journal j
             WHERE j.project_id = %s AND j.id < %s
               AND j.operation IN ('create', 'write', 'schema', 'config')
               AND (%s IS NULL OR j.batch_ref = %s)
               AND NOT EXISTS (SELECT 1 FROM fsm_migration_journal u WHERE u.undo_of_id = j.id)
             ORDER BY j.id DESC LIMIT %s
        """, (self.project_id.id, self.rollback_cursor, ref, ref, size))
        return Journal.browse([row[0] for row in self.env.cr.fetchall()])

    def _rollback_revert(self, entries):
        """Revert ``entries`` (one chunk), as one unlink or write round per run of the same
        model and operation; a round Odoo refuses is retried entry by entry, and an entry
        it still refuses is kept (with the reason) for a next rollback."""
        conflicts = {tuple(pair) for pair in self.rollback_conflicts or []}
        # the Migration Manager group is the gate: business records are reverted with
        # superuser rights, as the user who rolled back (also from the cron), whom the
        # journal keeps
        author = self.create_uid.id or self.env.uid
        env = self.env(user=author, su=True, context=dict(
            self.env.context, tracking_disable=True, mail_notrack=True, active_test=False))
        stats = json.loads(json.dumps(self.rollback_stats or {}))
        errors = list(self.rollback_errors or [])
        undo, started = [], time.monotonic()
        for group in _consecutive(entries):
            model, tick = group[0].model, time.monotonic()
            row = stats.setdefault(model, {"kept": 0, "refused": 0, "seconds": 0.0})
            targets = [e for e in group if (e.model, e.res_id) not in conflicts]
            row["kept"] += len(group) - len(targets)
            if targets and model not in env:
                undo += [_undo_vals(e, "model not installed any more") for e in targets]
            elif targets:
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
                            row["refused"] += 1
                            errors.append({"id": entry.id, "model": entry.model,
                                           "res_id": entry.res_id, "reason": str(exc)[:500]})
            row["seconds"] += time.monotonic() - tick
        self.env["fsm.migration.journal"]._log([dict(vals, user_id=author) for vals in undo])
        self.write({"rollback_cursor": min(entries.ids), "rollback_stats": stats,
                    "rollback_errors": errors[-ROLLBACK_ERRORS_KEPT:],
                    "rollback_seconds": self.rollback_seconds + time.monotonic() - started})
        _logger.info("Rollback %s of project %s: %s of %s journal entries gone through",
                     self.id, self.project_id.id, self.done, self.total)

    def _rollback_finish(self):
        """The last chunk is done: the scope's runs are rolled back, their bindings
        removed, and the project told."""
        self.ensure_one()
        self.env.flush_all()
        self.env.cr.execute("SELECT coalesce(max(id), 0) FROM fsm_migration_journal")
        until = self.env.cr.fetchone()[0]
        project, target = self.project_id, self.rollback_target_id
        scope = target or project.run_ids.filtered(lambda r: r.kind != "rollback")
        scope.filtered(lambda r: r.state in ("done", "paused", "failed")).write(
            {"state": "rolled_back"})
        self.env["fsm.migration.binding"].sudo().search(
            [("project_id", "=", project.id)]
            + ([("run_id", "=", target.id)] if target else [])).unlink()
        self.write({"state": "done", "finished_at": fields.Datetime.now(),
                    "rollback_until": until})
        refused = [f"{e['model']} #{e['res_id']}: {e['reason']}"
                   for e in self.rollback_errors or []]
        project._on_rolled_back(target, self.reverted, self.kept, refused)

    def _rollback_reverted(self):
        """``{model: entries reverted}`` by this rollback, from the undo entries it
        appended to the journal (one rollback of a project at a time)."""
        if not self.id or not isinstance(self.id, int):  # a NewId (odoo.models.NewId on 18.0 only)
            return {}
        self.env["fsm.migration.journal"].flush_model()
        ref = f"run:{self.rollback_target_id.id}" if self.rollback_target_id else None
        until = self.rollback_until or None
        self.env.cr.execute("""
            SELECT model, count(*) FROM fsm_migration_journal
             WHERE project_id = %s AND operation = 'undo' AND undo_of_id IS NOT NULL
               AND id > %s AND (%s IS NULL OR id <= %s)
               AND (%s IS NULL OR batch_ref = %s)
             GROUP BY model
        """, (self.project_id.id, self.rollback_since, until, until, ref, ref))
        return dict(self.env.cr.fetchall())

    def _rollback_objects(self):
        """Per model, in the order the rollback reverts them: entries to undo, gone
        through (reverted, kept or refused), rate."""
        reverted, stats, objects = self._rollback_reverted(), self.rollback_stats or {}, []
        for level, (model, total) in enumerate(self.rollback_totals or []):
            row = stats.get(model) or {}
            kept, refused = row.get("kept", 0), row.get("refused", 0)
            done = reverted.get(model, 0) + kept + refused
            seconds = row.get("seconds", 0.0)
            objects.append({
                "name": model, "level": level, "total": total, "done": done,
                "reverted": reverted.get(model, 0), "kept": kept, "refused": refused,
                "failed": 0, "blocked": 0, "errors": 0, "seconds": round(seconds, 2),
                "percent": round(100.0 * done / total, 1) if total else 0,
                "rate": round(done / seconds, 1) if seconds else 0})
        return objects

    def _rollback_figures(self, objects=None):
        objects = self._rollback_objects() if objects is None else objects
        done = sum(o["done"] for o in objects)
        total = max(self.rollback_total, done)
        seconds = self.rollback_seconds
        rate = done / seconds if seconds else 0.0
        return {"total": total, "done": done,
                "progress": 100.0 * done / total if total else (
                    100.0 if self.state == "done" else 0.0),
                "rate": rate, "eta_seconds": int((total - done) / rate) if rate else 0,
                **dict.fromkeys(COUNTERS, 0),
                "reverted": sum(o["reverted"] for o in objects),
                "kept": sum(o["kept"] for o in objects),
                "refused": sum(o["refused"] for o in objects)}

    def _rollback_progress_data(self, errors=5):
        objects = self._rollback_objects()
        figures = self._rollback_figures(objects)
        return {
            "kind": "rollback", "state": self.state, "total": figures["total"],
            "done": figures["done"], "remaining": figures["total"] - figures["done"],
            "percent": round(figures["progress"], 1), "rate": round(figures["rate"], 1),
            "eta_seconds": figures["eta_seconds"], "failed": figures["refused"],
            "blocked": 0, "reverted": figures["reverted"], "kept": figures["kept"],
            "refused": figures["refused"], "objects": objects,
            # the records Odoo refused to revert, newest first, opening the record itself
            "errors": [{"id": e["id"], "res_model": e["model"], "res_id": e["res_id"],
                        "source_object": e["model"], "source_id": f"#{e['res_id']}",
                        "source_field": False, "reason": e["reason"]}
                       for e in reversed((self.rollback_errors or [])[-errors:])],
        }

    @api.depends("kind", "rollback_target_id")
    def _compute_rollback_scope(self):
        for run in self:
            target = run.rollback_target_id
            run.rollback_scope = (_("Only %s", target.display_name) if target else _(
                "The whole project (custom fields, stages and users included)")) \
                if run.kind == "rollback" else False

    @api.depends("rollback_errors")
    def _compute_rollback_error_text(self):
        for run in self:
            run.rollback_error_text = "\n".join(
                f"{e['model']} #{e['res_id']}: {e['reason']}"
                for e in run.rollback_errors or []) or False

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
        left = _left_behind(records)
        records.unlink()
        _unlink_left_behind(left)


#: records the ORM makes with a record and leaves behind when it is deleted: (model, the
#: field listing them, the field of theirs that points back). 19.0's hr.employee inherits
#: an hr.version (its own versions are set null, not deleted, with the employee)
LEFT_BEHIND = {"hr.employee": ("version_ids", "employee_id")}


def _left_behind(records):
    """What deleting ``records`` would leave behind (``LEFT_BEHIND``), read before."""
    spec = LEFT_BEHIND.get(records._name)
    if not spec or spec[0] not in records._fields:
        return None
    return records.with_context(active_test=False)[spec[0]], spec[1]


def _unlink_left_behind(left):
    """Delete, best effort, what the deleted records left behind and nothing else names
    (a version another employee took over stays): a refusal there is logged, never undoes
    the records' own revert."""
    if not left:
        return
    orphans, back = left
    orphans = orphans.exists().filtered(lambda rec: not rec[back])
    if not orphans:
        return
    try:
        with orphans.env.cr.savepoint():
            orphans.unlink()
    except Exception as exc:  # kept; the rollback of the records themselves stands
        _logger.warning("Rollback: %s left behind and kept: %s", orphans, exc)


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
