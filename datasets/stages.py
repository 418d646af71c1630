"""The stages of a dispatch order, as the event type's plan names them: the one stage list.

A plan (the dataset's ``plan`` table) says in its optional ``stages`` column which stages its
orders run, in order, as stage names separated by commas. Two flows are usual:

- the **management loop** (the default, an empty ``stages``):
  ``react,handle,verify,close,evaluate`` — 签收 → 处置 → 核查 → 结案 → 评价, where
  **核查** (``verify``) checks the *result* of the handling;
- the **emergency flow**: ``react,confirm,handle,close`` — 反应 → 核实 → 处置 → 结案, where
  **核实** (``confirm``) confirms that the *event is real* before it is handled.

A flow is a subsequence of :data:`STAGE_ORDER` (核实 always comes before 处置 and 核查 always
after it) that holds ``handle`` and ``close``; ``evaluate`` may only follow ``close``.

Every reader of an order's stages — the dispatch ledger's state machine and order view, the
order timeline and countdowns, the drill picker and scoring, the reports — asks
:func:`order_stages` (an order's stage list, from what its create row recorded) or
:func:`parse_stages` (a plan's), and :func:`stage_targets` for the deadlines along it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from cockpit.datasets.i18n import QT_TRANSLATE_NOOP

__all__ = ["STAGE_ORDER", "STAGE_ACTION", "ACTION_STAGE", "DEFAULT_STAGES", "EMERGENCY_STAGES",
           "REWORKABLE", "STAGE_WORDS", "parse_stages", "stage_problem", "order_stages",
           "stage_actions", "deadline_actions", "stage_targets", "stages_text"]

#: Every stage a plan may name, in the one order they can run.
STAGE_ORDER = ("react", "confirm", "handle", "verify", "close", "evaluate")
#: The order action that finishes each stage (react is 签收, acknowledge).
STAGE_ACTION = {"react": "acknowledge", "confirm": "confirm", "handle": "handle",
                "verify": "verify", "close": "close", "evaluate": "evaluate"}
ACTION_STAGE = {a: s for s, a in STAGE_ACTION.items()}
#: The management loop: 签收 → 处置 → 核查 → 结案 → 评价 (a plan without ``stages``).
DEFAULT_STAGES = ("react", "handle", "verify", "close", "evaluate")
#: The emergency flow: 反应 → 核实 → 处置 → 结案.
EMERGENCY_STAGES = ("react", "confirm", "handle", "close")
#: Stages an order can be returned to (退回) after they were done: the working stages.
REWORKABLE = ("confirm", "handle", "verify")
#: The words table (glossary) of the stages, in the "vocabulary" context: each stage's word
#: and what it means — 核实 and 核查 are two stages, never one.
STAGE_WORDS = {
    "react": (QT_TRANSLATE_NOOP("vocabulary", "签收"),
              QT_TRANSLATE_NOOP("vocabulary", "部门接单、开始响应")),
    "confirm": (QT_TRANSLATE_NOOP("vocabulary", "核实"),
                QT_TRANSLATE_NOOP("vocabulary", "确认事件真实发生（处置之前）")),
    "handle": (QT_TRANSLATE_NOOP("vocabulary", "处置"),
               QT_TRANSLATE_NOOP("vocabulary", "现场处置完成")),
    "verify": (QT_TRANSLATE_NOOP("vocabulary", "核查"),
               QT_TRANSLATE_NOOP("vocabulary", "检查处置结果（处置之后）")),
    "close": (QT_TRANSLATE_NOOP("vocabulary", "结案"),
              QT_TRANSLATE_NOOP("vocabulary", "工单完结")),
    "evaluate": (QT_TRANSLATE_NOOP("vocabulary", "评价"),
                 QT_TRANSLATE_NOOP("vocabulary", "满意 / 基本满意 / 不满意")),
}
#: The key of an order's deadlines (JSON of its create row) that holds a flow other than the
#: default; a create row without it runs the default loop (every row written before flows).
STAGES_KEY = "stages"


def stage_problem(stages: Iterable[str]) -> str | None:
    """What is wrong with a flow, in words (None: it is a valid flow)."""
    st = list(stages)
    unknown = [s for s in st if s not in STAGE_ORDER]
    if unknown:
        return (f"unknown stage {unknown[0]!r}: use {', '.join(STAGE_ORDER)}")
    if len(set(st)) != len(st):
        return "a stage is named twice"
    idx = [STAGE_ORDER.index(s) for s in st]
    if idx != sorted(idx):
        return ("stages out of order: they run " + " → ".join(STAGE_ORDER)
                + " (核实 confirm before 处置 handle, 核查 verify after it)")
    if "handle" not in st or "close" not in st:
        return "a flow needs handle (处置) and close (结案)"
    return None


def parse_stages(text: str | Iterable[str] | None) -> tuple[str, ...]:
    """A plan's ``stages`` value as a flow; empty or None: :data:`DEFAULT_STAGES`.

    Raises ``ValueError`` (see :func:`stage_problem`) for a flow that cannot run."""
    if text is None:
        return DEFAULT_STAGES
    if isinstance(text, str):
        items = [s.strip().lower() for s in text.replace("，", ",").split(",") if s.strip()]
    else:
        items = [str(s) for s in text]
    if not items:
        return DEFAULT_STAGES
    why = stage_problem(items)
    if why:
        raise ValueError(why)
    return tuple(items)


def stages_text(stages: Iterable[str]) -> str:
    return ",".join(stages)


def order_stages(deadlines: str | Mapping[str, Any] | None) -> tuple[str, ...]:
    """The stages an order runs, from its create row's ``deadlines`` (JSON text or dict)."""
    if isinstance(deadlines, str):
        try:
            deadlines = json.loads(deadlines) if deadlines else {}
        except ValueError:
            deadlines = {}
    raw = (deadlines or {}).get(STAGES_KEY) if isinstance(deadlines, Mapping) else None
    if not raw:
        return DEFAULT_STAGES
    try:
        return parse_stages(raw)
    except ValueError:
        return DEFAULT_STAGES


def stage_actions(stages: Iterable[str]) -> tuple[str, ...]:
    """The order actions of a flow, in order (acknowledge, confirm, handle, …)."""
    return tuple(STAGE_ACTION[s] for s in stages)


def deadline_actions(stages: Iterable[str]) -> tuple[str, ...]:
    """The actions of a flow that have a deadline (all but evaluate)."""
    return tuple(STAGE_ACTION[s] for s in stages if s != "evaluate")


def stage_targets(stages: Iterable[str], minutes: Mapping[str, float | None]
                  ) -> list[tuple[str, float]]:
    """``[(stage, minutes), …]`` along the flow for the stages with a time in ``minutes``
    (by stage name), made non-decreasing along it (a later stage is never due before an
    earlier one). A ``verify`` time given for a flow that has ``confirm`` but no ``verify``
    is the confirmation's (the older data's "核查" in "3 分钟核查" meant 核实)."""
    st = tuple(stages)
    m = dict(minutes)
    if "confirm" in st and "verify" not in st and m.get("confirm") is None:
        m["confirm"] = m.get("verify")
    out: list[tuple[str, float]] = []
    running = 0.0
    for s in st:
        v = m.get(s)
        if s == "evaluate" or v is None:
            continue
        running = max(running, float(v))
        out.append((s, running))
    return out
