"""The data dictionary: one source object (records, readable or not, cardinalities)."""

from odoo import api, fields, models

from .. import compat


class FsmMigrationObject(models.Model):
    """One object of a migration source (customers, jobs, work orders …), as discovered."""

    _name = "fsm.migration.object"
    _description = "Migration Source Object"
    _order = "project_id, sequence, id"

    project_id = fields.Many2one("fsm.migration.project", required=True, ondelete="cascade",
                                 index=True,
                                 help="The project whose source has this object.")
    company_id = fields.Many2one(related="project_id.company_id", store=True)
    sequence = fields.Integer(help="Dependency order of the object in the source.")
    name = fields.Char(string="Source object", required=True, readonly=True,
                       help="The source object's name, e.g. customers.")
    record_count = fields.Integer(
        string="Records", readonly=True,
        help="Records in the source: the source's own total when it gives one cheaply, "
             "otherwise the records read.")
    profiled_count = fields.Integer(
        string="Records profiled", readonly=True,
        help="Records read to build the dictionary (large objects are sampled).")
    sampled = fields.Boolean(readonly=True,
                             help="Only the first records were profiled (see the project's "
                                  "discovery sample size).")
    readable = fields.Boolean(
        default=True, readonly=True,
        help="The account could read this object. An object its plan or rights do not "
             "give (the source answered 401, 403, 404, 405 or 501) is not readable: it is "
             "reported, proposed as skip, and the rest migrates.")
    unreadable_status = fields.Integer(
        string="HTTP status", readonly=True,
        help="What the source answered when this object was read (not readable objects).")
    unreadable_reason = fields.Text(
        string="Why not readable", readonly=True,
        help="The source's own words, and what to do.")
    field_ids = fields.One2many("fsm.migration.field", "object_id", string="Fields",
                                help="The fields found in this object's records.")
    field_count = fields.Integer(compute="_compute_field_counts",
                                 help="Fields found in this object's records.")
    custom_field_count = fields.Integer(compute="_compute_field_counts",
                                        help="Fields that are not in the source's documented "
                                             "schema.")

    compat.table_constraints(locals(), [
        ("project_name_uniq", "unique(project_id, name)",
         "A source object is discovered once per project."),
    ])

    @api.depends("field_ids.is_custom")
    def _compute_field_counts(self):
        for obj in self:
            obj.field_count = len(obj.field_ids)
            obj.custom_field_count = len(obj.field_ids.filtered("is_custom"))

    def action_open_fields(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "field_service_migration.fsm_migration_field_action")
        action["domain"] = [("object_id", "=", self.id)]
        action["context"] = {"default_object_id": self.id}
        action["display_name"] = self.name
        return action
