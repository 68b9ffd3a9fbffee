"""A project's guided path: the next step's sentence, the counts and targets of its buttons."""

from odoo import _, api, fields, models


class FsmMigrationProjectPath(models.Model):
    """What the project form says to do next, and what its smart buttons count and open."""

    _inherit = "fsm.migration.project"

    # --- the guided path: next step, counts of the smart buttons ------------------------
    next_step = fields.Text(
        compute="_compute_next_step",
        help="What to do next, and what must be done before the later steps.")
    last_run_progress_data = fields.Json(
        compute="_compute_last_run_progress_data", string="Last run progress",
        help="Live progress of the last run (overall and per source object).")
    mapped_field_count = fields.Integer(
        compute="_compute_path_counts", string="Fields mapped",
        help="Field lines of the latest map version that write a value.")
    planned_field_count = fields.Integer(
        compute="_compute_path_counts", string="Custom fields planned",
        help="New x_ fields the latest map version needs (created by the schema plan).")
    unmatched_user_count = fields.Integer(
        compute="_compute_path_counts", string="Unmatched users",
        help="Source users of the latest map version that match no Odoo user (created or "
             "given to the fallback user).")
    diff_problem_count = fields.Integer(
        compute="_compute_path_counts", string="Sample differences",
        help="Fields of the sample that read back different from what the map expects, "
             "or missing.")
    failed_record_count = fields.Integer(
        compute="_compute_path_counts", string="Failed records",
        help="Source records failed or blocked in runs not rolled back.")
    conflict_count = fields.Integer(
        compute="_compute_path_counts", string="Conflicts",
        help="Records changed in the source and edited in Odoo since the migration.")

    @api.depends("run_ids.state")
    def _compute_last_run_progress_data(self):
        # its own compute: the dashboard reads the run counts, not this
        for project in self:
            last = project._migration_runs().sorted("id")[-1:]
            project.last_run_progress_data = last._progress_data() if last else False

    @api.depends("map_ids", "run_ids.state")
    def _compute_path_counts(self):
        Issue = self.env["fsm.migration.issue"]
        for project in self:
            lines = project.map_id.field_line_ids.filtered(lambda f: not f.skip)
            project.mapped_field_count = len(lines)
            project.planned_field_count = len(lines.filtered("new_field_type"))
            project.unmatched_user_count = len(project.map_id.user_line_ids.filtered(
                lambda u: u.action != "map"))
            sample = project.sample_run_id
            project.diff_problem_count = self.env["fsm.migration.diff"].search_count(
                [("run_id", "=", sample.id), ("status", "in", ("different", "missing"))]
            ) if sample else 0
            # _origin: a new project in the form has a NewId, which 19.0 refuses in domains
            live = [("project_id", "=", project._origin.id),
                    ("run_id.state", "!=", "rolled_back")]
            project.failed_record_count = Issue.search_count(
                live + [("status", "in", ("failed", "blocked"))])
            project.conflict_count = Issue.search_count(live + [("status", "=", "conflict")])

    @api.depends("state", "map_ids.state", "run_ids.state", "run_ids.rollback_cursor",
                 "sample_approved")
    def _compute_next_step(self):
        for project in self:
            project.next_step = project._next_step()

    def _next_step(self):
        """One sentence for the step the project is at, then what waits on it."""
        self.ensure_one()
        state, latest = self.state, self.map_id
        rollback = self._going_rollback()
        if rollback:
            return _("A rollback is %(state)s (%(percent)s%% done): follow it below or on its "
                     "form, where it is paused and resumed. Runs and other rollbacks wait "
                     "until it is done; bindings are removed and runs marked rolled back "
                     "with its last chunk.",
                     state=dict(rollback._fields["state"].selection)[rollback.state].lower(),
                     percent=round(rollback.progress))
        going = self.run_ids.filtered(lambda r: r.state in ("running", "paused"))[:1]
        if going:
            return _("A %(kind)s is %(state)s: follow it on the run (progress below). Pause "
                     "it there; the next steps wait until it is done.",
                     kind=dict(going._fields["kind"].selection)[going.kind].lower(),
                     state=dict(going._fields["state"].selection)[going.state].lower())
        steps = {
            "connect": _("Fill in the connection (Connection tab), then Test connection. "
                         "Discovery waits for a working connection."),
            "discover": _("Discover the source: every object is read and profiled into the "
                          "data dictionary. The map is proposed from it."),
            "map": _("Apply the schema plan: it creates the custom fields, stages and users "
                     "the confirmed map needs. The sample waits for it."),
            "run": _("Run the migration: every source record, in batches, with the "
                     "confirmed map. Verification and cutover wait for it."),
            "verify": _("Check the reconciliation and the failed records, then open the "
                        "cutover window (or roll back)."),
            "delta": _("Pick up the source's changes until the cutover closes, then close "
                       "it."),
            "done": _("The migration is done and frozen. Roll back is still possible."),
            "rolled_back": _("Rolled back: Odoo is as before the migration."),
        }
        if state == "layout":
            return _("Review the source layout (v%(version)s): which file holds which "
                     "object, the key and the links of each, lowest confidence first; then "
                     "Confirm layout. The data dictionary and the map wait for it.",
                     version=self.layout_id.version)
        if state == "plan":
            if not latest:
                return _("Propose a map from the data dictionary. Confirm the map first: no "
                         "record moves, and no schema is planned, before that.")
            return _("Review the proposed map (v%(version)s) and confirm it. Applying the "
                     "schema plan and the sample wait for a confirmed map.",
                     version=latest.version)
        if state == "sample":
            if not self.sample_run_id:
                return _("Run a sample (about %(size)s records) and read its field-level "
                         "diff. The full run waits for an approved sample.",
                         size=self.sudo().sample_size)
            return _("Read the sample's diff (%(problems)s different or missing fields), then "
                     "approve the sample, or discard it and fix the map. The full run waits "
                     "for the approval.", problems=self.diff_problem_count)
        return steps.get(state, "")

    def action_open_map_fields(self):
        self.ensure_one()
        self.check_access("read")
        return {"type": "ir.actions.act_window", "name": _("Fields mapped"),
                "res_model": "fsm.migration.map.field", "view_mode": "list,form",
                "domain": [("map_id", "=", self.map_id.id), ("skip", "=", False)],
                "context": {"create": False}}

    def action_open_planned_fields(self):
        action = self.action_open_map_fields()
        action.update(name=_("Custom fields planned"),
                      domain=action["domain"] + [("new_field_type", "!=", False)])
        return action

    def action_open_unmatched_users(self):
        self.ensure_one()
        self.check_access("read")
        return {"type": "ir.actions.act_window", "name": _("Unmatched users"),
                "res_model": "fsm.migration.map.user", "view_mode": "list",
                "domain": [("map_id", "=", self.map_id.id), ("action", "!=", "map")],
                "context": {"create": False}}

    def action_open_sample_diff(self):
        self.ensure_one()
        self.check_access("read")
        action = self.sample_run_id.action_open_diff()
        action["context"] = {"search_default_problems": 1, "search_default_group_status": 1}
        return action

    def _open_issues(self, statuses, name):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "field_service_migration.fsm_migration_issue_action")
        action.update(name=name, domain=[("project_id", "=", self.id),
                                         ("run_id.state", "!=", "rolled_back"),
                                         ("status", "in", statuses)])
        return action

    def action_open_failed_records(self):
        return self._open_issues(["failed", "blocked"], _("Failed and blocked records"))

    def action_open_conflicts(self):
        return self._open_issues(["conflict"], _("Conflicts"))
