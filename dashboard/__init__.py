"""Streamlit glue shared by the pages: the cached engine, the sidebar state, messages.

The domain lives in monitoring/ (no streamlit there); the screens in pages/; this package
is the thin layer between them that every page uses the same way.
"""
