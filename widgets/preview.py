"""One way to look at a widget alone, on sample data: ``python -m cockpit.widgets.<name>``
opens it; ``--screenshot PNG`` draws it offscreen, saves it and exits (its smoke test)."""

from __future__ import annotations

from cockpit.widgets import theme
from PySide6.QtWidgets import QApplication, QWidget


def preview_app(argv: list[str]) -> QApplication:
    """The application (made if there is none yet), in the cockpit's dark theme."""
    app = QApplication.instance() or QApplication(argv[:1])
    theme.apply(app)
    return app


def screenshot_path(argv: list[str]) -> str | None:
    """The PNG of ``--screenshot PNG`` (or of a lone ``*.png`` argument), else None."""
    if "--screenshot" in argv and argv.index("--screenshot") + 1 < len(argv):
        return argv[argv.index("--screenshot") + 1]
    return next((a for a in argv[1:] if a.endswith(".png")), None)


def show_or_save(app: QApplication, widget: QWidget, argv: list[str]) -> int:
    """Show ``widget`` and run the event loop, or save it as the PNG the arguments name."""
    out = screenshot_path(argv)
    widget.show()
    if out is None:
        return app.exec()
    app.processEvents()
    ok = widget.grab().save(out)
    print(f"saved {out}" if ok else f"could not save {out}")
    return 0 if ok else 1
