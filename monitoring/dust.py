"""Sand-and-dust days (沙尘天): the one-day flags of earlier versions, now one-day
``sand_dust`` exceptional events (monitoring.events, which holds the rules)."""

from __future__ import annotations

from monitoring.events import flag_dust_day, unflag_dust_day

__all__ = ["flag_dust_day", "unflag_dust_day"]
