"""Time every page's script run with AppTest, cold and warm: the benchmark's page driver.

``python -m monitoring bench`` runs this in a child interpreter (monitoring/ never imports
Streamlit): ``python -m dashboard.bench_pages APP YEAR PAGES_JSON REPEAT`` prints one JSON
object, page → cold/warm wall and CPU seconds and any exception.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import streamlit as st
from streamlit.testing.v1 import AppTest


def _timed_run(at: AppTest) -> tuple[float, float]:
    start, cpu = time.perf_counter(), time.process_time()
    at.run()
    return time.perf_counter() - start, time.process_time() - cpu


def time_page(app: str, year: int, page: str, repeat: int) -> dict[str, Any]:
    cold: list[float] = []
    warm: list[float] = []
    cold_cpu: list[float] = []
    warm_cpu: list[float] = []
    errors: list[str] = []
    for _ in range(repeat):
        at = AppTest.from_file(app, default_timeout=300)
        at.session_state["year"] = year
        if page != "overview.py":
            at.run()
            at.switch_page(f"pages/{page}")
        # cold: nothing cached (the engine and every loader start from scratch).
        st.cache_data.clear()
        st.cache_resource.clear()
        wall, cpu = _timed_run(at)
        cold.append(wall)
        cold_cpu.append(cpu)
        wall, cpu = _timed_run(at)
        warm.append(wall)
        warm_cpu.append(cpu)
        errors = [str(e.value)[:300] for e in at.exception]
    return {"cold": cold, "warm": warm, "cold_cpu": cold_cpu, "warm_cpu": warm_cpu, "errors": errors}


def main(argv: list[str]) -> None:
    app, year, pages, repeat = argv[0], int(argv[1]), json.loads(argv[2]), int(argv[3])
    print(json.dumps({page: time_page(app, year, page, repeat) for page in pages}))


if __name__ == "__main__":
    main(sys.argv[1:])
