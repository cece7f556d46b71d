"""`astra estimate`: the lognormal probability of a crypto threshold event, for checking a market.

Prints p_hat, p_low, p_high (and the inputs with --json). A veto (expired, non-positive or
non-finite input) prints its reason and exits 2.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any

from astra.cli.main import CommandError
from astra.domain.estimator import DAYS_PER_YEAR, Direction, EstimatorConfig, EventKind, estimate
from astra.domain.verdict import Verdict

VETO_EXIT = 2


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "estimate", help="lognormal close/touch probability with its uncertainty band"
    )
    parser.add_argument("--spot", type=float, required=True, help="current spot price")
    parser.add_argument("--strike", type=float, required=True, help="threshold level")
    parser.add_argument("--kind", choices=[k.value for k in EventKind], required=True)
    parser.add_argument("--direction", choices=[d.value for d in Direction], required=True)
    parser.add_argument("--days", type=float, required=True, help="time to the cutoff, days")
    parser.add_argument("--vol", type=float, required=True, help="annualised volatility, 0.65")
    parser.add_argument(
        "--vol-band",
        type=float,
        default=EstimatorConfig().vol_rel_band,
        help="relative vol uncertainty u: sigma in [sigma(1-u), sigma(1+u)]",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=_estimate)


def _config(band: float) -> EstimatorConfig:
    try:
        return EstimatorConfig(vol_rel_band=band)
    except ValueError as exc:
        raise CommandError(f"--vol-band: {exc}") from exc


def _estimate(args: argparse.Namespace) -> int:
    t_years = args.days / DAYS_PER_YEAR if math.isfinite(args.days) else args.days
    config = _config(args.vol_band)
    result = estimate(args.kind, args.spot, args.strike, args.vol, t_years, args.direction, config)
    if isinstance(result, Verdict):
        reason = str(result.reason)
        if args.json:
            print(json.dumps({"veto": reason, "detail": result.detail}, sort_keys=True))
        print(f"astra estimate: veto {reason}: {result.detail}", file=sys.stderr)
        return VETO_EXIT
    if args.json:
        print(json.dumps(result.as_dict(), sort_keys=True))
    else:
        print(f"p_hat {result.p_hat:.6f}  p_low {result.p_low:.6f}  p_high {result.p_high:.6f}")
    return 0
