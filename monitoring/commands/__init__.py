"""One module per command of ``python -m monitoring``; each defines ``register(subparsers)``.

monitoring/cli.py finds them here, so adding a command is adding a module.
"""
