"""`astra fills scenario FILE [--queue-model M] --json`: check the paper fill model by hand.

Runs a scenario file (docs/fills.md) through `MarketState`'s books, orders and fill model
and prints what happened to each order and the account it leaves. A bad file is one line
on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from astra.app.fill_scenario import run_scenario
from astra.app.fill_scenario_file import ScenarioError, load_scenario
from astra.cli.main import CommandError
from astra.domain.queue_models import QueueModelName, queue_model


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("fills", help="check the paper fill model")
    commands = parser.add_subparsers(dest="fills_command", metavar="SUBCOMMAND", required=True)
    scenario = commands.add_parser("scenario", help="run a fill scenario file")
    scenario.add_argument("file", metavar="FILE", type=Path, help="scenario JSON file")
    scenario.add_argument(
        "--queue-model",
        choices=[m.value for m in QueueModelName],
        default=QueueModelName.RISK_AVERSE.value,
        help="queue model (default: risk_averse)",
    )
    scenario.add_argument("--power", type=int, default=2, help="probabilistic f(x) = x ** N")
    scenario.add_argument("--json", action="store_true", help="print one JSON document")
    scenario.set_defaults(func=_scenario)


def _scenario(args: argparse.Namespace) -> int:
    try:
        model = queue_model(args.queue_model, args.power)
        result = run_scenario(load_scenario(args.file), model)
    except (ScenarioError, ValueError) as exc:
        raise CommandError(str(exc), exit_code=2) from exc
    if args.json:
        print(json.dumps(result, sort_keys=True))
        return 0
    for key, order in result["orders"].items():
        print(f"{key}: {order['state']} ({order['reason']}), filled {order['filled']}")
        for fill in order["fills"]:
            print(f"  {fill['size']} @ {fill['price']} venue {fill['venue_ms']} fee {fill['fee']}")
    account = result["account"]
    print(f"cash {account['cash']}, equity {account['equity']}, positions {account['positions']}")
    return 0
