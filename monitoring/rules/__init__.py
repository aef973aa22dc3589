"""The rules: pure functions (validity, daily statistics, rounding, AQI, ranking, budget, trends, road dust).

No I/O and no streamlit: they take frames and thresholds (from targets.yaml) and return
frames or small results; monitoring.reports feeds them from storage.
"""
