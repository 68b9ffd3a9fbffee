"""crm.lead (19.0): the scoring update of a migrated list of leads, left to the end of the run."""

from odoo import models

from .. import compat
from ..importers.lead_writer import DEFER_SCORING


class CrmLead(models.Model):
    _inherit = "crm.lead"

    def _handle_won_lost(self, *args, **kwargs):
        """19.0's ``create`` updates the predictive lead scoring once per list, from each
        lead's won/lost status: the engine's batches leave that update to the run's end
        (two workers would otherwise update the same frequency rows in every batch), and
        ``lead_writer`` makes the same update from the same statuses. 18.0 is untouched
        (its writer groups the leads so that crm's per-lead update has nothing to do)."""
        if compat.CRM_CREATE_SCORES_IN_ONE_GO and DEFER_SCORING.get():
            return None
        return super()._handle_won_lost(*args, **kwargs)
