"""Start the dashboard: ``python -m dashboard.serve app.py [streamlit flags]``.

The same as ``streamlit run app.py [flags]`` (Streamlit's own CLI, in this process), with
Streamlit's old ``pages/`` layout switched off before the first request. Streamlit 1.x
treats a folder named ``pages/`` next to the main script as its first multipage layout
until ``st.navigation`` has run once in the process: the very first request of a fresh
server then bypasses app.py (a bookmark runs the page file alone; an unknown URL gets
Streamlit's English "Page not found" dialog). app.py routes with ``st.navigation``, so
that layout is never wanted; the page files stay in pages/ because that is where the
team keeps its screens.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def use_router_only() -> None:
    """Tell Streamlit that app.py's ``st.navigation`` routes every request, the first included.

    ``PagesManager.uses_pages_directory`` is Streamlit's own switch (``st.navigation`` sets
    it to False the same way, but only once app.py has run). A Streamlit without it is left
    as it is: the e2e routing tests on a fresh server then fail.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if hasattr(PagesManager, "uses_pages_directory"):
        PagesManager.uses_pages_directory = False


def main(argv: Sequence[str] | None = None) -> None:
    """``streamlit run ARGV…`` in this process, after ``use_router_only``."""
    from streamlit.web import cli

    args = list(sys.argv[1:] if argv is None else argv)
    use_router_only()
    # prog_name as `python -m streamlit` sets it: Streamlit reads its own command line back.
    cli.main(args=["run", *args], prog_name="streamlit")


if __name__ == "__main__":
    main()
