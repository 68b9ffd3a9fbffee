"""crm.lead creation in lists, with crm's scoring update made once per list.

(18.0 below; on 19.0 crm's ``create`` already scores once per list, and the module's
``crm_lead._handle_won_lost`` lets the engine leave that update to the run's end too.)

``crm.lead.create`` calls ``_handle_won_lost`` once per lead whose values name a stage or
``active``: a search of the won stages, and for a lead created in a won stage an update of
the predictive lead scoring (PLS) frequencies, one lead at a time - three quarters of the
time a migrated lead takes to create. For a *new* lead that method does exactly this:
lead in a won stage → its PLS values counted won (and, at probability 0, uncounted lost);
nothing else (a lead created archived was never active, so it does not "reach lost").

Here the leads are created per (stage, active) group with those two as the group's
defaults, so crm's per-lead loop has nothing to do, and the same PLS update is then made by
crm's own ``_pls_increment_frequencies`` once for the list, after every lead is created.
Same records, same frequencies (tested against plain ``create`` in tests/test_lead_writer.py).

The engine goes one step further: a run's batches leave their PLS update to the end of the
run (``apply_scoring``, once, when the run finishes). The frequency rows are shared by all
the leads of a team: updated by every batch, two workers would wait for each other and then
one of them would fail to serialize and write its whole batch again. The counts at the end
are the same (the updates add up); the leads' probabilities are computed, as crm computes
them, from the frequencies as they were when the run started.
"""

from collections import defaultdict
from contextvars import ContextVar

from .. import compat

GROUPED = ("stage_id", "active")
#: set around this module's own 19.0 ``create`` only, in this thread: crm's per-list
#: scoring update (``models/crm_lead.py``) is then left to the writer. No context key,
#: which an RPC call or an automation could carry into a superuser environment
DEFER_SCORING = ContextVar("fsm_defer_scoring", default=False)


def create_leads(model, vals_list, scoring=None):
    """``model.create(vals_list)`` for crm.lead, the records in the order given.

    ``scoring``: when given (a dict), the PLS update is not made here but its lead ids are
    added to it (``won``, ``lost``), for ``apply_scoring`` to make later, once: concurrent
    workers would otherwise update the same frequency rows in every batch (a serialization
    failure, then the whole batch again, for one of them)."""
    if compat.CRM_CREATE_SCORES_IN_ONE_GO:
        return _create_leads_scored_per_list(model, vals_list, scoring)
    groups = defaultdict(list)
    for index, values in enumerate(vals_list):
        groups[tuple(values.get(name) for name in GROUPED)].append(index)
    won = set(model.env["crm.stage"].search([("is_won", "=", True)]).ids)
    records = [None] * len(vals_list)
    reach_won = model.browse()
    for (stage_id, active), indexes in groups.items():
        defaults = {f"default_{name}": value
                    for name, value in zip(GROUPED, (stage_id, active), strict=True)
                    if value is not None}
        leads = model.with_context(**defaults).create([
            {k: v for k, v in vals_list[i].items() if k not in GROUPED} for i in indexes])
        leads = leads.with_env(model.env)  # (the defaults stop here)
        if stage_id in won:
            reach_won |= leads
        for index, lead in zip(indexes, leads, strict=True):
            records[index] = lead.id
    # after every lead is created, as crm's loop runs after its one create: the leads'
    # probabilities are computed from the frequencies as they were before this list
    if reach_won:
        leave_lost = reach_won.filtered(lambda lead: lead.probability == 0)
        if scoring is None:
            _increment(reach_won, leave_lost)
        else:
            scoring.setdefault("won", []).extend(reach_won.ids)
            scoring.setdefault("lost", []).extend(leave_lost.ids)
    return model.browse(records)


def _create_leads_scored_per_list(model, vals_list, scoring):
    """19.0: crm's ``create`` scores the whole list once, each lead from its won/lost
    status (a lead created lost counts lost). The same update, from the same statuses,
    made here, or left in ``scoring`` (``DEFER_SCORING`` stops crm's own, for this create
    only)."""
    token = DEFER_SCORING.set(True)
    try:
        leads = model.create(vals_list)
    finally:
        DEFER_SCORING.reset(token)
    reach_won = leads.filtered(lambda lead: lead.won_status == "won")
    reach_lost = leads.filtered(lambda lead: lead.won_status == "lost")
    if scoring is None:
        _increment(reach_won, reach_lost=reach_lost)
    elif reach_won or reach_lost:
        scoring.setdefault("won", []).extend(reach_won.ids)
        scoring.setdefault("reach_lost", []).extend(reach_lost.ids)
    return leads


def apply_scoring(env, scoring_list):
    """The PLS updates ``create_leads`` left in ``scoring`` dicts, made in one go (the
    leads that were removed since are left out)."""
    Lead = env["crm.lead"].with_context(active_test=False)

    def ids(key):
        return Lead.browse([i for scoring in scoring_list
                            for i in (scoring or {}).get(key, [])]).exists()

    won, leave_lost, reach_lost = ids("won"), ids("lost"), ids("reach_lost")
    if won or reach_lost:
        _increment(won, leave_lost, reach_lost)


def _increment(reach_won, leave_lost=None, reach_lost=None):
    # in crm's order: won first (it creates the missing frequency rows), then "reaches
    # lost" (19.0), then "leaves lost" (18.0: a decrement on a missing row would create it
    # with a positive count)
    reach_won._pls_increment_frequencies(to_state="won")
    if reach_lost:
        reach_lost._pls_increment_frequencies(to_state="lost")
    if leave_lost:
        leave_lost._pls_increment_frequencies(from_state="lost")
