"""The MQTT subscriber of the intake (paho-mqtt 2.x, MQTT 5).

QoS 1 with a persistent session: ``clean_start=False`` **and** a session expiry interval
(without the expiry an MQTT 5 session ends with the connection, and what arrives meanwhile is
gone). Messages are acknowledged by hand (``manual_ack``) after the intake committed their
rows, so a subscriber killed between receiving and writing gets them again. Acknowledgements
carry the connection they came from: after a reconnect the old packet ids mean nothing and
are dropped (the broker redelivers those messages; their rows are recognised as duplicates).
paho's network thread reconnects by itself (1 s to 30 s backoff); the state is in
:attr:`Intake.stats <cockpit.datasets.ingest.intake.IntakeStats>` (``connected``,
``last_error``).
"""

from __future__ import annotations

import logging
import socket
import struct
import threading
from typing import Any

import paho.mqtt.client as mqtt
from cockpit.datasets.ingest.intake import Intake
from paho.mqtt.client import PUBACK
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

__all__ = ["MqttSubscriber", "SESSION_EXPIRY_S"]

log = logging.getLogger(__name__)

SESSION_EXPIRY_S = 7 * 86400
"""How long the broker keeps the intake's session (and queues for it) while it is away."""


class _DrainingClient(mqtt.Client):
    """paho's client with four changes for a subscriber taking thousands of messages a
    second.

    - paho reads one packet per pass of its network loop when nothing of ours is in flight:
      :meth:`loop_read` reads what the socket holds, up to ``_PASS`` packets a pass (paho's
      own read and error handling, called in a loop).
    - paho reads a packet with several small ``recv`` calls (the command byte, each byte of
      the length, the body): :meth:`_sock_recv` serves them from 64 KiB reads, and
      :meth:`_loop` reads what is left in that buffer before paho waits on the socket.
    - one PUBACK per message, each waking the network thread and sent alone:
      :meth:`ack_many` queues a committed batch's PUBACKs as one write.
    - paho matches every message's topic against its filtered callbacks; there are none
      here (:meth:`_handle_on_message` calls ``on_message`` directly).

    It relies on paho 2.x internals (``_loop``, ``_packet_read``, ``_sock_recv``,
    ``_packet_queue``, ``_handle_on_message``); ``tests/test_ingest.py`` covers redelivery,
    acknowledgement and the read-ahead buffer end to end.
    """

    _CHUNK = 65536
    _PASS = 10_000

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rbuf = memoryview(b"")
        self._rsock: Any = None  # the socket the buffer was read from

    def _loop(self, timeout: float = 1.0) -> mqtt.MQTTErrorCode:
        # paho waits in select() on the socket; packets already read into our buffer do not
        # make it readable. When loop_read stopped at its cap with bytes still buffered, those
        # messages would wait for the next bytes from the broker — at the end of a burst that
        # is the PINGRESP a keepalive later (measured: the last messages of a 100,000-message
        # drain came 6 s late, 26 s with keepalive 30). Read them first, then let paho write
        # (the acks) and wait without blocking while anything is still buffered.
        if len(self._rbuf) and self._rsock is self._sock and self._sock is not None:
            rc = self.loop_read()
            if rc or self._sock is None:
                return rc
            if len(self._rbuf):
                timeout = 0.0
        return super()._loop(timeout)

    def loop_read(self, max_packets: int = 1) -> mqtt.MQTTErrorCode:
        # at most _PASS packets a pass, so that the acks of committed batches go out between
        # passes (see _loop for what is still buffered when a pass stops)
        for _ in range(self._PASS):
            if self._sock is None:
                return mqtt.MQTTErrorCode.MQTT_ERR_NO_CONN
            rc = self._packet_read()
            if rc > 0:
                return self._loop_rc_handle(rc)
            if rc == mqtt.MQTTErrorCode.MQTT_ERR_AGAIN:
                break
        return mqtt.MQTTErrorCode.MQTT_ERR_SUCCESS

    def _sock_recv(self, bufsize: int) -> bytes:
        if self._rsock is not self._sock:  # a new connection: what was buffered is void
            self._rbuf, self._rsock = memoryview(b""), self._sock
        if not len(self._rbuf):
            data = super()._sock_recv(max(bufsize, self._CHUNK))
            if len(data) <= bufsize:  # b"" (closed) or small: as it came
                return data
            self._rbuf = memoryview(data)
        out, self._rbuf = self._rbuf[:bufsize], self._rbuf[bufsize:]
        return bytes(out)

    def _handle_on_message(self, message: mqtt.MQTTMessage) -> None:
        # no topic-filtered callbacks are registered on this client: paho's topic matcher,
        # run for every message, is skipped (``on_message`` catches its own errors)
        with self._in_callback_mutex:
            self.on_message(self, self._userdata, message)

    def ack_many(self, mids: list[int]) -> None:
        """Acknowledge QoS 1 messages (PUBACK, reason success) in one queued write."""
        if mids:
            packet = b"".join(struct.pack("!BBH", PUBACK, 2, m) for m in mids)
            self._packet_queue(PUBACK, packet, mids[-1], 1)


class MqttSubscriber:
    """Subscribes ``<prefix>/#`` and hands every message to the intake."""

    def __init__(self, intake: Intake, host: str = "127.0.0.1", port: int = 1883, *,
                 client_id: str = "cockpit-intake", keepalive: int = 10) -> None:
        self.intake = intake
        self.host, self.port = host, int(port)
        self.client_id = client_id
        self.keepalive = keepalive
        self._gen = 0
        self._lock = threading.Lock()
        c = _DrainingClient(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id,
                        protocol=mqtt.MQTTv5, manual_ack=True)
        c.reconnect_delay_set(1, 30)
        c.max_queued_messages_set(0)
        c.on_connect = self._on_connect
        c.on_disconnect = self._on_disconnect
        c.on_message = self._on_message
        c.on_subscribe = lambda *_a: self.subscribed.set()
        self.subscribed = threading.Event()  #: the broker confirmed the subscription
        self.client = c
        intake.ack = self._ack
        intake.stats.broker = f"{host}:{port}"

    def start(self) -> None:
        """Connect (in the background: a broker that is not there yet is retried)."""
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = SESSION_EXPIRY_S
        props.ReceiveMaximum = 65535
        self.client.connect_async(self.host, self.port, keepalive=self.keepalive,
                                  clean_start=False, properties=props)
        self.client.loop_start()

    def stop(self, end_session: bool = False) -> None:
        """Disconnect and stop the network thread. The session stays on the broker (it
        queues for us until we are back) unless ``end_session``: then the broker drops it
        (MQTT 5: a session expiry of 0 on DISCONNECT) — for a subscriber that will not come
        back under this client id (tests, benchmarks), whose queue would otherwise grow."""
        try:
            if end_session:
                props = Properties(PacketTypes.DISCONNECT)
                props.SessionExpiryInterval = 0
                self.client.disconnect(properties=props)
            else:
                self.client.disconnect()
        finally:
            self.client.loop_stop()
        self.intake.stats.connected = False

    # ---- callbacks (paho's network thread) -----------------------------------------------
    def _on_connect(self, client: mqtt.Client, _ud: Any, _flags: Any, reason: Any,
                    _props: Any) -> None:
        st = self.intake.stats
        if reason.is_failure:
            st.connected = False
            st.last_error = f"connect refused: {reason}"
            return
        with self._lock:
            self._gen += 1
        sock = client.socket()
        if sock is not None and hasattr(sock, "setsockopt"):  # acks leave at once (no Nagle)
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        client.subscribe(f"{self.intake.prefix}/#", qos=1)
        st.connected = True
        st.last_error = ""
        log.info("live intake connected to %s:%s", self.host, self.port)

    def _on_disconnect(self, _c: mqtt.Client, _ud: Any, _flags: Any, reason: Any,
                       _props: Any) -> None:
        st = self.intake.stats
        st.connected = False
        st.last_error = f"disconnected: {reason}"

    def _on_message(self, _c: mqtt.Client, _ud: Any, msg: mqtt.MQTTMessage) -> None:
        ack = (self._gen, msg.mid, msg.qos) if msg.qos > 0 else None
        try:
            topic = msg.topic
        except UnicodeDecodeError:  # never let one message stop paho's network thread
            topic = msg._topic.decode("utf-8", "replace")
        try:
            self.intake.on_message(topic, msg.payload, ack)
        except Exception as e:  # noqa: BLE001 - a bug must not stall every other topic
            log.exception("live intake: message on %s not handled", topic[:100])
            self.intake.quarantine_raw(topic, msg.payload, f"malformed: not handled ({e})",
                                       ack)

    def _ack(self, acks: list[tuple[int, int, int]]) -> None:
        gen = self._gen
        ones = [mid for g, mid, qos in acks if g == gen and qos == 1]
        self.client.ack_many(ones)
        for g, mid, qos in acks:
            if g == gen and qos == 2:
                self.client.ack(mid, qos)


def broker_reachable(host: str, port: int, timeout: float = 0.5) -> bool:
    """Whether something listens at host:port."""
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            return True
    except OSError:
        return False
