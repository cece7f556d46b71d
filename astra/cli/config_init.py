"""`astra config init`: a commented TOML file of every setting with its default and its rule.

Every key is written commented out (`# key = default`), so the file changes nothing until a
line is uncommented, and a later release's new defaults still apply to the keys left alone.
"""

from __future__ import annotations

import json
from dataclasses import fields

from astra.settings import Settings
from astra.settings_rules import RULES

HEADER = """\
# Astra settings. Precedence: embedded defaults < this file < ASTRA_<SECTION>__<KEY>
# environment < command-line flags. Unknown sections or keys are refused at start, and so is
# any value outside its rule. Uncomment a line to change it.
"""


def commented_toml(settings: Settings | None = None) -> str:
    """The whole file as text; `settings` gives the values shown (the defaults if None)."""
    current = settings if settings is not None else Settings()
    out = [HEADER]
    for section in fields(Settings):
        table = getattr(current, section.name)
        out.append(f"\n[{section.name}]")
        for item in fields(table):
            key = f"{section.name}.{item.name}"
            rule = RULES.get(key)
            if rule is not None:
                out.append(f"# {item.name}: {rule.describe()}")
            out.append(f"# {item.name} = {_toml_value(getattr(table, item.name))}")
    return "\n".join(out) + "\n"


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(value)
