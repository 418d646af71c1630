"""City vital signs (城市体征): the status of every indicator as of a moment, its excursions,
and the alarm events they raise. No Qt; plain values and numpy arrays out.

Rules (the README's text; the tests check each one):

- **Levels.** A reading is *alarm* when it is strictly beyond an alarm threshold
  (``value > alarm_high`` or ``value < alarm_low``), else *warning* when strictly beyond a
  warning threshold (``value > warn_high`` or ``value < warn_low``), else *normal*. A value
  exactly on a threshold is inside: ``value == alarm_high`` is not alarm (it is warning when
  ``alarm_high > warn_high``). Empty thresholds do not apply; an indicator may have only one
  side, or only alarm thresholds.
- **Hysteresis.** A state is entered at once but left only when the value is back inside by a
  dead band: ``HYSTERESIS`` (10 %) of the side's band width, the width being the warning band
  on that side (``alarm_high − warn_high``), else the distance between the two innermost
  thresholds of both sides (``warn_high − warn_low``), else the threshold's own magnitude. So
  an indicator in alarm above ``alarm_high`` stays in alarm while ``value > alarm_high − d``
  and drops (to warning or normal, as the value says with the same dead band) once
  ``value <= alarm_high − d``. A value hovering at a threshold does not flap.
- **Replay window.** Each reading's state is the state machine
  ``s = max(level(v), min(s, held_level(v)))`` replayed over the readings of its own window
  ``(ts − WINDOW, ts]`` (2 h, at most ``MAX_REPLAY`` = 64 readings), starting from the plain
  level of the window's first reading. This is the approximation that makes the whole city
  computable in a few milliseconds: the dead band holds a state for at most 2 h after the value
  was last beyond the threshold; a value that stays in the dead band longer drops a level.
- **Status as of t** is the state of the indicator's latest reading at or before ``t``;
  *nodata* when there is none within ``STALE`` (2 h) before ``t``.
- **Excursions** are the runs of consecutive readings in the same non-normal state; a run
  ends at the first reading in another state (``left_at`` = that reading's time) or, when the
  indicator goes silent, ``STALE`` after its last reading. Because status and excursions come
  from the same per-reading states, they agree for every ``t``: replay is not a second path.
- **Alarm events.** One alarm event per alarm excursion (a run of alarm readings), not one
  per reading. Its id is deterministic (:func:`alarm_event_id`: ``2**52`` plus 52 bits of a
  hash of indicator and entry time, exact in JSON/JavaScript, far above the catalog's ids), so
  replaying the same moment gives the same events.

Data flow: :func:`load_signs` reads the static indicator table once; :func:`fetch_readings`
reads a time range of readings into a :class:`Readings` (sorted by indicator and time,
plain numpy arrays; simulated readings merge in with :meth:`Readings.merge`);
:func:`evaluate` and :func:`excursions_in` answer from a :class:`Readings`;
:func:`status_as_of` and :func:`excursions` are the one-call versions on a connection.
"""

from __future__ import annotations

from cockpit.datasets.vitals.demo_links import EVENT_TYPE_RULES
from cockpit.datasets.vitals.monitor import (
    PRELOAD_MAX_READINGS,
    ScriptedSign,
    TickResult,
    VitalsMonitor,
    panel_data,
    sim_cache_path,
)
from cockpit.datasets.vitals.signs import (
    ALARM,
    ALARM_ID_BASE,
    HYSTERESIS,
    LOOKBACK,
    MAX_REPLAY,
    NODATA,
    NORMAL,
    STALE,
    STATE_NAMES,
    WARNING,
    WINDOW,
    Signs,
    from_us,
    load_signs,
    make_signs,
    to_us,
)
from cockpit.datasets.vitals.status import (
    Excursion,
    Readings,
    VitalStatus,
    alarm_event,
    alarm_event_id,
    domain_summary,
    evaluate,
    excursions,
    excursions_in,
    fetch_readings,
    sign_row,
    states_at,
    status_as_of,
    table_columns,
)

__all__ = [
    "ALARM",
    "ALARM_ID_BASE",
    "EVENT_TYPE_RULES",
    "HYSTERESIS",
    "LOOKBACK",
    "MAX_REPLAY",
    "NODATA",
    "NORMAL",
    "STALE",
    "STATE_NAMES",
    "Signs",
    "WARNING",
    "WINDOW",
    "from_us",
    "load_signs",
    "make_signs",
    "to_us",
    "Excursion",
    "Readings",
    "VitalStatus",
    "alarm_event",
    "alarm_event_id",
    "domain_summary",
    "evaluate",
    "excursions",
    "excursions_in",
    "fetch_readings",
    "sign_row",
    "states_at",
    "status_as_of",
    "table_columns",
    "PRELOAD_MAX_READINGS",
    "ScriptedSign",
    "TickResult",
    "VitalsMonitor",
    "panel_data",
    "sim_cache_path",
]
