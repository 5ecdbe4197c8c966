"""Where a study's validation error sits: the dotted key and the line of the TOML file it comes from."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

__all__ = ["format_errors"]


def format_errors(err: ValidationError, source: str, text: str | None) -> str:
    lines_of = _key_lines(text) if text is not None else {}
    messages = []
    for item in err.errors(include_url=False):
        loc = tuple(item["loc"])
        # pydantic adds the union member / validator tag to loc ("int", "literal[...]"): keep data keys only
        loc = tuple(p for p in loc if isinstance(p, int) or not _is_tag(str(p)))
        dotted = _dotted(loc)
        line = _line_for(loc, lines_of)
        where = f"{source}, line {line}" if line else source
        msg = item["msg"]
        if item["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling; docs/studies.md lists the valid keys)"
        elif item["type"] == "missing":
            msg = "required key is missing"
        elif "input" in item and not isinstance(item["input"], dict | list) and f"got {item['input']!r}" not in msg:
            msg = f"{msg} (got {item['input']!r})"
        messages.append(f"{where}, key '{dotted or '<top level>'}': {msg}")
    return "; ".join(dict.fromkeys(messages)) + "."


def _is_tag(part: str) -> bool:
    return part in {"int", "str", "float", "bool", "date", "none"} or part.startswith(
        ("literal[", "function-after[", "function-before[", "tuple[", "list[")
    )


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _line_for(loc: tuple[Any, ...], lines_of: Mapping[tuple[Any, ...], int]) -> int | None:
    for cut in range(len(loc), 0, -1):
        line = lines_of.get(tuple(loc[:cut]))
        if line is not None:
            return line
    return None


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*((?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+))*)\s*=""")
_INLINE_KEY = re.compile(r"""(?:[{,]\s*)("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*=""")


def _split_key(key: str) -> list[str]:
    parts = re.findall(r""""[^"]*"|'[^']*'|[^.\s]+""", key)
    return [p[1:-1] if p[:1] in "\"'" else p for p in parts]


def _key_lines(text: str) -> dict[tuple[Any, ...], int]:
    """Map key paths (as pydantic reports them) to 1-based line numbers by scanning the TOML text.

    Handles tables, arrays of tables (``[[robustness]]`` -> index), dotted keys and one-line inline tables.
    Good enough to point a user at the right line; the values themselves are parsed by :mod:`tomllib`.
    """
    found: dict[tuple[Any, ...], int] = {}
    table: tuple[Any, ...] = ()
    array_counts: dict[tuple[Any, ...], int] = {}
    in_multiline = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if in_multiline:
            if '"""' in stripped or "'''" in stripped:
                in_multiline = False
            continue
        if not stripped or stripped.startswith("#"):
            continue
        header = _HEADER.match(line)
        if header and "=" not in line.split("#")[0]:
            path = tuple(_split_key(header.group(2)))
            if header.group(1) == "[[":
                index = array_counts.get(path, -1) + 1
                array_counts[path] = index
                table = (*path, index)
            else:
                table = path
            found.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if key:
            path = (*table, *_split_key(key.group(1)))
            found.setdefault(path, number)
            rest = line[key.end():]
            if rest.count('"""') == 1 or rest.count("'''") == 1:
                in_multiline = True
            for inner in _INLINE_KEY.finditer(rest):
                found.setdefault((*path, _split_key(inner.group(1))[0]), number)
        elif stripped.startswith("{") and table:
            # one inline table per line inside a multi-line array: index them in order
            parent = _last_array_key(found, number)
            if parent is not None:
                index = array_counts.get(parent, -1) + 1
                array_counts[parent] = index
                found.setdefault((*parent, index), number)
                for inner in _INLINE_KEY.finditer(stripped):
                    found.setdefault((*parent, index, _split_key(inner.group(1))[0]), number)
    return found


def _last_array_key(found: Mapping[tuple[Any, ...], int], before: int) -> tuple[Any, ...] | None:
    best: tuple[Any, ...] | None = None
    best_line = -1
    for path, line in found.items():
        if line < before and line > best_line and path and isinstance(path[-1], str):
            best, best_line = path, line
    return best
