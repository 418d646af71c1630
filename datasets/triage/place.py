"""Finding the place a report names: district, street or community, in full or short.

A caller says 渝中区解放碑街道, 解放碑这边, 渝中 or 金渝社区, sometimes with a slip (解放杯街道).
:class:`PlaceFinder` knows every unit of the dataset's ``admin_unit`` above the grids under its
full name and its everyday short form (渝中区 → 渝中, 解放碑街道 → 解放碑, 金渝社区居民委员会 →
金渝社区, 三台村村民委员会 → 三台村) and:

1. scans the text for those names (exact, longest first). A two-character short form counts
   only when the text says it is a place (在/到/住 before it, 这边/那边/附近/一带/旁边 after it)
   or when it agrees with another name found (its district);
2. when no street or community was found, matches the words before a place suffix (街道, 镇,
   乡, 社区, 村) against the names with that suffix with rapidfuzz (``fuzz.ratio`` ≥ 75),
   within the district found if there is one;
3. of the names found, keeps the most specific unit that agrees with the others (a community
   of the named street, a street of the named district). Names shared by several units
   (a 城关镇 in many counties) are decided by the district said; otherwise the first is taken
   and the score lowered.

Only the first 600 characters are scanned (a long complaint names its place early).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["PlaceFinder", "PlaceMatch", "short_name"]

_LEVEL_RANK = {"district": 1, "street": 2, "community": 3}
_SCAN_CHARS = 600
_FUZZY_SUFFIXES = ("街道", "镇", "乡", "社区", "村")
_BEFORE = ("在", "到", "住", "是")
_AFTER = ("这边", "那边", "附近", "一带", "旁边", "这里", "那里", "街道", "镇", "片区", "的")


def short_name(name: str) -> str:
    """The everyday short form of a unit's name (渝中区 → 渝中, 解放碑街道 → 解放碑,
    金渝社区居民委员会 → 金渝社区); the name itself when it has none."""
    for suffix in ("居民委员会", "村民委员会", "居委会", "村委会"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    for suffix in ("街道办事处", "街道", "自治县", "区", "县", "镇", "乡"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@dataclass(frozen=True)
class PlaceMatch:
    """The place a text names: the unit and the district and street it lies in."""

    code: str
    name: str
    level: str  # district / street / community
    district_code: str | None
    street_code: str | None
    matched: str  # the words of the text that named it
    score: float  # 0–1: 1 for an exact full name that agrees with the rest
    fuzzy: bool = False

    def as_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "level": self.level,
                "district_code": self.district_code, "street_code": self.street_code,
                "matched": self.matched, "score": round(self.score, 3), "fuzzy": self.fuzzy}


class PlaceFinder:
    """Place names of one dataset, ready to be found in texts."""

    def __init__(self, units: Iterable[tuple[str, str, str, str | None]]) -> None:
        """``units``: (code, name, level, parent_code) rows of ``admin_unit``; grids and the
        top unit are ignored."""
        self.code: list[str] = []
        self.name: list[str] = []
        self.level: list[str] = []
        self.parent: list[str | None] = []
        for code, name, level, parent in units:
            if level not in _LEVEL_RANK or not name:
                continue
            self.code.append(str(code))
            self.name.append(str(name))
            self.level.append(level)
            self.parent.append(parent)
        pos = {c: i for i, c in enumerate(self.code)}
        self._pos = pos
        n = len(self.code)
        self.district: list[str | None] = [None] * n
        self.street: list[str | None] = [None] * n
        for i in range(n):
            lv = self.level[i]
            if lv == "district":
                self.district[i] = self.code[i]
            elif lv == "street":
                self.street[i] = self.code[i]
                self.district[i] = self.parent[i]
            else:
                self.street[i] = self.parent[i]
                p = pos.get(self.parent[i] or "")
                self.district[i] = self.parent[p] if p is not None else None
        # alias -> [(unit index, is_full_name)]
        self.alias: dict[str, list[tuple[int, bool]]] = {}
        for i, nm in enumerate(self.name):
            self.alias.setdefault(nm, []).append((i, True))
            s = short_name(nm)
            if s != nm and len(s) >= 2:
                self.alias.setdefault(s, []).append((i, False))
        self.max_len = max((len(a) for a in self.alias), default=0)
        # first character -> the lengths of the names starting with it, longest first
        first: dict[str, set[int]] = {}
        for a in self.alias:
            first.setdefault(a[0], set()).add(len(a))
        self._lengths = {c: tuple(sorted(ls, reverse=True)) for c, ls in first.items()}
        # fuzzy pools: full names by suffix, the names compared (short for 社区 and 村) and,
        # per pool, which names hold each character (the candidates of a slip, see _fuzzy)
        self._by_suffix: dict[str, list[int]] = {}
        for i, nm in enumerate(self.name):
            for suf in _FUZZY_SUFFIXES:
                if short_name(nm).endswith(suf) or nm.endswith(suf):
                    self._by_suffix.setdefault(suf, []).append(i)
                    break
        self._pool_names: dict[str, list[str]] = {}
        self._pool_chars: dict[str, dict[str, list[int]]] = {}
        for suf, pool in self._by_suffix.items():
            names = [short_name(self.name[i]) if suf in ("社区", "村") else self.name[i]
                     for i in pool]
            self._pool_names[suf] = names
            chars: dict[str, list[int]] = {"": [k for k, nm in enumerate(names)
                                                if len(nm) <= 2]}  # always candidates
            for k, nm in enumerate(names):
                for ch in set(nm):
                    chars.setdefault(ch, []).append(k)
            self._pool_chars[suf] = chars

    # ---------------------------------------------------------------- public

    def find(self, text: str) -> PlaceMatch | None:
        """The place ``text`` names, or ``None``."""
        text = (text or "")[:_SCAN_CHARS]
        if not text:
            return None
        hits = self._exact(text)
        if not any(self.level[i] != "district" for i, *_ in hits):
            hits += self._fuzzy(text, [i for i, *_ in hits])
        return self._decide(hits)

    # ---------------------------------------------------------------- helpers

    def _exact(self, text: str) -> list[tuple[int, bool, str, bool]]:
        """(unit, full name?, matched words, fuzzy?) for every name in the text, longest
        first at each position, without overlaps."""
        out = []
        i, n = 0, len(text)
        while i < n - 1:
            found = None
            for ln in self._lengths.get(text[i], ()):
                if ln < 2 or ln > n - i:
                    continue
                w = text[i:i + ln]
                cands = self.alias.get(w)
                if cands:
                    found = (w, cands)
                    break
            if found is None:
                i += 1
                continue
            w, cands = found
            if len(w) == 2 and not any(full for _, full in cands):
                before = text[max(0, i - 1):i]
                after = text[i + 2:i + 4]
                if not (before in _BEFORE or any(after.startswith(a) for a in _AFTER)):
                    cands = [(u, f) for u, f in cands
                             if self.level[u] == "district" or self._weak_ok(u, text)]
            out.extend((u, f, w, False) for u, f in cands)
            i += len(w)
        return out

    def _weak_ok(self, u: int, text: str) -> bool:
        d = self.district[u]
        if d is None or self.level[u] == "district":
            return False
        di = self._pos.get(d)
        if di is None:
            return False
        return self.name[di] in text or short_name(self.name[di]) in text

    def _fuzzy(self, text: str, known: list[int]) -> list[tuple[int, bool, str, bool]]:
        """Names with a slip before a place suffix: ``fuzz.ratio`` ≥ 75 against the pool's
        names that share a character with the words before the suffix (and the names of two
        characters or fewer). The others cannot reach 75: sharing at most the suffix's L ≤ 2
        characters, a text of at least L + 1 and a name of at least 3 give at most
        2L / (2L + 2) < 0.75 for L = 2 (and less for L = 1). The candidates keep the pool's
        order, so the best match (first of equals) is the one a scan of the whole pool finds."""
        from rapidfuzz import fuzz, process

        districts = {self.district[i] for i in known if self.district[i]}
        out = []
        for suf in _FUZZY_SUFFIXES:
            pool = self._by_suffix.get(suf, [])
            if not pool:
                continue
            names, chars = self._pool_names[suf], self._pool_chars[suf]
            start = 0
            while True:
                k = text.find(suf, start)
                if k < 0:
                    break
                start = k + 1
                end = k + len(suf)
                best = None
                for ln in (3, 4, 5):
                    w = text[max(0, end - ln):end]
                    if len(w) <= len(suf):
                        continue
                    cand = sorted({c for ch in {"", *w[:-len(suf)]} for c in chars.get(ch, ())})
                    if districts:
                        cand = [c for c in cand if self.district[pool[c]] in districts]
                    if not cand:
                        continue
                    r = process.extractOne(w, [names[c] for c in cand], scorer=fuzz.ratio,
                                           score_cutoff=75)
                    if r is not None and (best is None or r[1] > best[1]):
                        best = (w, r[1], cand[r[2]])
                if best is not None:
                    out.append((pool[best[2]], True, best[0], True))
        return out

    def _decide(self, hits: list[tuple[int, bool, str, bool]]) -> PlaceMatch | None:
        if not hits:
            return None
        codes = {self.code[u] for u, *_ in hits}
        best, best_key = None, None
        for u, full, w, fuzzy in hits:
            agree = 0
            if self.district[u] in codes and self.level[u] != "district":
                agree += 1
            if self.level[u] == "community" and self.street[u] in codes:
                agree += 1
            same = sum(1 for v, *_ in hits if self.name[v] == self.name[u] and v != u)
            key = (agree, _LEVEL_RANK[self.level[u]], full, not fuzzy, -same, len(w))
            if best_key is None or key > best_key:
                best, best_key = (u, full, w, fuzzy, agree, same), key
        u, full, w, fuzzy, agree, same = best
        score = 1.0 if full else 0.8
        if fuzzy:
            score *= 0.75
        if same and not agree:
            score *= 0.5
        if agree:
            score = min(1.0, score + 0.1)
        return PlaceMatch(self.code[u], self.name[u], self.level[u], self.district[u],
                          self.street[u], w, score, fuzzy)
