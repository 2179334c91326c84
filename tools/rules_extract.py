"""Extract the rule tables of ../shared/reference/rules.md §1 into src/yangguang/rules/data/rules.json.

Run by a developer when the reference changes; the product reads only the JSON. Structured parameters
("params") and platform rules ("Y-…") already in the JSON are kept: they are edited by hand there.

    .venv/bin/python tools/rules_extract.py [path/to/rules.md]
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "yangguang" / "rules" / "data" / "rules.json"
ROW = re.compile(r"^\| ([A-Z])-(\d{3}) \|")


def status_of(text: str) -> str:
    """Any ⚠U in the status makes the rule unconfirmed (warning-only until an administrator confirms it)."""
    if "⚠" in text or "U" in re.findall(r"[✅◐⚠]\s*\*{0,2}([VSU])", text):
        return "unconfirmed"
    if text.strip().startswith("✅"):
        return "verified"
    return "secondary"


def main(source: Path) -> None:
    existing = {r["code"]: r for r in json.loads(OUT.read_text())} if OUT.exists() else {}
    rules = []
    for line in source.read_text().splitlines():
        if not ROW.match(line):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        code, domain, text, parameters, legal_source, status_text, check = cells[:7]
        rules.append({
            "code": code, "domain": domain, "text": text, "parameters": parameters.replace("**", ""),
            "source": legal_source, "status": status_of(status_text), "status_note": status_text,
            "check": check, "params": existing.get(code, {}).get("params", {}),
        })
    seen = {r["code"] for r in rules}
    rules += [r for code, r in existing.items() if code not in seen]  # platform rules added by hand
    rules.sort(key=lambda r: (r["code"][0], r["code"]))
    OUT.write_text(json.dumps(rules, ensure_ascii=False, indent=1) + "\n")
    print(f"{len(rules)} rules → {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "reference" / "rules.md")
