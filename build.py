#!/usr/bin/env python3
"""``python build.py [--content DIR] [--index DIR] [--check]``: the build under its old name.

The command line is ``kaytantopankki`` (``app/cli``); this is ``kaytantopankki build`` (and, with
``--check``, ``kaytantopankki check``) for the scripts and benchmarks that call it.
"""
from app.cli import build_script

if __name__ == "__main__":
    build_script()
