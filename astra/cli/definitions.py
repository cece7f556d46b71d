"""`astra definitions parse|lint`: check a market's definition before trusting it.

parse: question (+ description) -> draft contract with its hash and lint result (exit 0),
or the veto reason (exit 2). lint: a contracts JSON list, one line per problem, exit 1 on
any problem (nothing is half-accepted).
"""

from __future__ import annotations

import argparse
import json
import tomllib
from pathlib import Path
from typing import Any

from astra.cli.main import CommandError
from astra.domain.contracts import (
    DefinitionContract,
    RegistryError,
    canonical_mapping,
    definition_hash,
    format_instant,
    parse_contract_entries,
    parse_contract_list,
    parse_instant,
)
from astra.domain.question_parser import ParseResult, parse_crypto_question

VETO_EXIT = 2
LINT_FAILED_EXIT = 1


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("definitions", help="parse and lint definition contracts")
    commands = parser.add_subparsers(dest="definitions_command", metavar="ACTION", required=True)
    parse = commands.add_parser("parse", help="draft a contract from a market question")
    parse.add_argument("question", help="the market question, quoted")
    parse.add_argument("--description-file", metavar="F", help="file with the market description")
    parse.add_argument("--end-date", metavar="ISO", help="Gamma endDate (infers a missing year)")
    parse.add_argument("--market-id", metavar="ID", default="", help="condition id (0x + 64 hex)")
    parse.add_argument("--group-item-title", metavar="T", default="", help="Gamma groupItemTitle")
    parse.add_argument("--json", action="store_true", help="print one JSON document")
    parse.set_defaults(func=_parse)
    lint = commands.add_parser(
        "lint", help="lint a contracts file (JSON list, or TOML [[contract]] tables)"
    )
    lint.add_argument("file", help="contracts file (.json or .toml), as for [contracts] file")
    lint.set_defaults(func=_lint)


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from exc


def _end_date(text: str | None) -> int | None:
    if text is None:
        return None
    # Gamma's endDateIso is date-only; it only serves to infer a year, so midnight UTC is fine.
    spelled = f"{text}T00:00:00Z" if len(text) == 10 else text
    millis = parse_instant(spelled)
    if not isinstance(millis, int) or isinstance(millis, bool):
        raise CommandError(f"--end-date {text!r}: {millis} (give ISO-8601 with an offset)")
    return millis


def _parse(args: argparse.Namespace) -> int:
    description = _read(args.description_file) if args.description_file else ""
    result = parse_crypto_question(
        args.question,
        description,
        end_date_ms=_end_date(args.end_date),
        market_id=args.market_id,
        group_item_title=args.group_item_title,
    )
    document = _document(args.question, result)
    if args.json:
        print(json.dumps(document, indent=2, sort_keys=True))
    else:
        for key in ("veto", "detail", "definition_hash", "cutoff_utc", "window_start_utc"):
            if key in document:
                print(f"{key}: {document[key]}")
        for problem in document.get("lint", {}).get("problems", []):
            print(f"lint: {problem['code']}:{problem['field']} {problem['message']}")
    return 0 if result.contract is not None else VETO_EXIT


def _document(question: str, result: ParseResult) -> dict[str, Any]:
    if result.contract is None:
        return {"question": question, "veto": str(result.veto), "detail": result.detail}
    contract = result.contract
    document: dict[str, Any] = {
        "question": question,
        "contract": canonical_mapping(contract),
        "definition_hash": definition_hash(contract),
        "cutoff_utc": format_instant(contract.cutoff_ms),
        "lint": _lint_document(result),
    }
    if contract.window_start_ms is not None:
        document["window_start_utc"] = format_instant(contract.window_start_ms)
    return document


def _lint_document(result: ParseResult) -> dict[str, Any]:
    problems = result.lint.problems if result.lint is not None else ()
    return {
        "ok": not problems,
        "problems": [
            {"code": str(p.code), "field": p.field, "message": p.message} for p in problems
        ],
    }


def _parse_file(path: str, text: str) -> tuple[DefinitionContract, ...]:
    """A JSON list, or TOML `[[contract]]` tables (the two shapes `[contracts] file` takes)."""
    if not path.lower().endswith(".toml"):
        return parse_contract_list(text)
    try:
        entries = tomllib.loads(text).get("contract", [])
    except tomllib.TOMLDecodeError as exc:
        raise CommandError(f"{path}: not TOML: {exc}") from exc
    if not isinstance(entries, list):
        raise CommandError(f"{path}: contract must be an array of tables ([[contract]])")
    return parse_contract_entries(list(entries))


def _lint(args: argparse.Namespace) -> int:
    text = _read(args.file)
    try:
        contracts = _parse_file(args.file, text)
    except RegistryError as exc:
        for problem in exc.problems:
            print(f"{args.file}: {problem}")
        return LINT_FAILED_EXIT
    for contract in contracts:
        print(f"ok {contract.market_id} {contract.category} {definition_hash(contract)}")
    print(f"{args.file}: {len(contracts)} contract(s), all clean")
    return 0
