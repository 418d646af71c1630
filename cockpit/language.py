"""Which interface language to use — no Qt, so the CLI and the settings can ask it.

Chinese is the source language and the default; English is the one translation. The choice
comes, first match wins, from the command line (``--lang``), the ``COCKPIT_LANG`` environment
variable, the settings (the ``lang`` key of the config file), then the default. A change of
setting takes effect at the next start.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

#: Supported languages: code → its own name (shown in a language menu).
LANGUAGES: dict[str, str] = {"zh": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh"


def normalise(lang: str | None) -> str | None:
    """'en', 'EN', 'en_GB', 'en-US' → 'en'; 'zh_CN', 'zh-Hans' → 'zh'; anything else → None."""
    if not lang:
        return None
    code = lang.strip().lower().replace("-", "_").split("_")[0]
    return code if code in LANGUAGES else None


def resolve_language(cli: str | None = None, config: str | None = None,
                     env: Mapping[str, str] | None = None) -> str:
    """The language to use: the first supported one of ``--lang``, ``COCKPIT_LANG`` and the
    config file's ``lang``; else Chinese."""
    env = os.environ if env is None else env
    for candidate in (cli, env.get("COCKPIT_LANG"), config):
        code = normalise(candidate)
        if code is not None:
            return code
    return DEFAULT_LANGUAGE
