"""Crypto threshold question parser: Gamma question + description -> draft contract or veto."""

from astra.domain.question_parser.parser import ParseResult, parse_crypto_question, parse_market

__all__ = ["ParseResult", "parse_crypto_question", "parse_market"]
