"""A project's runs: sample, full run, cutover and delta pickup, rollbacks and their outcome."""

from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..services.errors import SourceError
from ..services.sample import select_sample
from .fsm_migration_project import MANAGER_GROUP


class FsmMigrationProjectRuns(models.Model):
    """The runs a project starts, and what their end does to its pipeline state."""

    _inherit = "fsm.migration.project"

    # --- runs -----------------------------------------------------------------------------
    conflict_policy = fields.Selection(
        [("odoo", "Keep the Odoo version"), ("source", "Take the source version")],
        default="odoo", required=True, tracking=True,
        help="When a record changed in the source was also edited in Odoo since it was "
             "migrated (delta pickup).")
    cutover_hours = fields.Integer(
        default=48, help="How long after the full run the source's changes are picked up.")
    cutover_until = fields.Datetime(readonly=True, copy=False,
                                    help="Until when the source's changes are picked up.")
    sample_size = fields.Integer(
        default=300, groups=MANAGER_GROUP,
        help="Records in the sample run: a quarter are work orders or jobs, spread over the "
             "source; the rest is what they depend on and what depends on them.")
    sample_run_id = fields.Many2one("fsm.migration.run", compute="_compute_sample_run",
                                    help="The sample run (not rolled back), if any.")
    new_user_group = fields.Selection(
        [("sales_own", "Sales / User: Own Documents Only"),
         ("sales_all", "Sales / User: All Documents"),
         ("internal", "Internal user, no application rights")],
        default="sales_own", required=True, groups=MANAGER_GROUP, tracking=True,
        string="Rights of created users",
        help="The rights of the users the schema plan creates for unmatched technicians: "
             "exactly these (never the default user template's).")
    allow_active_attachments = fields.Boolean(
        string="Serve HTML/SVG files inline", copy=False, tracking=True, groups=MANAGER_GROUP,
        help="Migrated HTML, SVG and XML files are stored as plain text (never rendered in the "
             "browser, where their scripts would run). Tick only for a source you trust.")
    skip_sample = fields.Boolean(
        string="No sample", copy=False, tracking=True, groups=MANAGER_GROUP,
        help="Start the full run without a sample run and its approved diff (a Migration "
             "Manager's decision, kept in the project's history).")
    sample_approved = fields.Boolean(readonly=True, copy=False, tracking=True,
                                     help="The sample's diff was read and approved: the full "
                                          "run may start.")

    rollback_run_id = fields.Many2one(
        "fsm.migration.run", compute="_compute_rollback_run", string="Rollback in progress",
        help="The rollback of this project that is running or paused, if any: it blocks "
             "runs and other rollbacks until it is done.")
    rollback_state = fields.Char(compute="_compute_rollback_run",
                                 string="Rollback state",
                                 help="State of the rollback in progress (running or paused).")
    rollback_progress = fields.Float(compute="_compute_rollback_run",
                                     string="Rolling back",
                                     help="Done, in percent, of the rollback in progress.")
    rollback_progress_data = fields.Json(
        compute="_compute_rollback_run", string="Rollback progress",
        help="Live progress of the rollback in progress (overall and per model).")
    @api.depends("run_ids.kind", "run_ids.state")
    def _compute_sample_run(self):
        for project in self:
            project.sample_run_id = project.run_ids.filtered(
                lambda r: r.kind == "sample" and r.state != "rolled_back").sorted("id")[-1:]

    def _sample_ids(self):
        """Source ids of a representative sample (see ``services.sample``)."""
        self.ensure_one()
        source = self._make_source()
        try:
            return select_sample(self.confirmed_map_id._to_proposal(), source.iter_records,
                                 size=self.sample_size or 300)
        except SourceError as exc:
            raise UserError(_("Could not read the source: %s", exc)) from exc
        finally:
            source.close()

    def action_run_sample(self):
        """Migrate a sample with the confirmed map, then show its field-level diff."""
        self.ensure_one()
        if not self.confirmed_map_id:
            raise UserError(_("Confirm a map first: no record moves before that."))
        run = self._start_run("sample", source_ids=self._sample_ids())
        run.run_until_done()
        return run.action_open_diff()

    def action_approve_sample(self):
        self.ensure_one()
        self.check_access("write")
        if not self.sample_run_id or self.sample_run_id.state != "done":
            raise UserError(_("Run a sample first and read its diff."))
        self.sudo().sample_approved = True
        if self.state == "sample":
            self.sudo().state = "run"

    def _migration_runs(self):
        """Samples, full runs and deltas: the runs that wrote something (not rollbacks)."""
        self.ensure_one()
        return self.run_ids.filtered(lambda r: r.kind != "rollback")

    def _going_rollback(self):
        """The rollback of this project that is running or paused (empty if none)."""
        self.ensure_one()
        return self.run_ids.filtered(
            lambda r: r.kind == "rollback" and r.state in ("running", "paused")).sorted(
            "id")[-1:]

    def _check_no_rollback_going(self):
        """A rollback in progress blocks runs and other rollbacks of the project."""
        for project in self:
            rollback = project._going_rollback()
            if rollback:
                raise UserError(_(
                    "A rollback of this project is in progress (%(run)s, %(percent)s%% done): "
                    "wait until it is done, or resume it from its form if it is paused, "
                    "before starting a run or another rollback.",
                    run=rollback.display_name, percent=round(rollback.progress)))

    @api.depends("run_ids.state")
    def _compute_rollback_run(self):
        for project in self:
            rollback = project._going_rollback() if project.id else self.env[
                "fsm.migration.run"]
            project.update({
                "rollback_run_id": rollback, "rollback_state": rollback.state or False,
                "rollback_progress": rollback.progress if rollback else 0.0,
                "rollback_progress_data": rollback._progress_data() if rollback else False,
            })

    def action_open_rollback_run(self):
        self.ensure_one()
        self.check_access("read")
        return {"type": "ir.actions.act_window", "res_model": "fsm.migration.run",
                "res_id": self.rollback_run_id.id, "view_mode": "form",
                "views": [[False, "form"]], "target": "current"}

    def action_discard_sample(self):
        """Roll the sample back completely, so that the map can be fixed and sampled again."""
        self.ensure_one()
        self.check_access("write")
        if not self.sample_run_id:
            raise UserError(_("There is no sample to discard."))
        self.env["fsm.migration.rollback"].with_context(active_id=self.id).create(
            {"run_id": self.sample_run_id.id, "force": True}).action_rollback()
        self.sudo().sample_approved = False
        if self.state in ("run",):
            self.sudo().state = "sample"

    def action_open_discard_sample(self):
        """The rollback wizard on the sample run (forced): it says what it removes first."""
        self.ensure_one()
        self.check_access("read")
        if not self.sample_run_id:
            raise UserError(_("There is no sample to discard."))
        action = self.action_open_rollback()
        action["name"] = _("Discard the sample")
        action["context"] = {"active_id": self.id, "default_run_id": self.sample_run_id.id,
                             "default_force": True}
        return action

    def _start_run(self, kind="full", batch_size=None, source_ids=None):
        self.ensure_one()
        self.check_access("write")
        if not self.confirmed_map_id:
            raise UserError(_("Confirm a map first: no record moves before that."))
        self._check_map_current()
        self._check_no_rollback_going()
        if self.run_ids.filtered(lambda r: r.state in ("running", "paused")):
            raise UserError(_("A run of this project is still going: finish or pause it."))
        if kind == "full" and not (self.sample_approved or self.skip_sample):
            raise UserError(_(
                "Run a sample and approve its diff first (or, as a Migration Manager, tick "
                "'No sample' on the project to go straight to the full run)."))
        # runs are written by their own actions only (no manager writes one directly)
        run = self.env["fsm.migration.run"].sudo().create({
            "project_id": self.id, "map_id": self.confirmed_map_id.id, "kind": kind,
            **({"batch_size": batch_size} if batch_size else {})})
        run.action_start(source_ids)
        if kind == "full" and self.state in ("plan", "map", "sample"):
            self.sudo().state = "run"
        return run

    def action_start_full_run(self):
        run = self._start_run("full")
        return {"type": "ir.actions.act_window", "res_model": "fsm.migration.run",
                "res_id": run.id, "view_mode": "form", "target": "current"}

    def action_open_reconciliation(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "field_service_migration.fsm_migration_reconciliation_action")
        action["domain"] = [("project_id", "=", self.id)]
        return action

    def action_open_runs(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "field_service_migration.fsm_migration_run_action")
        action["domain"] = [("project_id", "=", self.id)]
        return action

    def action_start_cutover(self):
        """Open the cutover window: changes in the source are picked up until it closes."""
        self.ensure_one()
        self.check_access("write")
        self.sudo().write({"state": "delta", "cutover_until": fields.Datetime.now()
                    + timedelta(hours=self.cutover_hours or 48)})

    def action_delta(self):
        """Pick up what the source created, changed or deleted since it was migrated."""
        self.ensure_one()
        self.check_access("write")
        if self.state != "delta":
            raise UserError(_("Open the cutover window first (after the full run)."))
        run = self._start_run("delta")
        run.run_until_done()
        return {"type": "ir.actions.act_window", "res_model": "fsm.migration.run",
                "res_id": run.id, "view_mode": "form", "target": "current"}

    def action_close_cutover(self):
        """Close the window: the project is frozen (done)."""
        self.ensure_one()
        self.check_access("write")
        self.sudo().write({"state": "done", "cutover_until": fields.Datetime.now()})

    @api.model
    def _cron_delta(self):
        """Stage a delta run for every project whose cutover window is open (the worker
        cron writes it)."""
        for project in self.search([("state", "=", "delta"),
                                    ("cutover_until", ">", fields.Datetime.now())]):
            if not project.run_ids.filtered(lambda r: r.state in ("running", "paused")):
                project._start_run("delta")

    def _on_run_done(self, run):
        self._post_note(body=_(
            "%(kind)s done: %(created)s created, %(updated)s updated, %(skipped)s skipped, "
            "%(failed)s failed, %(blocked)s blocked.", kind=run.kind, created=run.created,
            updated=run.updated, skipped=run.skipped, failed=run.failed, blocked=run.blocked))
        if run.kind == "full" and self.state == "run":
            self.sudo().state = "verify"

    def action_open_rollback(self):
        self.ensure_one()
        self.check_access("read")
        if self._going_rollback():  # it is followed on its own form
            return self.action_open_rollback_run()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "field_service_migration.fsm_migration_rollback_action")
        action["context"] = {"active_id": self.id}
        return action

    def _on_rolled_back(self, run, undone, kept, refused):
        # (no f-string inside _(): the translation extractor evaluates its arguments)
        scope = (" " + _("of %s", run.display_name)) if run else ""
        body = _("Rollback%(scope)s: %(undone)s journal entries reverted, %(kept)s conflicting "
                 "records kept.", scope=scope, undone=undone, kept=kept)
        if refused:
            body += " " + _("Not reverted (run the rollback again after fixing): %s",
                            "; ".join(refused[:20]))
        self._post_note(body=body)
        if not run and not refused:
            self.sudo().state = "rolled_back"
        elif run.kind == "sample":  # a discarded sample: fix the map, sample again
            self.sudo().sample_approved = False
            if self.state == "run":
                self.sudo().state = "sample"
