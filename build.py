#!/usr/bin/env python3
"""Validate the content and build the search index: ``python build.py [--content DIR] [--index DIR] [--check]``."""
from app.cli import main

if __name__ == "__main__":
    main()
