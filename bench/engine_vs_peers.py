"""Benchmark: this engine against the peer paths, on the same data, in one run.

    python3 bench/engine_vs_peers.py --scale 10 [--apps] [--keep]

1. a fresh database (crm, or crm and the optional apps with ``--apps``) and an FST export
   bundle of the given scale;
2. **engine**: ``odoo-bin fsm-migrate run --stage-only`` (discover → map → plan → stage),
   then ``fsm-migrate work`` with one worker; then the same on a second project with two
   concurrent workers (write-phase speed-up); peak memory of each worker (GNU time);
3. the values the engine wrote for customers (res.partner) and work orders (crm.lead) are
   read back and written again through the two peer paths, in the same database:
   **XML-RPC** ``execute_kw create`` with 500 records per call (what external migration
   services do) against an Odoo server started for it, and **load()** (Odoo's import);
4. records/s for each path and the ratios of ours to each peer, printed as a table and
   written to ``bench/results/latest.json`` (keys ``engine_1w``, ``engine_2w_write_phase``,
   ``xmlrpc_batched``, ``load``, ``ratios``, ``per_object``, ``peak_rss_mb``, ``machine``).

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

BATCH = 500
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
    for start in range(0, len(lines), 500):
        res = env[model].load(header, lines[start:start + 500])
        assert res['ids'], res['messages'][:3]
    result[model] = len(lines) / (time.perf_counter() - started)
    env.cr.rollback()
print('LOAD_RESULT', json.dumps(result))
"""


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=10)
    parser.add_argument("--apps", action="store_true", help="install the optional apps too")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    odoo = odoo_suite.find_odoo()
    if not odoo:
        sys.exit("No Odoo 18 source tree found (see README).")
    py = odoo_suite.ensure_venv(odoo)
    work = Path(tempfile.mkdtemp(prefix="fsm_bench_"))
    runner = odoo_suite.OdooRunner(odoo, py, odoo_suite.addons_dir(), work)
    db = f"fsm_bench_{os.getpid()}"
    results = {"scale": args.scale, "apps": args.apps, "machine": {
        "cpus": os.cpu_count(), "python": platform.python_version(),
        "platform": platform.platform()}}
    try:
        runner.createdb_clean(db)
        apps = ",".join(["field_service_migration", *(odoo_suite.OPTIONAL_APPS
                                                      if args.apps else [])])
        print(f"installing {apps} into {db} …", flush=True)
        rc, text, took = runner.server(db, "-i", apps, log="install")
        if rc:
            sys.exit(text[-3000:])
        bundle = work / "bundle"
        run([str(py), "-m", "emulators.fst_bundle", "--out", str(bundle), "--scale",
             str(args.scale), "--seed", "1"], cwd=ROOT)

        print("engine, one worker: fsm-migrate run --stage-only, then one work …", flush=True)
        one = engine_run(runner, db, bundle, work, "one worker", workers=1)
        print("engine, two workers: fsm-migrate run --stage-only, then two work …", flush=True)
        two = engine_run(runner, db, bundle, work, "two workers", workers=2)
        report = one["report"]
        objects = report["objects"]
        total = sum(row["source"] for row in objects.values())
        results["records"] = total
        results["engine_1w"] = round(total / (one["prepare"] + one["write"]), 1)
        results["engine_1w_write_phase"] = round(total / one["write"], 1)
        results["engine_2w_write_phase"] = round(total / two["write"], 1)
        results["two_workers_speedup"] = round(one["write"] / two["write"], 2)
        results["peak_rss_mb"] = {"one worker": one["rss_mb"], "two workers": two["rss_mb"]}
        per_object = {obj: {"records": row["source"],
                            "engine": round(row["source"] / row["seconds"], 1)
                            if row["seconds"] else None}
                      for obj, row in objects.items()}

        values_path = work / "values.json"
        env = dict(os.environ, FSM_BENCH_PROJECT=str(report["project_id"]),
                   FSM_BENCH_ROLES=json.dumps(PEER_ROLES), FSM_BENCH_OUT=str(values_path))
        proc = subprocess.run(
            [str(py), str(odoo / "odoo-bin"), "shell", f"--addons-path={runner.addons_path}",
             "-d", db, "--no-http"], input=EXPORT_VALUES, text=True, capture_output=True,
            cwd=odoo, env=env, check=False)
        if "EXPORT_OK" not in proc.stdout:
            sys.exit(proc.stdout[-2000:] + proc.stderr[-3000:])
        values = json.loads(values_path.read_text())

        print("peer: XML-RPC, 500 records per call …", flush=True)
        port = odoo_suite.free_port()
        server = subprocess.Popen(  # pylint: disable=consider-using-with
            [str(py), str(odoo / "odoo-bin"), f"--addons-path={runner.addons_path}", "-d", db,
             f"--http-port={port}", f"--db-filter=^{db}$", "--workers=0",
             "--max-cron-threads=0"], cwd=odoo, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        try:
            xmlrpc_rates = xmlrpc_path(port, db, values)
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
        if not args.keep:
            runner.createdb_clean(db)
        shutil.rmtree(runner.extra, ignore_errors=True)

    for obj, (_role, model) in PEER_ROLES.items():
        row = per_object[obj]
        row["xmlrpc_batched"] = round(xmlrpc_rates.get(model, 0), 1)
        row["load"] = round(load_rates.get(model, 0), 1)
        row["ratio_xmlrpc"] = round(row["engine"] / row["xmlrpc_batched"], 2) \
            if row["xmlrpc_batched"] else None
        row["ratio_load"] = round(row["engine"] / row["load"], 2) if row["load"] else None
    peer_total = sum(len(v) for v in values.values())
    results["xmlrpc_batched"] = round(peer_total / sum(
        len(values[m]) / r for m, r in xmlrpc_rates.items() if r), 1)
    results["load"] = round(peer_total / sum(
        len(values[m]) / r for m, r in load_rates.items() if r), 1)
    peer_engine = peer_total / sum(per_object[o]["records"] / per_object[o]["engine"]
                                   for o in PEER_ROLES)
    results["engine_on_peer_objects"] = round(peer_engine, 1)
    results["ratios"] = {"engine_vs_xmlrpc": round(peer_engine / results["xmlrpc_batched"], 2),
                         "engine_vs_load": round(peer_engine / results["load"], 2)}
    results["per_object"] = per_object
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2))
    print_table(results)
    return 0


def engine_run(runner, db, bundle, work, name, workers):
    """Stage a project with ``run --stage-only``, then write it with ``workers`` concurrent
    ``work`` processes; times the preparation and the write phase, peak memory per worker."""
    started = time.perf_counter()
    stage_path = work / f"stage_{workers}.json"
    rc, text, _took = runner.odoo_bin(
        f"--addons-path={runner.addons_path}", "fsm-migrate", "run", "-d", db, "--no-http",
        "--name", name, "--source", "fst-bundle", "--path", str(bundle), "--confirm-map",
        "--stage-only", "--report", str(stage_path), log=f"stage_{workers}")
    if rc:
        sys.exit(text[-3000:])
    prepare = time.perf_counter() - started
    staged = json.loads(stage_path.read_text())
    procs = []
    started = time.perf_counter()
    for index in range(workers):
        report_path = work / f"work_{workers}_{index}.json"
        rss_path = work / f"rss_{workers}_{index}.txt"
        procs.append((subprocess.Popen(  # pylint: disable=consider-using-with
            ["/usr/bin/time", "-f", "%M", "-o", str(rss_path), str(runner.py),
             str(runner.odoo / "odoo-bin"), f"--addons-path={runner.addons_path}",
             "fsm-migrate", "work", "-d", db, "--no-http", "--run", str(staged["run_id"]),
             "--report", str(report_path)], cwd=runner.odoo, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL), report_path, rss_path))
    for proc, _report, _rss in procs:
        if proc.wait() != 0:
            sys.exit(f"a worker of {name} failed")
    write = time.perf_counter() - started
    report = json.loads(procs[-1][1].read_text())
    rss = [int(path.read_text().split()[-1]) // 1024 for _p, _r, path in procs]
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
    rates = {}
    for model, rows in values.items():
        if not rows:
            continue
        started = time.perf_counter()
        for start in range(0, len(rows), BATCH):
            models.execute_kw(db, uid, "admin", model, "create", [rows[start:start + BATCH]])
        rates[model] = len(rows) / (time.perf_counter() - started)
    return rates


def print_table(results):
    print(f"\nscale {results['scale']} ({'all apps' if results['apps'] else 'crm only'}), "
          f"{results['machine']['cpus']} cores")
    print(f"{'object':<18}{'records':>9}{'engine/s':>10}{'xmlrpc/s':>10}{'load/s':>9}"
          f"{'×xmlrpc':>9}{'×load':>7}")
    for obj, row in results["per_object"].items():
        print(f"{obj:<18}{row['records']:>9}{row['engine'] or 0:>10.0f}"
              f"{row.get('xmlrpc_batched') or 0:>10.0f}{row.get('load') or 0:>9.0f}"
              f"{row.get('ratio_xmlrpc') or 0:>9.2f}{row.get('ratio_load') or 0:>7.2f}")
    print(f"\nend to end, all objects, one worker: {results['engine_1w']} records/s "
          f"(write phase {results['engine_1w_write_phase']}/s); two workers: write phase "
          f"{results['engine_2w_write_phase']}/s (×{results['two_workers_speedup']}); peak "
          f"memory per worker {results['peak_rss_mb']} MB")
    print(f"customers + work orders: engine {results['engine_on_peer_objects']}/s, "
          f"XML-RPC {results['xmlrpc_batched']}/s, load() {results['load']}/s → "
          f"×{results['ratios']['engine_vs_xmlrpc']} XML-RPC, "
          f"×{results['ratios']['engine_vs_load']} load()")


if __name__ == "__main__":
    sys.exit(main())
