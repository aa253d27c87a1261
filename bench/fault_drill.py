"""Fault drill: nothing acknowledged is lost, nothing is stored twice, while workers and the database crash.

    .venv/bin/python bench/fault_drill.py [--database sqlite|postgresql|both] [--submissions 5000] [--clients 32]

Starts gunicorn with the repository's gunicorn.conf.py (2 workers) on a fresh instance, sends the
submissions from concurrent clients (each retries the same form token after a connection error or a
5xx until it gets an answer) while a random worker is SIGKILLed every half second; on PostgreSQL (a
private throwaway cluster, never the shared server) the database is also restarted with
`pg_ctl restart -m immediate` a few times. Then it counts, by a marker in each submission's text:
acknowledged, stored, acknowledged but missing (must be 0) and stored twice (must be 0), and runs
SQLite's integrity_check. Exits 1 if any of those fails. Ports come from DRILL_PORTS (19000-19999).
"""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.drill import log, run_fault_drill  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--submissions", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kill-every", type=float, default=0.5, help="seconds between worker SIGKILLs (0: none)")
    parser.add_argument("--db-restarts", type=int, default=3, help="PostgreSQL restarts (-m immediate) in the run")
    parser.add_argument("--no-preload", dest="preload", action="store_false",
                        help="let each new worker import the app itself (slow to come back on a busy machine)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, database) afterwards")
    return parser.parse_args()


def _terminated(*_args) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once: let the clean-up finish
    sys.exit(143)


def main() -> int:
    args = parse_args()
    # On SIGTERM, unwind like Ctrl-C, so gunicorn and the private PostgreSQL are stopped.
    signal.signal(signal.SIGTERM, _terminated)
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    reports = []
    for database in databases:
        workdir = Path(tempfile.mkdtemp(prefix=f"thf-fault-drill-{database}-"))
        log(f"{database}: work folder {workdir}")
        try:
            reports.append(run_fault_drill(workdir, database, args.submissions, args.clients, args.kill_every,
                                           args.db_restarts if database == "postgresql" else 0, args.workers,
                                           preload=args.preload))
        finally:
            if not args.keep:
                shutil.rmtree(workdir, ignore_errors=True)
    print()
    for report in reports:
        print("\n".join(report.lines()))
        print(f"verdict                     {'PASS' if report.ok else 'FAIL'}")
        print()
    return 0 if all(report.ok for report in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
