"""Wizard: review and apply the schema plan (custom fields, tags, stages, users) before a run."""

import json

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .. import compat
from ..services import rights
from ..services.schema_plan import build_plan, to_ir_model_fields_xml

#: the rights a user the plan creates may get (the project says which): exactly these
NEW_USER_GROUPS = {
    "sales_own": ["base.group_user", "sales_team.group_sale_salesman"],
    "sales_all": ["base.group_user", "sales_team.group_sale_salesman",
                  "sales_team.group_sale_salesman_all_leads"],
    "internal": ["base.group_user"],
}
#: creating users is user administration: Administration / Access Rights as well
USER_ADMIN_GROUP = "base.group_erp_manager"


class FsmMigrationPlanApply(models.TransientModel):
    """Shows what the confirmed map needs created (custom fields, stages, users, tags),
    exports it, and creates it through the ORM, journaled so that rollback removes it."""

    _name = "fsm.migration.plan.apply"
    _description = "Apply a Migration Schema Plan"

    project_id = fields.Many2one("fsm.migration.project", required=True, ondelete="cascade",
                                 default=lambda self: self.env.context.get("active_id"),
                                 help="The project whose confirmed map is planned.")
    map_id = fields.Many2one(related="project_id.confirmed_map_id")
    plan_json = fields.Text(compute="_compute_plan", string="Plan (JSON)",
                            help="The plan, as JSON (exportable).")
    summary = fields.Html(compute="_compute_plan",
                          help="Everything the plan creates, one line each.")
    field_count = fields.Integer(compute="_compute_plan",
                                 help="Custom x_ fields to create.")
    stage_count = fields.Integer(compute="_compute_plan",
                                 help="CRM stages to create for source statuses.")
    user_count = fields.Integer(compute="_compute_plan",
                                help="Odoo users to create for source users the map says to "
                                     "create.")
    tag_count = fields.Integer(compute="_compute_plan",
                               help="CRM tags to create.")

    def _plan(self):
        self.ensure_one()
        if not self.map_id:
            raise UserError(_("Confirm a map first: the plan comes from the confirmed map."))
        models_used = {line.target_model for line in self.map_id.field_line_ids}
        # what the database has (ir.model.fields), not what this worker's registry believes
        existing = {}
        for row in self.env["ir.model.fields"].sudo().search_read(
                [("model", "in", sorted(models_used))], ["model", "name"]):
            existing.setdefault(row["model"], set()).add(row["name"])
        # only names are read, to know what exists; a migration manager needs no sales rights
        try:
            return build_plan(json.loads(self.map_id.to_json()), existing,
                              self.env["crm.stage"].sudo().search([]).mapped("name"),
                              self.env["crm.tag"].sudo().search([]).mapped("name"),
                              self.env["res.users"].sudo().with_context(active_test=False)
                              .search([]).mapped("login"))
        except ValueError as exc:
            raise UserError(str(exc)) from exc

    @api.depends("project_id")
    def _compute_plan(self):
        for wizard in self:
            if not wizard.map_id:
                wizard.update({"plan_json": False, "summary": False, "field_count": 0,
                               "stage_count": 0, "user_count": 0, "tag_count": 0})
                continue
            plan = wizard._plan()
            items = [f"<li><code>{f.model}.{f.name}</code> ({f.ttype}) {f.string}</li>"
                     for f in plan.fields]
            items += [f"<li>stage <b>{s['name']}</b>{' (won)' if s['is_won'] else ''}</li>"
                      for s in plan.stages]
            items += [f"<li>user {u['name']} &lt;{u['email']}&gt;</li>" for u in plan.users]
            items += [f"<li>tag {t}</li>" for t in plan.tags]
            wizard.update({
                "plan_json": plan.to_json(),
                "summary": "<ul>%s</ul>" % "".join(items) if items else _("Nothing to create."),
                "field_count": len(plan.fields), "stage_count": len(plan.stages),
                "user_count": len(plan.users), "tag_count": len(plan.tags),
            })

    def _download(self, name, content, mimetype):
        attachment = self.env["ir.attachment"].create({
            "name": name, "raw": content.encode(), "mimetype": mimetype,
            "res_model": "fsm.migration.project", "res_id": self.project_id.id})
        return {"type": "ir.actions.act_url", "target": "self",
                "url": f"/web/content/{attachment.id}?download=true"}

    def action_export_json(self):
        self.ensure_one()
        return self._download(f"schema_plan_{self.project_id.id}.json", self.plan_json,
                              "application/json")

    def action_export_xml(self):
        self.ensure_one()
        return self._download(f"schema_plan_{self.project_id.id}.xml",
                              to_ir_model_fields_xml(self._plan()), "application/xml")

    def action_apply(self):
        """Create everything the plan lists, journaled; the project moves to the sample."""
        self.ensure_one()
        project = self.project_id
        project.check_access("write")
        plan = self._plan()
        # the rights model again, on what is about to be created as superuser
        refused = [rights.custom_field_problem(new.model, new.name, new.ttype, new.relation)
                   for new in plan.fields]
        refused = [problem for problem in refused if problem]
        if refused:
            raise UserError(_("The plan cannot be applied:\n%s", "\n".join(refused)))
        if plan.users and not self._may_create_users():
            raise UserError(_(
                "The plan creates %(count)s users: creating users needs Administration / "
                "Access Rights as well. Map these source users to existing users or give "
                "their records to the fallback user, or ask an administrator to apply the "
                "plan.", count=len(plan.users)))
        journal = []
        IrModel = self.env["ir.model"].sudo()  # creating manual fields needs the admin rights
        # one create for all the fields and one for all the options: Odoo reloads the
        # registry once per call, not once per field
        created = self.env["ir.model.fields"].sudo().create([{
            "model_id": IrModel._get_id(new.model), "name": new.name, "state": "manual",
            "field_description": new.string, "ttype": new.ttype,
            "relation": new.relation or False,
        } for new in plan.fields])
        # not as commands of the fields: Odoo refuses selection commands under sudo
        self.env["ir.model.fields.selection"].sudo().create([
            {"field_id": field.id, "value": value, "name": label, "sequence": seq}
            for new, field in zip(plan.fields, created, strict=True)
            for seq, (value, label) in enumerate(new.selection or ())])
        journal += [self._entry("schema", field, note=f"{new.model}.{new.name}")
                    for new, field in zip(plan.fields, created, strict=True)]
        # stages, users and tags are configuration a migration manager may lack the sales
        # or user-admin rights for; access was checked on the project above
        for stage in plan.stages:
            record = self.env["crm.stage"].sudo().create({"name": stage["name"],
                                                   "is_won": stage["is_won"]})
            journal.append(self._entry("config", record))
        quiet = self.env["res.users"].sudo().with_context(no_reset_password=True,
                                                   mail_create_nosubscribe=True)
        # (not named `user`: Odoo's _() reads a local of that name as the current user)
        # one create for all: Odoo's group and notification bookkeeping runs once
        # internal users with exactly the groups the project names, never the default
        # user template's (which may hold accounting, stock, HR managers …)
        groups = [self.env.ref(xmlid).id for xmlid in
                  NEW_USER_GROUPS[project.sudo().new_user_group or "sales_own"]
                  if self.env.ref(xmlid, raise_if_not_found=False)]
        users = quiet.create([{"name": new_user["name"], "login": new_user["email"],
                               "email": new_user["email"],
                               compat.USER_GROUPS: [(6, 0, groups)]}
                              for new_user in plan.users])
        # what Odoo made along with them goes with them at rollback (newest first): their
        # personal task stages after them (a user keeps one while active), their welcome
        # to-dos before them
        stages, todos = (made_for_users(users, model, field) for model, field in MADE_FOR_USERS)
        journal += [self._entry("config", record, note="made by Odoo for a new user")
                    for record in stages]
        journal += [self._entry("config", record, source_object="users",
                                source_id=new_user["source_id"])
                    for new_user, record in zip(plan.users, users, strict=True)]
        journal += [self._entry("config", record, note="made by Odoo for a new user")
                    for record in todos]
        for tag in plan.tags:
            journal.append(self._entry("config", self.env["crm.tag"].sudo().create({"name": tag})))
        self.env["fsm.migration.journal"]._log(journal)
        counts = plan.summary()
        project._post_note(body=_(
            "Schema plan applied: %(field_count)s custom fields, %(stage_count)s stages, "
            "%(user_count)s users, %(tag_count)s tags.", field_count=counts["fields"],
            stage_count=counts["stages"], user_count=counts["users"], tag_count=counts["tags"]))
        if project.state in ("plan", "map"):
            project.sudo().state = "sample"
        return {"type": "ir.actions.act_window_close"}

    def _may_create_users(self):
        return self.env.su or self.env.user.has_group(USER_ADMIN_GROUP)

    def _entry(self, operation, record, source_object=None, source_id=None, note=None):
        return {"project_id": self.project_id.id, "operation": operation,
                "model": record._name, "res_id": record.id, "source_object": source_object,
                "source_id": source_id, "batch_ref": f"plan:map-v{self.map_id.version}",
                "note": note}


#: what Odoo creates along with a new internal user: (model, the field naming the user).
#: project: the user's personal task stages (left ownerless when the user is deleted);
#: 19.0's project_todo also a welcome to-do (a task with its message and follower)
MADE_FOR_USERS = (("project.task.type", "user_id"), ("project.task", "user_ids"))


def made_for_users(users, model, field):
    """The ``model`` records whose ``field`` names one of ``users`` (just created: nothing
    else can name them yet), read as superuser, archived ones included; none when the
    model is not installed."""
    if not users or model not in users.env or field not in users.env[model]._fields:
        return users.env["res.users"]
    return users.env[model].sudo().with_context(active_test=False).search(
        [(field, "in", users.ids)])
