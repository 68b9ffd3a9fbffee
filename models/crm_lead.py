"""crm.lead: the scoring update of a migrated list of leads, left to the end of the run."""

from odoo import models

#: the context key with which the engine's superuser creates leaves crm's scoring update
#: to ``importers.lead_writer`` (honoured for the superuser only: a user's RPC call with it
#: scores as usual)
DEFER_SCORING = "fsm_defer_scoring"


class CrmLead(models.Model):
    _inherit = "crm.lead"

    def _handle_won_lost(self, *args, **kwargs):
        """19.0's ``create`` updates the predictive lead scoring once per list, from each
        lead's won/lost status: the engine's batches leave that update to the run's end
        (two workers would otherwise update the same frequency rows in every batch), and
        ``lead_writer`` makes the same update from the same statuses."""
        if self.env.context.get(DEFER_SCORING) and self.env.is_superuser():
            return None
        return super()._handle_won_lost(*args, **kwargs)
