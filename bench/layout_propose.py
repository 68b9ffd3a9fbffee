"""Benchmark: propose the source layout of a scale-100 FST export in a foreign shape.

    python -m bench.layout_propose --scale 100 [--seed 0] [--sample-rows 2000]

Generates the canonical FST data (``emulators.fst_data.generate``), renames it in memory
into a foreign shape (human file names and labels, customers linked by number,
technicians by full name, note authors by e-mail, month-first dates with AM/PM, photos
in one folder per work order number), streams it row by row as a reader would, and
times ``propose_layout``; a second run under ``tracemalloc`` gives the peak memory the
proposer allocates (the generated data itself is not counted).
"""

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "tests" / "unit"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from layout_fakes import FakeTables, foreign_shape  # noqa: E402

from emulators.fst_data import generate  # noqa: E402 (after the path set-up)
from services.layout.model import CANONICAL  # noqa: E402
from services.layout.propose import propose_layout  # noqa: E402

FILES = {"customers": "Customer List.csv", "contacts": "People.csv",
         "sites": "Service Addresses.csv", "technicians": "Employees.csv",
         "work_orders": "Service Calls.csv", "work_order_lines": "Labor & Materials.csv",
         "appointments": "Dispatch Board.csv", "invoices": "Invoices.csv",
         "invoice_lines": "Invoice Items.csv", "parts_used": "Parts Used.csv",
         "notes": "Call History.csv"}
LABELS = {
    "customers": {"customer_id": "Customer ID", "account_code": "Customer #",
                  "name": "Company Name", "email": "E-mail Address", "phone": "Phone #",
                  "mobile": "Cell", "bill_zip": "Zip/Postal Code",
                  "updated_at": "Last Updated"},
    "work_orders": {"work_order_id": "Call ID", "number": "Call #",
                    "customer_id": "Customer #", "technician_id": "Assigned Tech",
                    "scheduled_at": "Scheduled Date", "updated_at": "Date Modified"},
    "technicians": {"technician_id": "Employee ID", "first_name": "First Name",
                    "last_name": "Last Name", "email": "Email"},
    "notes": {"author_technician_id": "Entered By", "body_html": "Comment"},
}
LINKS = {("work_orders", "customer_id"): ("number", "customers"),
         ("invoices", "customer_id"): ("number", "customers"),
         ("work_orders", "technician_id"): ("full_name", "technicians"),
         ("notes", "author_technician_id"): ("email", "technicians")}


OBJECT_OF = {path: obj for obj, path in FILES.items()}


def links_right(layout):
    """(links proposed as the shape wrote them, links the shape has)."""
    right = expected = 0
    for table in layout.tables:
        obj = OBJECT_OF.get(table.path)
        if obj is None or table.object != obj:
            continue
        spec = CANONICAL[obj]
        for column, target in spec.links.items():
            expected += 1
            label = LABELS.get(obj, {}).get(column, column)
            kind = LINKS.get((obj, column), ("id",))[0]
            col = table.column(label)
            right += bool(col and (col.field, col.link_object, col.link_key) == (
                column, target, kind))
    return right, expected


def build(scale, seed):
    dataset = generate(scale, seed)
    numbers = {w["work_order_id"]: w["number"] for w in dataset.records["work_orders"]}
    photos = [f"Photos/{numbers[int(p.split('/')[0][3:])]}/{p.split('/', 1)[1]}"
              for p in dataset.files]
    tables = foreign_shape(dataset, FILES, LABELS, LINKS, dates="mdy", lazy=True)
    records = sum(len(rows) for rows in dataset.records.values())
    return FakeTables(tables, files=photos), records


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sample-rows", type=int, default=2000)
    args = parser.parse_args(argv)
    raw, records = build(args.scale, args.seed)
    started = time.perf_counter()
    layout = propose_layout(raw, sample_rows=args.sample_rows)
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    propose_layout(raw, sample_rows=args.sample_rows)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    right, expected = links_right(layout)
    assigned = sum(1 for t in layout.tables if t.object == OBJECT_OF.get(t.path))
    print(f"scale {args.scale:g}: {records} records in {len(layout.tables)} tables "
          f"({assigned} assigned right, {right}/{expected} links right, attachments: "
          f"{layout.attachments.mode} by {layout.attachments.record_key}); "
          f"propose_layout {elapsed:.2f} s, peak {peak / 2**20:.1f} MiB (tracemalloc); "
          f"problems: {len(layout.problems())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
