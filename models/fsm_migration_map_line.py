"""What every line of a versioned record shares (map lines, layout lines): it is added,
changed or removed only while its version is a draft (a confirmed version is frozen; a
change is a new version)."""

from odoo import api, models


class FsmMigrationMapLine(models.AbstractModel):
    _name = "fsm.migration.map.line"
    _description = "Migration Map: Line of a Version"

    #: the line's version field (its comodel has ``_check_draft``)
    _fsm_version_field = "map_id"

    def _fsm_versions(self, ids=None):
        name = self._fsm_version_field
        if ids is None:
            return self[name]
        return self.env[self._fields[name].comodel_name].browse(ids).exists()

    @api.model_create_multi
    def create(self, vals_list):
        name = self._fsm_version_field
        self._fsm_versions({vals.get(name) for vals in vals_list if vals.get(name)}
                           )._check_draft()
        records = super().create(vals_list)
        records._fsm_versions()._check_draft()  # (a version given through a related field)
        return records

    def write(self, vals):
        self._fsm_versions()._check_draft()
        if vals.get(self._fsm_version_field):  # (not moved onto a confirmed version either)
            self._fsm_versions([vals[self._fsm_version_field]])._check_draft()
        return super().write(vals)

    def unlink(self):
        self._fsm_versions()._check_draft()
        return super().unlink()
