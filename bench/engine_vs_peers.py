"""Benchmark: this engine against the peer paths, on the same data, in one run.

    python3 bench/engine_vs_peers.py [--scale 100] [--crm-only] [--baselines 1,10] [--keep]

1. one database with crm and the optional apps (``--crm-only``: crm alone) is installed once
   and copied (``createdb -T``, filestore included) for each engine run, so every run starts
   from the same fresh database; FST export bundles of the given scale and of the baseline
   scales (seed 1);
2. **engine**, end to end: ``odoo-bin fsm_migrate run --stage-only`` (pull → discover → map →
   plan → stage), then ``fsm_migrate work`` (map → validate → write → bind → journal →
   read-back verify) with one worker, then on another copy with two concurrent workers;
   peak resident memory of each worker (GNU time); the same with one worker at each baseline
   scale, for the memory growth and the per-record cost against data size;
3. the values the engine wrote for customers (res.partner) and work orders (crm.lead) are
   read back and written again through the peer paths, in the one-worker database:
   **XML-RPC** ``execute_kw create`` with 100 records per call (what external migration
   services do) and one record per call on a sample (extrapolated), against an Odoo server
   started for it, and **load()** (Odoo's import), 100 rows per call;
4. records/s for each path and the ratios of ours to each peer, printed as a table and
   written to ``bench/results/latest.json`` (keys ``engine_1w``, ``engine_2w``,
   ``xmlrpc_batched``, ``xmlrpc_single``, ``load``, ``ratios``, ``per_object``,
   ``peak_rss_mb``, ``baselines``, ``targets``, ``machine``).

Ratios are computed within this one run only. Runs with the Odoo found by
``tools/odoo_suite.py`` and its virtualenv.
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import xmlrpc.client
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import odoo_suite  # noqa: E402 (after the path set-up)

BATCH = 100
#: records per model written one per call over XML-RPC (the rate is extrapolated)
SINGLE_SAMPLE = 200
#: objects whose values the peers write again (they have no dependency the peers lack)
PEER_ROLES = {"customers": ("company", "res.partner"), "work_orders": ("lead", "crm.lead")}

EXPORT_VALUES = """
import json, os
out = {}
project = env['fsm.migration.project'].browse(int(os.environ['FSM_BENCH_PROJECT']))
for obj, (role, model) in json.loads(os.environ['FSM_BENCH_ROLES']).items():
    line = project.confirmed_map_id.field_line_ids.filtered(
        lambda l: l.source_object == obj and not l.skip and l.target_field
        and l.target_model == model)
    names = sorted({n for n in line.mapped('target_field') if n in env[model]._fields
                    and not env[model]._fields[n].readonly})
    ids = env['fsm.migration.binding'].search([('project_id', '=', project.id),
        ('source_object', '=', obj), ('role', '=', role)]).mapped('res_id')
    rows = []
    for rec in env[model].with_context(active_test=False).browse(ids).read(names):
        vals = {}
        for name in names:
            value, field = rec[name], env[model]._fields[name]
            if field.type == 'many2one':
                value = value[0] if value else False
            elif field.type in ('many2many', 'one2many'):
                value = [(6, 0, value)]
            vals[name] = value
        rows.append(vals)
    out[model] = rows
open(os.environ['FSM_BENCH_OUT'], 'w').write(json.dumps(out, default=str))
print('EXPORT_OK', {k: len(v) for k, v in out.items()})
"""

LOAD_VALUES = """
import json, os, time
data = json.loads(open(os.environ['FSM_BENCH_OUT']).read())
result = {}
for model, rows in data.items():
    if not rows:
        continue
    fields = sorted(rows[0])
    header, lines = [], []
    for name in fields:
        ftype = env[model]._fields[name].type
        header.append(name + '/.id' if ftype in ('many2one',) else name)
    for vals in rows:
        line = []
        for name in fields:
            value = vals[name]
            ftype = env[model]._fields[name].type
            if ftype in ('many2many', 'one2many'):
                value = ''  # load() takes x2many as names/external ids: left out
            line.append('' if value is False or value is None else str(value))
        lines.append(line)
    keep = [i for i, name in enumerate(fields)
            if env[model]._fields[name].type not in ('many2many', 'one2many')]
    header = [header[i] for i in keep]
    lines = [[line[i] for i in keep] for line in lines]
    started = time.perf_counter()
    for start in range(0, len(lines), 100):
        res = env[model].load(header, lines[start:start + 100])
        assert res['ids'], res['messages'][:3]
    result[model] = len(lines) / (time.perf_counter() - started)
    env.cr.rollback()
print('LOAD_RESULT', json.dumps(result))
"""


FILESTORE = Path.home() / ".local" / "share" / "Odoo" / "filestore"


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=100,
                        help="data size; 100 is the standard scale (~130,000 records)")
    parser.add_argument("--crm-only", action="store_true",
                        help="crm alone, without the optional apps")
    parser.add_argument("--baselines", default="1,10",
                        help="smaller scales run with one worker for the memory growth and "
                             "the per-record cost against data size ('' for none)")
    parser.add_argument("--peer-sample", type=int, default=3000,
                        help="values per model the peers write (evenly spread over all the "
                             "engine wrote; 0 for all): their rates per record")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--odoo", choices=["18", "19"],
                        help="the Odoo series to measure on (default: the newest found)")
    parser.add_argument("--table", metavar="JSON",
                        help="runs nothing: the derived figures of a saved run (combined "
                             "rates, ratios, targets) computed again from its measures, "
                             "written back and printed as its table")
    args = parser.parse_args()
    if args.table:
        path = Path(args.table)
        results = json.loads(path.read_text())
        summarise(results, saved_peer_rates(results))
        path.write_text(json.dumps(results, indent=2))
        print_table(results)
        return 0
    odoo = odoo_suite.find_odoo(args.odoo)
    if not odoo:
        sys.exit(f"No Odoo {args.odoo or '18 or 19'}.0 source tree found (see README).")
    py = odoo_suite.ensure_venv(odoo)
    work = Path(tempfile.mkdtemp(prefix="fsm_bench_"))
    runner = odoo_suite.OdooRunner(odoo, py, odoo_suite.addons_dir(), work)
    template = f"fsm_bench_{os.getpid()}"
    baselines = sorted({float(s) for s in args.baselines.split(",") if s.strip()}
                       - {args.scale})
    results = {"scale": args.scale, "apps": not args.crm_only, "machine": machine(),
               "odoo": f"{runner.series}.0"}
    made = []
    try:
        runner.createdb_clean(template)
        apps = ",".join(["field_service_migration", *([] if args.crm_only
                                                      else odoo_suite.OPTIONAL_APPS)])
        print(f"installing {apps} into {template} …", flush=True)
        rc, text, _took = runner.server(template, "-i", apps, log="install")
        if rc:
            sys.exit(text[-3000:])
        bundles = {}
        for scale in [args.scale, *baselines]:
            bundles[scale] = work / f"bundle_{scale:g}"
            run([str(py), "-m", "emulators.fst_bundle", "--out", str(bundles[scale]),
                 "--scale", str(scale), "--seed", "1"], cwd=ROOT)

        runs = {}
        for name, scale, workers in [("one worker", args.scale, 1),
                                     ("two workers", args.scale, 2),
                                     *((f"scale {s:g}", s, 1) for s in baselines)]:
            db = f"{template}_{len(made)}"
            copy_db(runner, template, db)
            made.append(db)
            print(f"engine, {name} (scale {scale:g}, {workers} worker(s)) …", flush=True)
            runs[name] = engine_run(runner, db, bundles[scale], work, name, workers)
            if name not in ("one worker",) and not args.keep:
                drop_db(runner, db)
        one, two = runs["one worker"], runs["two workers"]
        objects = one["report"]["objects"]
        total = sum(row["source"] for row in objects.values())
        results["records"] = total
        results["engine_1w_seconds"] = round(one["prepare"] + one["write"], 1)
        results["engine_1w"] = round(total / (one["prepare"] + one["write"]), 1)
        results["engine_1w_write_phase"] = round(total / one["write"], 1)
        results["engine_2w"] = round(total / (two["prepare"] + two["write"]), 1)
        results["engine_2w_write_phase"] = round(total / two["write"], 1)
        results["two_workers_speedup"] = round(one["write"] / two["write"], 2)
        results["two_workers_speedup_end_to_end"] = round(
            (one["prepare"] + one["write"]) / (two["prepare"] + two["write"]), 2)
        results["peak_rss_mb"] = {"one worker": one["rss_mb"], "two workers": two["rss_mb"]}
        results["baselines"] = {}
        for scale in baselines:
            base = runs[f"scale {scale:g}"]
            records = sum(row["source"] for row in base["report"]["objects"].values())
            seconds = base["prepare"] + base["write"]
            results["baselines"][f"{scale:g}"] = {
                "records": records, "seconds": round(seconds, 1),
                "records_per_s": round(records / seconds, 1), "peak_rss_mb": base["rss_mb"]}
        per_object = {obj: {"records": row["source"],
                            "engine": round(row["source"] / row["seconds"], 1)
                            if row["seconds"] else None}
                      for obj, row in objects.items()}
        # the write of each role (resolve, validate, create, bind, journal), mapping and
        # read-back aside: one target model's own rate (the work orders' leads)
        results["per_role"] = {
            f"{obj}.{role}": {"model": timing["model"], "records": timing["records"],
                              "seconds": timing["seconds"],
                              "rate": round(timing["records"] / timing["seconds"], 1)
                              if timing["seconds"] else None}
            for obj, row in objects.items() for role, timing in row.get("roles", {}).items()}

        db = made[0]
        values_path = work / "values.json"
        env = dict(os.environ, FSM_BENCH_PROJECT=str(one["report"]["project_id"]),
                   FSM_BENCH_ROLES=json.dumps(PEER_ROLES), FSM_BENCH_OUT=str(values_path))
        proc = subprocess.run(
            [str(py), str(odoo / "odoo-bin"), "shell", f"--addons-path={runner.addons_path}",
             "-d", db, "--no-http"], input=EXPORT_VALUES, text=True, capture_output=True,
            cwd=odoo, env=env, check=False)
        if "EXPORT_OK" not in proc.stdout:
            sys.exit(proc.stdout[-2000:] + proc.stderr[-3000:])
        values = {model: spread(rows, args.peer_sample)
                  for model, rows in json.loads(values_path.read_text()).items()}
        results["peer_sample"] = {model: len(rows) for model, rows in values.items()}
        values_path.write_text(json.dumps(values))  # what load() reads too

        print(f"peer: XML-RPC, {BATCH} records per call, with Odoo's default context and "
              f"with tracking off, and one per call on {SINGLE_SAMPLE} …", flush=True)
        port = odoo_suite.free_port()
        server = subprocess.Popen(  # pylint: disable=consider-using-with
            [str(py), str(odoo / "odoo-bin"), f"--addons-path={runner.addons_path}", "-d", db,
             f"--http-port={port}", f"--db-filter=^{db}$", "--workers=0",
             "--max-cron-threads=0"], cwd=odoo, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        try:
            xmlrpc_rates, single_rates, quiet_rates = xmlrpc_path(port, db, values)
        finally:
            server.terminate()
            server.wait(30)
        print("peer: load() …", flush=True)
        proc = subprocess.run(
            [str(py), str(odoo / "odoo-bin"), "shell", f"--addons-path={runner.addons_path}",
             "-d", db, "--no-http"], input=LOAD_VALUES, text=True, capture_output=True,
            cwd=odoo, env=env, check=False)
        line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("LOAD_RESULT")),
                    None)
        if not line:
            sys.exit(proc.stdout[-2000:] + proc.stderr[-3000:])
        load_rates = json.loads(line.split(" ", 1)[1])
    finally:
        for db in [template, *made] if not args.keep else []:
            drop_db(runner, db)
        shutil.rmtree(runner.extra, ignore_errors=True)

    results["per_object"] = per_object
    summarise(results, {"xmlrpc_batched": xmlrpc_rates, "xmlrpc_single": single_rates,
                        "xmlrpc_batched_tracking_off": quiet_rates, "load": load_rates})
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2))
    print_table(results)
    return 0


def summarise(results, peer_rates):
    """Per object and overall rates of the peers (``peer_rates``: path → model → records/s),
    the ratios of ours to each, and the targets. A combined rate is the one of writing the
    engine's records of those objects (its mix of partners and leads, all of them): the
    peers' rates per record, measured on a sample, weighted as the engine's own."""
    per_object = results["per_object"]
    for obj, (_role, model) in PEER_ROLES.items():
        row = per_object[obj]
        for key, rates in peer_rates.items():
            row[key] = round(rates.get(model, 0), 1)
        row["ratio_xmlrpc"] = round(row["engine"] / row["xmlrpc_batched"], 2) \
            if row["xmlrpc_batched"] else None
        row["ratio_load"] = round(row["engine"] / row["load"], 2) if row["load"] else None
    mix = {PEER_ROLES[obj][1]: per_object[obj]["records"] for obj in PEER_ROLES}
    total = sum(mix.values())
    for key, rates in peer_rates.items():
        results[key] = round(total / sum(count / rates[model]
                                         for model, count in mix.items()), 1)
    engine = total / sum(per_object[obj]["records"] / per_object[obj]["engine"]
                         for obj in PEER_ROLES)
    results["engine_on_peer_objects"] = round(engine, 1)
    results["ratios"] = {
        "engine_vs_xmlrpc": round(engine / results["xmlrpc_batched"], 2),
        "engine_vs_xmlrpc_single": round(engine / results["xmlrpc_single"], 2),
        "engine_vs_xmlrpc_tracking_off": round(
            engine / results["xmlrpc_batched_tracking_off"], 2),
        "engine_vs_load": round(engine / results["load"], 2),
        "engine_end_to_end_vs_xmlrpc": round(results["engine_1w"]
                                             / results["xmlrpc_batched"], 2),
        "engine_end_to_end_vs_load": round(results["engine_1w"] / results["load"], 2)}
    results["targets"] = targets(results)
    return results


def saved_peer_rates(results):
    """The peers' rates per model as a saved run keeps them (in its per-object rows)."""
    return {key: {model: results["per_object"][obj][key]
                  for obj, (_role, model) in PEER_ROLES.items()}
            for key in ("xmlrpc_batched", "xmlrpc_single", "xmlrpc_batched_tracking_off",
                        "load")}


def spread(rows, count):
    """``count`` rows evenly spread over ``rows`` (all of them when ``count`` is 0)."""
    if not count or len(rows) <= count:
        return rows
    step = len(rows) / count
    return [rows[int(i * step)] for i in range(count)]


def machine():
    load = os.getloadavg()
    return {"cpus": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(), "load_average_at_start": round(load[0], 2)}


def targets(results):
    """Issue 7's targets, each with the value measured and whether it is met."""
    ratios = results["ratios"]
    lead = results.get("per_role", {}).get("work_orders.lead", {}).get("rate")
    found = {
        "end to end vs XML-RPC batched >= 4": (ratios["engine_end_to_end_vs_xmlrpc"], 4),
        "write phase vs XML-RPC batched >= 4 (same objects)": (ratios["engine_vs_xmlrpc"], 4),
        "write phase vs load() >= 1.5 (same objects)": (ratios["engine_vs_load"], 1.5),
        "crm.lead >= 500 records/s (the work orders' lead role)": (lead or 0, 500),
        "two workers >= 1.6x one (write phase)": (results["two_workers_speedup"], 1.6)}
    base = results["baselines"]
    if "1" in base:
        growth = results["peak_rss_mb"]["one worker"] - base["1"]["peak_rss_mb"]
        found["memory growth from scale 1 < 200 MB"] = (growth, 200, "below")
    if "10" in base and results["scale"] > 10:
        per_record = results["engine_1w_seconds"] / results["records"]
        ratio = per_record / (base["10"]["seconds"] / base["10"]["records"])
        found[f"per-record time scale {results['scale']:g} / scale 10 <= 1.3"] = (
            round(ratio, 2), 1.3, "at most")
    if results["scale"] >= 100:
        found["standard scale, one worker, < 300 s"] = (results["engine_1w_seconds"], 300,
                                                         "below")
    out = {}
    for name, (value, bound, *how) in found.items():
        met = value < bound if how == ["below"] else value <= bound if how else value >= bound
        out[name] = {"value": value, "met": met}
    return out


def copy_db(runner, template, db):
    """A fresh copy of the installed database, its filestore included (what Odoo's
    database manager's duplicate does)."""
    drop_db(runner, db)
    run(["createdb", "-T", template, db])
    if (FILESTORE / template).is_dir():
        shutil.copytree(FILESTORE / template, FILESTORE / db)


def drop_db(runner, db):
    runner.createdb_clean(db)
    shutil.rmtree(FILESTORE / db, ignore_errors=True)


def engine_run(runner, db, bundle, work, name, workers):
    """Stage a project with ``run --stage-only``, then write it with ``workers`` concurrent
    ``work`` processes; times the preparation and the write phase, peak memory per worker."""
    tag = name.replace(" ", "_")
    started = time.perf_counter()
    stage_path = work / f"stage_{tag}.json"
    rc, text, _took = runner.odoo_bin(
        f"--addons-path={runner.addons_path}", "fsm_migrate", "run", "-d", db, "--no-http",
        "--name", name, "--source", "fst-bundle", "--path", str(bundle), "--allow-any-path",
        "--confirm-map", "--no-sample", "--stage-only", "--report", str(stage_path),
        log=f"stage_{tag}")
    if rc:
        sys.exit(text[-3000:])
    prepare = time.perf_counter() - started
    staged = json.loads(stage_path.read_text())
    procs = []
    started = time.perf_counter()
    for index in range(workers):
        report_path = work / f"work_{tag}_{index}.json"
        rss_path = work / f"rss_{tag}_{index}.txt"
        procs.append((subprocess.Popen(  # pylint: disable=consider-using-with
            ["/usr/bin/time", "-f", "%M", "-o", str(rss_path), str(runner.py),
             str(runner.odoo / "odoo-bin"), f"--addons-path={runner.addons_path}",
             "fsm_migrate", "work", "-d", db, "--no-http", "--run", str(staged["run_id"]),
             "--allow-any-path", "--report", str(report_path)], cwd=runner.odoo,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), report_path, rss_path))
    for proc, _report, _rss in procs:
        if proc.wait() != 0:
            sys.exit(f"a worker of {name} failed")
    write = time.perf_counter() - started
    report = json.loads(procs[-1][1].read_text())
    failed = {obj: row.get("failed") for obj, row in report["objects"].items()
              if row.get("failed")}
    if failed:
        sys.exit(f"{name}: records failed, the figures would not be throughput: {failed}")
    rss = [int(path.read_text().split()[-1]) // 1024 for _p, _r, path in procs]
    print(f"  prepare {prepare:.0f} s, write {write:.0f} s, peak RSS {max(rss)} MB",
          flush=True)
    return {"prepare": prepare, "write": write, "report": report, "rss_mb": max(rss)}


def xmlrpc_path(port, db, values):
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            uid = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common").authenticate(
                db, "admin", "admin", {})
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)
    rates, single, quiet = {}, {}, {}
    # what a careful external tool can ask for: no tracking, no creation log, no followers
    context = {"context": {"tracking_disable": True, "mail_create_nolog": True,
                           "mail_create_nosubscribe": True, "mail_notrack": True}}
    for model, rows in values.items():
        if not rows:
            continue
        for kwargs, found in (({}, rates), (context, quiet)):
            started = time.perf_counter()
            for start in range(0, len(rows), BATCH):
                models.execute_kw(db, uid, "admin", model, "create",
                                  [rows[start:start + BATCH]], kwargs)
            found[model] = len(rows) / (time.perf_counter() - started)
        sample = rows[:SINGLE_SAMPLE]
        started = time.perf_counter()
        for vals in sample:
            models.execute_kw(db, uid, "admin", model, "create", [vals])
        single[model] = len(sample) / (time.perf_counter() - started)
    return rates, single, quiet


def print_table(results):
    print(f"\nOdoo {results.get('odoo', '18.0')}, scale {results['scale']:g}, "
          f"{results['records']} source records "
          f"({'crm and the optional apps' if results['apps'] else 'crm only'}), "
          f"{results['machine']['cpus']} cores, load average at start "
          f"{results['machine']['load_average_at_start']}")
    print(f"{'object':<18}{'records':>9}{'engine/s':>10}{'xmlrpc/s':>10}{'quiet/s':>9}"
          f"{'1/call/s':>10}{'load/s':>9}{'×xmlrpc':>9}{'×load':>7}")
    for obj, row in results["per_object"].items():
        print(f"{obj:<18}{row['records']:>9}{row['engine'] or 0:>10.0f}"
              f"{row.get('xmlrpc_batched') or 0:>10.0f}"
              f"{row.get('xmlrpc_batched_tracking_off') or 0:>9.0f}"
              f"{row.get('xmlrpc_single') or 0:>10.0f}"
              f"{row.get('load') or 0:>9.0f}"
              f"{row.get('ratio_xmlrpc') or 0:>9.2f}{row.get('ratio_load') or 0:>7.2f}")
    if results.get("per_role"):
        print("\nwrite of each role (resolve, validate, create or update, bind, journal; "
              "mapping and read-back aside):")
        for name, row in results["per_role"].items():
            print(f"  {name:<30}{row['model']:<22}{row['records']:>8}{row['rate'] or 0:>9.0f}/s")
    ratios = results["ratios"]
    print(f"\nend to end, all objects, one worker: {results['engine_1w']} records/s in "
          f"{results['engine_1w_seconds']} s (write phase {results['engine_1w_write_phase']}/s); "
          f"two workers: {results['engine_2w']}/s end to end, write phase "
          f"{results['engine_2w_write_phase']}/s (×{results['two_workers_speedup']}); "
          f"peak memory per worker {results['peak_rss_mb']} MB")
    for scale, base in results["baselines"].items():
        print(f"scale {scale}: {base['records']} records in {base['seconds']} s "
              f"({base['records_per_s']}/s), peak memory {base['peak_rss_mb']} MB")
    print(f"customers + work orders: engine {results['engine_on_peer_objects']}/s, XML-RPC "
          f"{results['xmlrpc_batched']}/s ({BATCH} per call), "
          f"{results['xmlrpc_batched_tracking_off']}/s (the same, tracking off), "
          f"{results['xmlrpc_single']}/s (one per call), load() {results['load']}/s → "
          f"×{ratios['engine_vs_xmlrpc']} XML-RPC, ×{ratios['engine_vs_xmlrpc_tracking_off']} "
          f"XML-RPC tracking off, ×{ratios['engine_vs_xmlrpc_single']} one per call, "
          f"×{ratios['engine_vs_load']} load()")
    print(f"peers measured on {results['peer_sample']} values (evenly spread over all the "
          "engine wrote)")
    print(f"engine end to end (all objects, pull and verify included) against the peers' "
          f"write rate: ×{ratios['engine_end_to_end_vs_xmlrpc']} XML-RPC, "
          f"×{ratios['engine_end_to_end_vs_load']} load()")
    print("\ntargets (issue 7):")
    for name, target in results["targets"].items():
        print(f"  {'met ' if target['met'] else 'MISS'} {name}: {target['value']}")


if __name__ == "__main__":
    sys.exit(main())
