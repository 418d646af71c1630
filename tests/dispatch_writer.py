"""A process that dispatches in a loop, for the kill tests and the multi-seat tests.

    python tests/dispatch_writer.py STORE START [COUNT] [--seat NAME] [--retry] [--wait]

Opens the store (a DuckDB path or a postgresql:// URL), prints ``ready``, then for i = START,
START+1, … creates the orders of event ``writer_event(i)`` (a three-department plan) with key
``writer_key(i)`` and, every other i, acknowledges the first order with key ``ack_key(i)``.
After each call returns it prints ``committed <key> <order ids, comma-separated>`` or
``advanced <key> <order id>`` and flushes: a printed line is a result the caller was told
about. The test kills it with SIGKILL at any moment.

``--seat NAME``: keys become ``NAME:<key>`` (several seats racing for the same events with
their own requests); a create refused because another seat dispatched the event first prints
``refused <key> <event>``. ``--retry``: a write the store could not make (server stopped or
restarting) prints ``failed <key> <reason>`` and is repeated with the same key until it lands.
``--wait``: after ``ready``, wait for a line on stdin (to start several seats at once).
"""

from __future__ import annotations

import sys
import time

from cockpit.datasets.dispatch import DuplicateOpenOrder, StoreWriteError, open_store
from cockpit.datasets.routing import Plan, PlanStep

PLAN = Plan([PlanStep(1, "D-500103-GS", "关阀", 5, "react"),
             PlanStep(2, "D-500103-CGJ", "到场", 10, "react"),
             PlanStep(3, "D-500103-GS", "核查", 20, "verify"),
             PlanStep(4, "D-500103-GAJ", "交通管制", 15, "react"),
             PlanStep(5, "D-500103-GS", "抢修", 240, "handle"),
             PlanStep(6, "D-500103-CGJ", "结案", 360, "close")],
            plan_id="P-TEST", targets={"react": 5, "verify": 20, "handle": 240})


def writer_event(i: int) -> str:
    return f"E{i}"


def writer_key(i: int, seat: str = "") -> str:
    return f"{seat}:create-{i}" if seat else f"create-{i}"


def ack_key(i: int, seat: str = "") -> str:
    return f"{seat}:ack-{i}" if seat else f"ack-{i}"


def _call(fn, key: str, retry: bool):
    while True:
        try:
            return fn()
        except StoreWriteError as e:
            if not retry:
                raise
            print(f"failed {key} {str(e).splitlines()[0]}", flush=True)
            time.sleep(0.2)


def main(argv: list[str]) -> int:
    args = [a for a in argv[1:] if not a.startswith("--")]
    seat = argv[argv.index("--seat") + 1] if "--seat" in argv else ""
    if seat:
        args.remove(seat)
    retry = "--retry" in argv
    path, start = args[0], int(args[1])
    count = int(args[2]) if len(args) > 2 else 10**9
    store = open_store(path, seat=seat or "writer", source="test")
    print("ready", flush=True)
    if "--wait" in argv:  # start together with the other seats
        sys.stdin.readline()
    for i in range(start, start + count):
        key = writer_key(i, seat)
        try:
            ids = _call(lambda i=i, key=key: store.create(writer_event(i), "writer", key, PLAN),
                        key, retry)
        except DuplicateOpenOrder:
            print(f"refused {key} {writer_event(i)}", flush=True)
            continue
        print(f"committed {key} {','.join(ids)}", flush=True)
        if i % 2 == 0:
            akey = ack_key(i, seat)
            _call(lambda ids=ids, akey=akey: store.advance(ids[0], "acknowledge", "writer", akey),
                  akey, retry)
            print(f"advanced {akey} {ids[0]}", flush=True)
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
