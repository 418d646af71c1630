"""An intake process for the tests: ``python ingest_worker.py STORE BROKER_PORT CLIENT_ID``.

Runs :class:`cockpit.datasets.ingest.service.LiveService` (the code ``cockpit ingest`` runs)
with a vocabulary of vital signs V0 … V999, prints ``ready``, and on SIGTERM prints its
counters as JSON and exits; the tests kill it with SIGKILL mid-stream too.
"""

from __future__ import annotations

import json
import signal
import sys
import threading

from cockpit.datasets.ingest.service import IntakeOptions, LiveService
from cockpit.datasets.ingest.validate import Vocabulary

store, port, client = sys.argv[1], int(sys.argv[2]), sys.argv[3]
vocab = Vocabulary(vitals={f"V{i}" for i in range(1000)})
svc = LiveService(store, vocab, IntakeOptions(broker_port=port, http_port=None,
                                               client_id=client, flood_burst=1e9))
done = threading.Event()
signal.signal(signal.SIGTERM, lambda *_a: done.set())
svc.start()
svc.mqtt.subscribed.wait(20)  # subscribed before saying ready
print("ready", flush=True)
done.wait()
svc.close()
print(json.dumps(svc.intake.stats.snapshot()), flush=True)
