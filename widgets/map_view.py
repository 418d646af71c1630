"""The map: a QWebEngineView on a local Leaflet page, talking to Python through one bridge.

Python → page: ``MapView.send_layer(json_text)``; page → Python: the signals below. A request
interceptor blocks and logs anything that is not local, so the map works, and stays quiet, on
a closed network.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QCoreApplication,
    QIODevice,
    QObject,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import (
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineSettings,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
    QWebEngineUrlRequestJob,
    QWebEngineUrlScheme,
    QWebEngineUrlSchemeHandler,
)
from PySide6.QtWebEngineWidgets import QWebEngineView

log = logging.getLogger(__name__)

TILE_SCHEME = b"cockpit-tiles"
LOCAL_SCHEMES = {"file", "qrc", "data", "blob", "about", TILE_SCHEME.decode()}


def register_tile_scheme() -> None:
    """Declare the offline tile scheme; must run before the QApplication exists."""
    if QWebEngineUrlScheme.schemeByName(TILE_SCHEME).name():
        return
    scheme = QWebEngineUrlScheme(TILE_SCHEME)
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Path)
    scheme.setFlags(QWebEngineUrlScheme.Flag.LocalScheme
                    | QWebEngineUrlScheme.Flag.LocalAccessAllowed)
    QWebEngineUrlScheme.registerScheme(scheme)


class TileSchemeHandler(QWebEngineUrlSchemeHandler):
    """Serves ``cockpit-tiles:/Z/X/Y`` from a tile source callable (an MBTiles file)."""

    def __init__(self, source: Callable[[int, int, int], bytes | None], mime: str,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self.mime = mime.encode()
        self.served = 0

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:  # noqa: N802
        parts = job.requestUrl().path().strip("/").split("/")
        try:
            z, x, y = (int(p.split(".")[0]) for p in parts[-3:])
            data = self.source(z, x, y)
        except (ValueError, TypeError):
            job.fail(QWebEngineUrlRequestJob.Error.UrlInvalid)
            return
        if data is None:
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        buf = QBuffer(job)
        buf.setData(QByteArray(data))
        buf.open(QIODevice.OpenModeFlag.ReadOnly)
        self.served += 1
        job.reply(self.mime, buf)


class LocalOnlyInterceptor(QWebEngineUrlRequestInterceptor):
    """Blocks every request that is not local (or to the configured tile server), and
    remembers it."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.blocked: list[str] = []
        self.allowed_origins: set[str] = set()

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:  # noqa: N802
        url = info.requestUrl()
        if url.scheme().lower() in LOCAL_SCHEMES:
            return
        origin = f"{url.scheme().lower()}://{url.host().lower()}:{url.port(-1)}"
        if origin in self.allowed_origins:
            return
        info.block(True)
        self.blocked.append(url.toString())
        log.warning("map: blocked non-local request %s", url.toString())


class _Page(QWebEnginePage):
    """Logs the page's console; errors are kept for tests and the status line."""

    def __init__(self, profile: QWebEngineProfile, parent: QObject | None = None) -> None:
        super().__init__(profile, parent)
        self.console_errors: list[str] = []
        self.sig_console_error = lambda _text: None

    def javaScriptConsoleMessage(self, level, message, line, source):  # noqa: N802
        text = f"{source}:{line}: {message}"
        if level == QWebEnginePage.JavaScriptConsoleMessageLevel.ErrorMessageLevel:
            self.console_errors.append(text)
            self.sig_console_error(text)
            log.error("map page: %s", text)
        else:
            log.info("map page: %s", text)


class MapBridge(QObject):
    """The one object on the web channel. Slots take JSON text from the page; nothing here
    runs a query, opens a path or calls anything generic: the page can only report."""

    sig_layer_data = Signal(str)
    """Python → page: one layer's data as JSON text."""
    sig_command = Signal(str)
    """Python → page: a command as JSON text (fly_to, set_view, fit, visible, refresh)."""

    def __init__(self, view: MapView) -> None:
        super().__init__(view)
        self._view = view

    @Slot(str)
    def page_ready(self, text: str) -> None:
        self._view._on_page_ready(_parse(text))

    @Slot(str)
    def viewport_changed(self, text: str) -> None:
        msg = _parse(text)
        if msg:
            self._view._emit(self._view.sig_viewport_changed, msg)

    @Slot(str)
    def feature_clicked(self, text: str) -> None:
        msg = _parse(text)
        if msg:
            self._view.sig_feature_clicked.emit(msg)

    @Slot(str)
    def layer_drawn(self, text: str) -> None:
        msg = _parse(text)
        if msg and isinstance(msg.get("layer"), str):
            self._view._on_layer_drawn(msg)


def _parse(text: str) -> dict | None:
    try:
        msg = json.loads(text)
    except (TypeError, ValueError):
        log.warning("map bridge: ignoring malformed message %.200r", text)
        return None
    return msg if isinstance(msg, dict) else None


class MapView(QWebEngineView):
    """The map region."""

    sig_ready = Signal()
    """The page has loaded and the bridge is connected."""
    sig_viewport_changed = Signal(dict)
    """The user moved or zoomed: {west, south, east, north, zoom}."""
    sig_feature_clicked = Signal(dict)
    """A feature was clicked: {layer, code | id}."""
    sig_layer_drawn = Signal(dict)
    """The page drew a layer's data: {layer, seq, features, ms (viewport sent → drawn)}."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        # off the record: no disk cache, no cookies. The profile must outlive its page, so it
        # belongs to the application, not to this view.
        self.profile = QWebEngineProfile(QCoreApplication.instance())
        self.interceptor = LocalOnlyInterceptor(self)
        self.profile.setUrlRequestInterceptor(self.interceptor)
        self.web_page = _Page(self.profile, self)
        s = self.web_page.settings()
        attr = QWebEngineSettings.WebAttribute
        s.setAttribute(attr.LocalContentCanAccessFileUrls, True)
        s.setAttribute(attr.LocalContentCanAccessRemoteUrls, False)
        s.setAttribute(attr.JavascriptCanOpenWindows, False)
        s.setAttribute(attr.JavascriptCanAccessClipboard, False)
        s.setAttribute(attr.PluginsEnabled, False)
        s.setAttribute(attr.PdfViewerEnabled, False)
        self.tile_handler: TileSchemeHandler | None = None
        self.setPage(self.web_page)
        self.bridge = MapBridge(self)
        self.channel = QWebChannel(self.web_page)
        self.channel.registerObject("bridge", self.bridge)
        self.web_page.setWebChannel(self.channel)
        self.page_ready = False
        self.drawn_layers: set[str] = set()
        self._pending: list[str] = []
        #: the page's reports held while nobody listens yet (see :meth:`hold_signals`)
        self._held: list[tuple[Any, tuple]] | None = None
        self._disposed = False
        self._console_errors: list[str] = []
        self.web_page.sig_console_error = self._console_errors.append
        QCoreApplication.instance().aboutToQuit.connect(self.dispose)

    def set_tile_source(self, source: Callable[[int, int, int], bytes | None], mime: str) -> None:
        """Serve offline base-map tiles (``cockpit-tiles:/Z/X/Y``) from ``source``."""
        self.tile_handler = TileSchemeHandler(source, mime, self)
        self.profile.installUrlSchemeHandler(TILE_SCHEME, self.tile_handler)

    def allow_origin(self, url: str) -> None:
        """Let the page reach one more origin: the configured intranet tile server."""
        q = QUrl(url.replace("{", "").replace("}", ""))
        self.interceptor.allowed_origins.add(
            f"{q.scheme().lower()}://{q.host().lower()}:{q.port(-1)}")

    def hold_signals(self) -> None:
        """Keep the page's reports (ready, the viewport) until :meth:`release_signals`: the
        application loads the page before the window that listens to it is built, so that
        QtWebEngine starts its processes while Python builds the rest."""
        if self._held is None:
            self._held = []

    def release_signals(self) -> None:
        """Emit the reports held since :meth:`hold_signals`, in order; then emit as they
        come."""
        held, self._held = self._held or [], None
        for signal, args in held:
            signal.emit(*args)

    def _emit(self, signal: Any, *args: Any) -> None:
        if self._held is not None:
            self._held.append((signal, args))
        else:
            signal.emit(*args)

    def send_command(self, command: dict) -> None:
        """Give the page a command: fly_to, set_view, fit, visible, refresh."""
        if self.page_ready:
            self.bridge.sig_command.emit(json.dumps(command, allow_nan=False))

    def load_page(self, path: Path) -> None:
        """Load the page file built by ``cockpit.layers.page.build_page``."""
        self.page_ready = False
        self.drawn_layers.clear()
        self.load(QUrl.fromLocalFile(str(path)))

    def send_layer(self, payload: dict | str) -> None:
        """Give the page one layer's data (sent once the page is ready)."""
        text = payload if isinstance(payload, str) else json.dumps(
            payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        if self.page_ready:
            self.bridge.sig_layer_data.emit(text)
        else:
            self._pending.append(text)

    def dispose(self) -> None:
        """Delete the page, then its profile: QtWebEngine crashes at exit in the other order.

        Called when the window closes and when the application quits; safe to call twice.
        """
        if self._disposed:
            return
        self._disposed = True
        page, profile = self.web_page, self.profile
        self.web_page = None
        self.profile = None
        shiboken6.delete(page)
        shiboken6.delete(profile)

    def closeEvent(self, event) -> None:  # noqa: N802
        self.dispose()
        super().closeEvent(event)

    def console_errors(self) -> list[str]:
        return list(self._console_errors)

    def blocked_requests(self) -> list[str]:
        return list(self.interceptor.blocked)

    def _on_page_ready(self, _msg: dict | None) -> None:
        self.page_ready = True
        pending, self._pending = self._pending, []
        for text in pending:
            self.bridge.sig_layer_data.emit(text)
        self._emit(self.sig_ready)

    def _on_layer_drawn(self, msg: dict) -> None:
        self.drawn_layers.add(msg["layer"])
        self.sig_layer_drawn.emit(msg)
