#!/usr/bin/env python3
"""Fill a deployment template's @PLACEHOLDERS@ and print the result.

    python3 deploy/render.py TEMPLATE [VALUES_FILE | NAME=VALUE]...

VALUES_FILE holds NAME=VALUE lines (blank lines and lines starting with # are skipped); later
arguments override earlier ones, so a values file can be followed by NAME=VALUE for a secret.
Values are inserted as they are. A placeholder left without a value is an error (exit 2, nothing
printed); values the template does not use are ignored, so one values file serves every template.

Only the standard library: it runs with Debian's python3 before any virtualenv exists.
tests/system/test_deployment.py renders the templates with this same function.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

PLACEHOLDER = re.compile(r"@([A-Z][A-Z0-9_]*)@")


def read_values(lines: list[str], origin: str = "values") -> dict[str, str]:
    """NAME=VALUE lines into a dict (surrounding blanks of NAME and VALUE are dropped)."""
    values: dict[str, str] = {}
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        if not sep or not PLACEHOLDER.fullmatch(f"@{name.strip()}@"):
            raise ValueError(f"{origin}:{number}: expected NAME=VALUE with NAME in capitals, got {line!r}")
        values[name.strip()] = value.strip()
    return values


def render(template: str, values: dict[str, str]) -> str:
    """The template with every @NAME@ replaced; ValueError naming the placeholders without a value."""
    missing = sorted({name for name in PLACEHOLDER.findall(template) if name not in values})
    if missing:
        raise ValueError("no value for " + ", ".join(f"@{name}@" for name in missing))
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help"}:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    template = Path(argv[0]).read_text(encoding="utf-8")
    values: dict[str, str] = {}
    try:
        for arg in argv[1:]:
            if "=" in arg and PLACEHOLDER.fullmatch(f"@{arg.partition('=')[0]}@"):
                values.update(read_values([arg], "argument"))
            else:
                values.update(read_values(Path(arg).read_text(encoding="utf-8").splitlines(), arg))
        sys.stdout.write(render(template, values))
    except (ValueError, OSError) as exc:
        print(f"{argv[0]}: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
