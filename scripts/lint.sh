#!/usr/bin/env bash
# Lint and format check with ruff (configured in pyproject.toml). Usage: scripts/lint.sh
# Fix with `.venv/bin/ruff check --fix .` and `.venv/bin/ruff format .`, then read the diff.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check .
.venv/bin/ruff format --check .
