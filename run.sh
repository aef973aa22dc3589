#!/usr/bin/env bash
# Set up and run the dashboard on its embedded data: http://127.0.0.1:8501
set -euo pipefail
cd "$(dirname "$0")"
scripts/venv.sh requirements.txt
.venv/bin/python -m monitoring init
# dashboard.serve = `streamlit run` with Streamlit's old pages/ layout off (see its docstring)
exec .venv/bin/python -m dashboard.serve app.py \
  --server.address "${HOST:-127.0.0.1}" --server.port "${PORT:-8501}" \
  --server.headless true --browser.gatherUsageStats false "$@"
