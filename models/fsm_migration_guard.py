"""Fields only their own actions write: any other create or write of them (an RPC call,
a form, a script under a user) is refused, whatever the caller's access rights.

A Migration Manager may write a project or a draft map, but not its state, its
confirmation or its approval: those move only through the actions that check their
preconditions, which write them with superuser rights.
"""

from odoo import _, api, models
from odoo.exceptions import AccessError


class FsmMigrationGuard(models.AbstractModel):
    _name = "fsm.migration.guard"
    _description = "Migration: fields written by their own actions only"

    #: the fields of the model that only its own actions write (under sudo)
    _fsm_guarded = ()

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            defaults = self.default_get([name for name in self._fsm_guarded
                                         if any(name in vals for vals in vals_list)])
            for vals in vals_list:
                # a new record may say what it would get anyway (its default)
                self._fsm_refuse([name for name in self._fsm_guarded
                                  if name in vals and vals[name] != defaults.get(name)])
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._fsm_refuse([name for name in self._fsm_guarded if name in vals])
        return super().write(vals)

    def _fsm_refuse(self, names):
        if names:
            labels = ", ".join(self._fields[name].string for name in names)
            raise AccessError(_(
                "%(model)s: %(fields)s change only through their own buttons (confirm, "
                "approve, run …), not by writing them.", model=self._description,
                fields=labels))
