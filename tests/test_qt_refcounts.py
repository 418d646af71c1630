"""The Qt binding must survive a long-running wall: hundreds of thousands of signal emits.

PySide6 6.12.0 returned None/True/False from emits without a reference; on Python 3.11 the
interpreter aborted after a few thousand ("bool_dealloc"). pyproject excludes that release;
this test fails if a bad binding comes back.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_many_signal_emits_and_paints_do_not_abort_the_interpreter() -> None:
    code = textwrap.dedent("""
        import os, sys
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from PySide6.QtCore import QObject, Signal
        from PySide6.QtGui import QColor, QImage, QPainter, QPen
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        class A(QObject):
            s = Signal(str)
            d = Signal(object)
        a = A()
        a.s.connect(lambda x: None)
        a.d.connect(lambda x: None)
        before = sys.getrefcount(None), sys.getrefcount(True)
        for _ in range(100_000):
            a.s.emit("x")
            a.d.emit({"k": None, "b": True})
        img = QImage(64, 64, QImage.Format.Format_ARGB32)
        p = QPainter(img)
        for _ in range(50_000):
            p.setPen(QPen(QColor("#ff0000")))
            p.drawLine(0, 0, 10, 10)
        p.end()
        after = sys.getrefcount(None), sys.getrefcount(True)
        print("ok", before, after)
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.startswith("ok")
