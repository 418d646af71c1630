"""The map page skeleton, built once by folium, served from local files only.

folium writes the Leaflet map and the district boundary layer; its default page also links
jQuery, Bootstrap, Font Awesome and AwesomeMarkers from CDNs, which a closed network cannot
reach — they are dropped, and Leaflet itself comes from the ``xstatic-leaflet`` package on
disk. Layers with many features are never put into this HTML: the page receives them through
the web channel (see ``resources/map_bridge.js``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from html import escape
from importlib import resources
from pathlib import Path

import xstatic.pkg.leaflet as xs_leaflet
import xstatic.pkg.leaflet_markercluster as xs_cluster

#: Anything that would make the page reach outside the machine.
REMOTE_REF = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.IGNORECASE)

#: Offline tiles are served by the app under this scheme (see MapView.set_tile_source).
TILE_SCHEME_URL = "cockpit-tiles:/{z}/{x}/{y}"


def csp(tile_origin: str | None = None, script_hashes: tuple[str, ...] = ()) -> str:
    """The page's content-security policy: local files only, plus the tile server if any.

    No ``'unsafe-inline'`` for scripts: the page's own inline scripts (folium's map set-up)
    run because their SHA-256 hashes are listed; any other inline script — one that a name
    could smuggle into the page — is refused by the engine."""
    img = "'self' data: blob: file: cockpit-tiles:" + (f" {tile_origin}" if tile_origin else "")
    hashes = "".join(f" 'sha256-{h}'" for h in script_hashes)
    return ("default-src 'none'; "
            f"script-src 'self' file: qrc:{hashes}; "
            "style-src 'self' 'unsafe-inline' file:; "
            f"img-src {img}; "
            "font-src 'self' data: file:; "
            "connect-src 'self' file: qrc:; "
            "frame-src 'none'; object-src 'none'; form-action 'none'; base-uri 'none'")


def tile_origin(url: str) -> str | None:
    """scheme://host[:port] of a tile URL template, or None for the offline scheme."""
    m = re.match(r"^(https?://[^/{}]+)", url)
    return m.group(1) if m else None


CSP = csp()


def asset_urls() -> dict[str, str]:
    """file:// URLs of Leaflet, MarkerCluster and our bridge script."""
    leaflet = Path(xs_leaflet.BASE_DIR)
    cluster = Path(xs_cluster.BASE_DIR)
    bridge = Path(str(resources.files("cockpit.resources").joinpath("map_bridge.js")))
    return {
        "leaflet_js": (leaflet / "leaflet.js").as_uri(),
        "leaflet_css": (leaflet / "leaflet.css").as_uri(),
        "cluster_js": (cluster / "leaflet.markercluster.js").as_uri(),
        "cluster_css": (cluster / "MarkerCluster.css").as_uri(),
        "cluster_default_css": (cluster / "MarkerCluster.Default.css").as_uri(),
        "bridge_js": bridge.as_uri(),
    }


def build_page(boundaries: dict, extent: tuple[float, float, float, float], out_dir: Path,
               max_zoom: int = 18, lang: str = "zh", tiles: str | None = None,
               tiles_attribution: str = "") -> Path:
    """Write the map page into ``out_dir`` and return its path.

    ``tiles``: None (no base map: dark background and boundaries), a tile URL template of an
    intranet server (``http://tiles.local/{z}/{x}/{y}.png``), or :data:`TILE_SCHEME_URL` for
    an MBTiles file the app serves. The file name carries a hash of the input, so an
    unchanged dataset reuses the page.
    """
    urls = asset_urls()
    # an unchanged input reuses the page without importing or running folium (start-up time)
    key_src = json.dumps([boundaries, list(extent), max_zoom, lang, tiles, tiles_attribution,
                          urls, _code_version()], sort_keys=True, ensure_ascii=False)
    key = hashlib.sha1(key_src.encode("utf-8")).hexdigest()[:16]
    path = out_dir / f"map-{key}.html"
    if path.exists():
        return path
    import folium

    west, south, east, north = extent
    m = folium.Map(location=[(south + north) / 2, (west + east) / 2], zoom_start=8,
                   tiles=None, min_zoom=5, max_zoom=max_zoom, prefer_canvas=True,
                   control_scale=True, zoom_control=True, attribution_control=False,
                   zoom_snap=0.25, zoom_delta=0.5)
    m.default_js = [("leaflet", urls["leaflet_js"]), ("markercluster", urls["cluster_js"])]
    m.default_css = [("leaflet_css", urls["leaflet_css"]),
                     ("markercluster_css", urls["cluster_css"]),
                     ("markercluster_default_css", urls["cluster_default_css"])]
    origin = None
    if tiles:
        origin = tile_origin(tiles)
        if origin is None and not tiles.startswith("cockpit-tiles:"):
            raise ValueError(f"tile URL must be http(s)://… or the offline scheme: {tiles!r}")
        folium.TileLayer(tiles=tiles, attr=tiles_attribution or " ", name="底图 · base map",
                         max_zoom=max_zoom, overlay=False, control=False).add_to(m)
    real = {"type": "FeatureCollection", "features": [
        _geometry_only(f) for f in boundaries.get("features", [])
        if not f.get("properties", {}).get("overlay")]}
    zones = {"type": "FeatureCollection", "features": [
        _geometry_only(f) for f in boundaries.get("features", [])
        if f.get("properties", {}).get("overlay")]}
    gj = folium.GeoJson(real, name="区县边界" if lang == "zh" else "District boundaries",
                        style_function=lambda _f: {"color": "#5b8bd6", "weight": 1.2,
                                                   "fillColor": "#1a2a48", "fillOpacity": 0.55},
                        highlight_function=lambda _f: {"weight": 3, "color": "#9cc3ff"},
                        smooth_factor=0.5)
    gj.add_to(m)
    zone_layer = folium.GeoJson(zones, name="功能区" if lang == "zh" else "Functional zones",
                                style_function=lambda _f: {"color": "#c792ea", "weight": 2,
                                                           "dashArray": "6 6", "fill": False})
    if zones["features"]:
        zone_layer.add_to(m)
    m.fit_bounds([[south, west], [north, east]])
    root = m.get_root()
    head = root.header
    head.add_child(folium.Element(
        f'<meta http-equiv="Content-Security-Policy" content="{escape(csp(origin))}">'
        f'<meta name="cockpit-map" content="{escape(m.get_name())}">'
        f'<meta name="cockpit-boundaries" content="{escape(gj.get_name())}">'
        f'<meta name="cockpit-zones" content="{escape(zone_layer.get_name())}">'
        f'<meta name="cockpit-lang" content="{escape(lang)}">'
        '<style>html,body{background:#0b1220;margin:0;} '
        '.leaflet-container{background:#0b1220 !important;'
        'font-family:"Noto Sans CJK SC",sans-serif;} '
        '.leaflet-tooltip.cockpit-label{background:transparent;border:none;box-shadow:none;'
        'color:#dce8ff;padding:0;font-size:11px;font-weight:600;'
        'text-shadow:0 0 3px #000,0 0 3px #000;} '
        '.leaflet-tooltip.cockpit-label:before{display:none;} '
        '.cockpit-legend{background:rgba(17,26,46,.9);color:#e6edf7;padding:6px 8px;'
        'border-radius:4px;font-size:12px;line-height:18px;} '
        '.cockpit-legend-note{color:#ffd60a;max-width:220px;margin-bottom:4px;} '
        '.cockpit-legend i{display:inline-block;width:12px;height:12px;margin-right:6px;'
        'vertical-align:middle;} '
        '.leaflet-popup-content-wrapper,.leaflet-popup-tip{background:#111a2e;color:#e6edf7;}'
        '</style>'))
    html = root.render()
    # our bridge runs after folium's inline script (which folium puts after </body>)
    tail = ('<script src="qrc:///qtwebchannel/qwebchannel.js"></script>'
            f'<script src="{escape(urls["bridge_js"])}"></script>')
    cut = html.rfind("</html>")
    html = html[:cut] + tail + html[cut:] if cut >= 0 else html + tail
    # allow exactly the inline scripts written above, by their hashes
    hashes = tuple(script_hash(body) for body in inline_scripts(html))
    html = html.replace(escape(csp(origin)), escape(csp(origin, hashes)), 1)
    remote = [r for r in REMOTE_REF.findall(html) if not (origin and origin in r)]
    if remote:
        raise RuntimeError(f"map page still references the network: {remote[:3]}")
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)
    return path


#: An inline script: a script element without a src attribute, and its text.
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script\s*>",
                            re.IGNORECASE | re.DOTALL)


def inline_scripts(html: str) -> list[str]:
    """The text of every inline script of a page."""
    return _INLINE_SCRIPT.findall(html)


def script_hash(text: str) -> str:
    """The CSP hash source of a script's text (base64 of its UTF-8 SHA-256)."""
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _code_version() -> str:
    """This module and the bridge script: a change to either builds the page anew."""
    here = Path(__file__).read_bytes()
    bridge = resources.files("cockpit.resources").joinpath("map_bridge.js").read_bytes()
    return hashlib.sha1(here + bridge).hexdigest()


_SAFE_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")


def _geometry_only(feature: dict) -> dict:
    """A feature with only its geometry and a safe code: names reach the page through the
    bridge as data and are set as text, never inside the page's inline script (a name like
    ``</script><script>…`` would otherwise break out of it)."""
    code = str(feature.get("properties", {}).get("adcode", ""))
    return {"type": "Feature", "geometry": feature.get("geometry"),
            "properties": {"adcode": code if _SAFE_CODE.match(code) else ""}}


def boundaries_json(boundaries: dict) -> str:
    """Compact JSON of a FeatureCollection."""
    return json.dumps(boundaries, ensure_ascii=False, separators=(",", ":"))
