"""Definition contracts built from a market's Gamma metadata and rules text, or a named veto.

`build_contract(info)` routes a market to the one builder that may read it (crypto price
threshold, central-bank rate decision, weather exceedance, else a binary event) and returns a
`BuildResult`: a lint-clean contract, or the builder's named reason (`BuildVeto`, or the
crypto parser's `ParseVeto`) with a detail. Nothing is guessed: a piece that is missing or
could be read two ways is a veto.
"""

from astra.domain.contract_builders.build import BuildResult, build_contract

__all__ = ["BuildResult", "build_contract"]
