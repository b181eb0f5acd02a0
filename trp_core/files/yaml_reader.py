"""A safe YAML reader for the app's data files: plain data only, with the line of every path.

Anchors, aliases, foreign tags and deep nesting are refused, named by their path.
"""

from __future__ import annotations

import re
from typing import Any, Final

import yaml
import yaml.cyaml

MAX_DEPTH: Final = 20


class YamlProblem(Exception):
    """Why a YAML text cannot be read: a message, and where it applies (line, dotted path)."""

    def __init__(self, message: str, line: int | None = None, path: str = ""):
        super().__init__(message)
        self.message, self.line, self.path = message, line, path


# YAML 1.2 core schema for plain scalars: "no", "on", "yes" stay strings (an option may be
# called "no"), and nothing but these few types can ever be constructed.
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_YAML_TAG_PREFIX: Final = "tag:yaml.org,2002:"
_STR_TAG: Final = _YAML_TAG_PREFIX + "str"
# Explicit tags that change nothing but the type of a plain value; "!" is YAML's "no tag".
_ALLOWED_TAGS: Final = {"!"} | {
    _YAML_TAG_PREFIX + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "value")
}
# Python refuses to convert integers of more than 4300 digits; no survey needs more than a few.
_MAX_NUMBER_CHARS: Final = 100
# The first characters of a plain scalar that may be a null, a bool or a number.
_MAYBE_TYPED: Final = frozenset("0123456789+-.~nNtTfF") | {""}
_ALIAS_MESSAGE: Final = "anchors and aliases (&name, *name) are not allowed; write the values out"


def _line(mark: Any) -> int | None:
    return mark.line + 1 if mark is not None else None


class _PyParser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """PyYAML's own event parser, used where libyaml is not installed."""

    def __init__(self, stream: str):
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)


# libyaml parses about ten times faster: what keeps a near-1 MB file under a second.
_FAST_PARSER = getattr(yaml, "__with_libyaml__", False)


class _Builder:
    """Builds plain data straight from parser events, never constructing any object from a tag.

    Nothing is composed or resolved first, so an anchor, an alias, a foreign tag or a value
    nested too deep is refused the moment the parser reaches it, named by its path. The loops
    take plain scalars on a fast path: a file of half a million tiny values stays under a second.
    """

    def __init__(self, parser: Any):
        self.parser = parser
        self.lines: dict[str, int] = {}

    def document(self) -> Any:
        p = self.parser
        p.get_event()  # stream start
        if p.check_event(yaml.StreamEndEvent):
            raise YamlProblem("the file holds no survey, only comments or an empty document")
        p.get_event()  # document start
        data = self.value(p.get_event(), "", 1)
        p.get_event()  # document end
        if not p.check_event(yaml.StreamEndEvent):
            raise YamlProblem(
                "a survey file holds one YAML document; remove the second '---' and what follows it",
                _line(p.peek_event().start_mark),
            )
        return data

    @staticmethod
    def _check(event: Any, path: str, depth: int) -> None:
        if event.__class__ is yaml.AliasEvent or event.anchor is not None:
            raise YamlProblem(_ALIAS_MESSAGE, _line(event.start_mark), path)
        if event.tag is not None and event.tag not in _ALLOWED_TAGS:
            raise YamlProblem(
                f"the tag {_show_tag(event.tag)} is not allowed; survey files hold plain data only",
                _line(event.start_mark),
                path,
            )
        if depth > MAX_DEPTH:
            raise YamlProblem(
                f"nested deeper than {MAX_DEPTH} levels; a survey never needs that",
                _line(event.start_mark),
                path,
            )

    def value(self, event: Any, path: str, depth: int) -> Any:
        self._check(event, path, depth)
        self.lines.setdefault(path, event.start_mark.line + 1)
        cls = event.__class__
        if cls is yaml.ScalarEvent:
            return _scalar(event, path)
        if cls is yaml.SequenceStartEvent:
            return self._sequence(path, depth)
        return self._mapping(path, depth)

    def _sequence(self, path: str, depth: int) -> list[Any]:
        items: list[Any] = []
        get = self.parser.get_event
        shallow = depth < MAX_DEPTH
        while True:
            event = get()
            cls = event.__class__
            if cls is yaml.SequenceEndEvent:
                return items
            if cls is yaml.ScalarEvent and shallow and event.anchor is None and event.tag is None:
                # No line is kept for a scalar item: a problem with it shows its list's line.
                items.append(_plain(event, path, len(items)))
            else:
                items.append(
                    self.value(event, f"{path}.{len(items)}" if path else str(len(items)), depth + 1)
                )

    def _mapping(self, path: str, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        get = self.parser.get_event
        lines = self.lines
        while True:
            key_event = get()
            if key_event.__class__ is yaml.MappingEndEvent:
                return out
            self._check(key_event, path, depth + 1)
            if key_event.__class__ is not yaml.ScalarEvent:
                raise YamlProblem("keys must be plain words", _line(key_event.start_mark), path)
            key = key_event.value  # the key as written: `no:` stays "no"
            child = f"{path}.{key}" if path else key
            if key == "<<" and not key_event.style:
                raise YamlProblem(
                    "merge keys (<<) are not allowed; write the values out",
                    _line(key_event.start_mark),
                    child,
                )
            if key in out:
                raise YamlProblem(
                    f"duplicate key {key!r}: it already appears on line {lines[child]}",
                    _line(key_event.start_mark),
                    child,
                )
            lines[child] = key_event.start_mark.line + 1  # a problem with a value is shown on its key
            out[key] = self.value(get(), child, depth + 1)


def _plain(event: Any, path: str, index: int) -> Any:
    """A scalar item of a list; its path is only worked out when there is a problem."""
    text = event.value
    if event.style:
        return text
    if text.isascii() and text.isdigit():
        if len(text) <= _MAX_NUMBER_CHARS:
            return int(text)
    elif text[:1] not in _MAYBE_TYPED:
        return text
    return _scalar(event, f"{path}.{index}" if path else str(index))


def _scalar(event: Any, path: str) -> Any:
    text = event.value
    if event.style or event.tag == _STR_TAG:  # quoted, block or !!str: always a string
        return text
    if _NULL.match(text):
        return None
    if _BOOL.match(text):
        return text.lower() == "true"
    if _INT.match(text) or _FLOAT.match(text):
        if len(text) > _MAX_NUMBER_CHARS:
            raise YamlProblem(
                f"a number of {len(text):,} characters is too long for a survey file",
                _line(event.start_mark),
                path,
            )
        return int(text) if _INT.match(text) else float(text)
    return text


def _show_tag(tag: str) -> str:
    return "!!" + tag[len(_YAML_TAG_PREFIX) :] if tag.startswith(_YAML_TAG_PREFIX) else tag


def _syntax_message(exc: yaml.MarkedYAMLError, text: str) -> str:
    problem, context = exc.problem or "", exc.context or ""
    mark = exc.problem_mark
    if mark is not None:
        lines = text.split("\n", mark.line + 1)
        at = lines[mark.line][mark.column : mark.column + 1] if mark.line < len(lines) else ""
        if at == "\t" or "tab" in problem:
            return "YAML syntax error: a tab character; YAML indents with spaces only"
    if "nesting depth" in problem:  # libyaml's own limit, met while looking ahead in [[[[...
        return f"nested deeper than {MAX_DEPTH} levels; a survey never needs that"
    if problem.startswith("mapping values are not allowed"):
        return "YAML syntax error: unexpected ':'; a text that contains ': ' must be put in quotes"
    message = f"YAML syntax error: {problem or context}"
    if problem and context and exc.context_mark and mark and exc.context_mark.line != mark.line:
        message += f" ({context} that starts on line {exc.context_mark.line + 1})"
    return message


def parse_yaml(text: str) -> tuple[Any, dict[str, int]]:
    """Safely parse one YAML document into plain data and a path-to-line map."""
    parser: Any = None
    try:
        # PyYAML's reader checks for control characters here already.
        parser = yaml.cyaml.CParser(text) if _FAST_PARSER else _PyParser(text)
        builder = _Builder(parser)
        data = builder.document()
    except yaml.MarkedYAMLError as exc:
        raise YamlProblem(_syntax_message(exc, text), _line(exc.problem_mark or exc.context_mark)) from None
    except yaml.reader.ReaderError as exc:
        # An offset in characters (PyYAML) or in UTF-8 bytes (libyaml).
        before = (
            text[: exc.position]
            if not _FAST_PARSER
            else text.encode()[: exc.position].decode(errors="replace")
        )
        code = ord(exc.character) if isinstance(exc.character, str) else exc.character
        raise YamlProblem(
            f"the control character U+{code:04X} is not allowed in a YAML file", before.count("\n") + 1
        ) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"YAML error: {' '.join(str(exc).split())}") from None
    finally:
        if parser is not None and hasattr(parser, "dispose"):
            parser.dispose()
    return data, builder.lines
