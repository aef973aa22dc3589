"""``python -m monitoring COMMAND`` — see monitoring/cli.py."""

from monitoring.cli import main

raise SystemExit(main())
