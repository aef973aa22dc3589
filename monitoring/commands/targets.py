"""``targets [--format json]``: the targets in force."""

from __future__ import annotations

import argparse
import json


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("targets", help="show the targets in force")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from monitoring.targets import load_targets  # pydantic and yaml: only when the command runs

    targets = load_targets()
    if args.format == "json":
        print(json.dumps(targets.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return 0
    print(f"{targets.plan} ({targets.year})")
    print("PM2.5 annual targets by subdistrict (µg/m³):")
    for sd in targets.subdistricts:
        print(f"  {sd.code}  {sd.short_name:<6}\t{sd.pinyin:<16}\t{sd.pm25_target:g}")
    print("District indicators:")
    for ind in targets.indicators:
        goal = f"{ind.target:g}" if ind.target is not None else ind.target_text
        print(f"  {ind.key:<32}{ind.direction:<9}{goal} {ind.unit}\t({ind.source})")
    return 0
