"""A process that dispatches in a loop, for the kill tests of the dispatch store.

    python tests/dispatch_writer.py STORE START [COUNT]

Opens the store, prints ``ready``, then for i = START, START+1, … creates the orders of event
``writer_event(i)`` (a three-department plan) with key ``writer_key(i)`` and, every other i,
acknowledges the first order with key ``ack_key(i)``. After each call returns it prints
``committed <key> <order ids, comma-separated>`` or ``advanced <key> <order id>`` and flushes:
a printed line is a result the caller was told about. The test kills it with SIGKILL at any
moment.
"""

from __future__ import annotations

import sys

from cockpit.datasets.dispatch import open_store
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


def writer_key(i: int) -> str:
    return f"create-{i}"


def ack_key(i: int) -> str:
    return f"ack-{i}"


def main(argv: list[str]) -> int:
    path, start = argv[1], int(argv[2])
    count = int(argv[3]) if len(argv) > 3 else 10**9
    store = open_store(path, seat="writer", source="test")
    print("ready", flush=True)
    for i in range(start, start + count):
        ids = store.create(writer_event(i), "writer", writer_key(i), PLAN)
        print(f"committed {writer_key(i)} {','.join(ids)}", flush=True)
        if i % 2 == 0:
            store.advance(ids[0], "acknowledge", "writer", ack_key(i))
            print(f"advanced {ack_key(i)} {ids[0]}", flush=True)
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
