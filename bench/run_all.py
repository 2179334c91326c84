"""Run every benchmark, each in its own process (each sets up its own throwaway database).

    .venv/bin/python bench/run_all.py [OVERHEAD_N] [VERIFY_N]      # defaults 2000 and 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yg_bench .venv/bin/python bench/run_all.py

Prints each benchmark's output and, at the end, the JSON line of each (one per line).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    overhead_n = sys.argv[1] if len(sys.argv) > 1 else "2000"
    verify_n = sys.argv[2] if len(sys.argv) > 2 else "1000000"
    results, failed = [], False
    for script, size in (("event_overhead.py", overhead_n), ("verify_log.py", verify_n)):
        print(f"== {script} {size}", flush=True)
        proc = subprocess.run([sys.executable, str(HERE / script), size], capture_output=True, text=True,
                              check=False)
        print(proc.stdout, end="")
        if proc.returncode != 0:
            print(proc.stderr, end="", file=sys.stderr)
            failed = True
            continue
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    for result in results:
        print(json.dumps(result, ensure_ascii=False, sort_keys=True))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
