#!/usr/bin/env bash
# Set up and run every test: lint (ruff), types (mypy on monitoring/), pytest.
# Extra arguments go to pytest (e.g. ./test.sh -m "not e2e" -x; ./test.sh --slow adds the
# tests marked slow, as CI does; ./test.sh -n 0 runs in one process).
# pytest runs in parallel (pytest-xdist, one worker per core): every test has its own
# database and folder; each browser test file runs on one worker, which starts one dashboard
# server and one Chromium for the files it gets (--dist loadgroup, groups in tests/conftest.py).
set -euo pipefail
cd "$(dirname "$0")"
scripts/venv.sh requirements-dev.txt
echo "== ruff check" >&2
.venv/bin/ruff check .
echo "== mypy monitoring/" >&2
.venv/bin/mypy
echo "== pytest" >&2
exec .venv/bin/python -m pytest -n auto --dist loadgroup "$@"
