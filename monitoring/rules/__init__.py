"""The rules: pure functions (validity, daily statistics, rounding, AQI, ranking, budget, trends, road dust,
the verdict, the plan's statuses).

No I/O and no streamlit: they take frames and thresholds (from targets.yaml) and return
frames or small results; monitoring.reports and monitoring.plan feed them from storage.
"""
