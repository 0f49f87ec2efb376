#!/usr/bin/env python3
"""Check that every relative link in the repository's Markdown resolves.

Usage: check_links.py [FILE.md...]     default: every tracked-looking *.md outside build/,
                                       .venv/ and .git/

A link [text](path) or [text](path#anchor) must name an existing file or directory (relative
to the linking file); an anchor must match a heading of the target (GitHub's rule: lower case,
punctuation dropped, spaces to hyphens) or an explicit <a id/name="..."> in it. Web links
(http:, https:, mailto:) are not fetched. Prints each broken link as file:line and exits 1.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SKIP_DIRS = {".git", ".venv", ".venv-train", "build", "node_modules"}

LINK_RE = re.compile(r"(?<!\!)\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
IMG_RE = re.compile(r"!\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
ANCHOR_RE = re.compile(r"<a\s+(?:id|name)=\"([^\"]+)\"")
FENCE_RE = re.compile(r"^\s*(```|~~~)")


def slug(text):
    text = re.sub(r"`([^`]*)`", r"\1", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = text.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path, cache={}):
    if path not in cache:
        found = set()
        counts = {}
        in_fence = False
        for line in path.read_text(errors="replace").splitlines():
            if FENCE_RE.match(line):
                in_fence = not in_fence
                continue
            if in_fence:
                continue
            m = HEADING_RE.match(line)
            if m:
                s = slug(m.group(1))
                n = counts.get(s, 0)
                counts[s] = n + 1
                found.add(s if n == 0 else f"{s}-{n}")
            found.update(ANCHOR_RE.findall(line))
        cache[path] = found
    return cache[path]


def md_files(args):
    if args:
        return [pathlib.Path(a).resolve() for a in args]
    out = []
    for p in sorted(ROOT.rglob("*.md")):
        rel = p.relative_to(ROOT)
        if not SKIP_DIRS.intersection(rel.parts[:-1]) and not any(
                part.startswith("build-") for part in rel.parts[:-1]):
            out.append(p)
    return out


def main():
    bad = 0
    files = md_files(sys.argv[1:])
    nlinks = 0
    for md in files:
        in_fence = False
        for lineno, line in enumerate(md.read_text(errors="replace").splitlines(), 1):
            if FENCE_RE.match(line):
                in_fence = not in_fence
                continue
            if in_fence:
                continue
            line_nocode = re.sub(r"`[^`]*`", "", line)
            for target in LINK_RE.findall(line_nocode) + IMG_RE.findall(line_nocode):
                if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
                    continue  # http:, https:, mailto:, ...
                nlinks += 1
                path_part, _, anchor = target.partition("#")
                dest = md if not path_part else (md.parent / path_part).resolve()
                where = f"{md.relative_to(ROOT)}:{lineno}"
                if not dest.exists():
                    print(f"{where}: broken link '{target}': no such file")
                    bad += 1
                elif anchor and dest.is_file() and dest.suffix == ".md" and \
                        anchor not in anchors(dest):
                    print(f"{where}: broken link '{target}': no heading '#{anchor}' in "
                          f"{dest.relative_to(ROOT) if dest.is_relative_to(ROOT) else dest}")
                    bad += 1
    if bad:
        print(f"check_links: {bad} broken link(s)")
        sys.exit(1)
    print(f"check_links: ok ({nlinks} relative links in {len(files)} Markdown files)")


if __name__ == "__main__":
    main()
