"""Live intake (实时接入): readings and reports arriving over MQTT and Open311 GeoReport v2.

No Qt. Modules: :mod:`.store` (the live tables, DuckDB or PostgreSQL), :mod:`.validate`
(checks and quarantine reasons), :mod:`.intake` (batching writer, topics), :mod:`.mqtt` (the
subscriber), :mod:`.open311` (the HTTP endpoint), :mod:`.service` (all of it started as one),
:mod:`.follow` (the cockpit's reader), :mod:`.simulate` (``cockpit simulate``'s traffic).
"""
