"""The Xicheng air-quality target monitor: the domain package (no screen code here)."""

__version__ = "0.1.0"
