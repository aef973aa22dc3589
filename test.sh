#!/usr/bin/env bash
# Set up and run every test: lint (ruff), types (mypy on monitoring/), pytest.
# Extra arguments go to pytest (e.g. ./test.sh -m "not e2e" -x).
set -euo pipefail
cd "$(dirname "$0")"
scripts/venv.sh requirements-dev.txt
echo "== ruff check" >&2
.venv/bin/ruff check .
echo "== mypy monitoring/" >&2
.venv/bin/mypy
echo "== pytest" >&2
exec .venv/bin/python -m pytest "$@"
