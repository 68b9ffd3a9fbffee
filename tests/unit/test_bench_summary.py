"""The bench's combined figures (bench/engine_vs_peers.py ``summarise``): the peers' rates,
measured on a sample, are weighted by the engine's own mix of partners and leads."""

import pytest

from bench.engine_vs_peers import saved_peer_rates, summarise

PATHS = ("xmlrpc_batched", "xmlrpc_single", "xmlrpc_batched_tracking_off", "load")


def _results():
    return {"scale": 10, "records": 1000, "engine_1w": 80.0, "engine_1w_seconds": 12.5,
            "two_workers_speedup": 1.7, "peak_rss_mb": {"one worker": 200},
            "baselines": {"1": {"peak_rss_mb": 150, "seconds": 2.0, "records": 100}},
            "per_object": {"customers": {"records": 100, "engine": 200.0},
                           "work_orders": {"records": 300, "engine": 100.0},
                           "notes": {"records": 600, "engine": 300.0}}}


def test_combined_rates_are_the_time_to_write_the_engines_mix():
    rates = {path: {"res.partner": 50.0, "crm.lead": 25.0} for path in PATHS}
    results = summarise(_results(), rates)
    # the engine: 100 partners in 0.5 s and 300 leads in 3 s; a peer: 2 s and 12 s
    assert results["engine_on_peer_objects"] == pytest.approx(400 / 3.5, abs=0.05)
    assert results["xmlrpc_batched"] == pytest.approx(400 / 14, abs=0.05)
    assert results["ratios"]["engine_vs_xmlrpc"] == 4.0
    assert results["ratios"]["engine_end_to_end_vs_xmlrpc"] == pytest.approx(80 / 28.6,
                                                                              abs=0.01)
    assert results["per_object"]["customers"]["ratio_xmlrpc"] == 4.0
    assert results["per_object"]["work_orders"]["ratio_load"] == 4.0
    assert "ratio_xmlrpc" not in results["per_object"]["notes"]  # no peer writes notes


def test_a_slower_peer_on_leads_weighs_as_the_engines_leads_do():
    rates = {path: {"res.partner": 200.0, "crm.lead": 10.0} for path in PATHS}
    results = summarise(_results(), rates)
    # a plain mean of the two peer rates (105/s) would flatter the peer
    assert results["xmlrpc_batched"] == pytest.approx(400 / (0.5 + 30), abs=0.05)
    targets = results["targets"]
    assert targets["write phase vs XML-RPC batched >= 4 (same objects)"]["met"] is True
    lead = "crm.lead >= 500 records/s (the work orders' lead role)"
    assert targets[lead] == {"value": 0, "met": False}  # no role timings: not met
    with_roles = _results()
    with_roles["per_role"] = {"work_orders.lead": {"model": "crm.lead", "records": 300,
                                                   "seconds": 0.5, "rate": 600.0}}
    assert summarise(with_roles, rates)["targets"][lead] == {"value": 600.0, "met": True}
    assert targets["two workers >= 1.6x one (write phase)"]["met"] is True


def test_a_saved_run_gives_the_same_figures_again():
    rates = {path: {"res.partner": 61.0, "crm.lead": 17.0} for path in PATHS}
    first = summarise(_results(), rates)
    again = summarise(first, saved_peer_rates(first))
    assert again["ratios"] == first["ratios"]
