"""The scheduling command line: ``python -m scheduling roster|assign|book FILE ...`` (see DESIGN.md).

Each engine registers its own sub-command; they all print one JSON object and exit 2 on bad input.
"""
from __future__ import annotations

import argparse
import bisect
import json
import json.scanner
import sys
from typing import Any, Sequence


class InputError(Exception):
    """Bad input file: carries the file name and the 1-based line number of the problem."""

    def __init__(self, path: str, line: int | None, problem: str):
        self.path = path
        self.line = line
        self.problem = problem
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {problem}")


class _Parser(argparse.ArgumentParser):
    """Argument parser that exits with status 2 and one line on bad arguments."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


class Located(dict):
    """A JSON object that remembers the line it starts on."""

    line: int = 0


def load_located_json(text: str, path: str) -> Any:
    """json.loads, but objects carry their line numbers (Located); syntax errors become InputError."""
    newlines = [i for i, ch in enumerate(text) if ch == "\n"]
    decoder = json.JSONDecoder()

    def parse_object(s_and_end, strict, scan_once, object_hook, object_pairs_hook, memo=None):
        """Parse one object and record its line."""
        start = s_and_end[1]
        value, end = json.decoder.JSONObject(s_and_end, strict, scan_once, None, None, memo)
        located = Located(value)
        located.line = bisect.bisect_left(newlines, start) + 1
        return located, end

    decoder.parse_object = parse_object
    decoder.scan_once = json.scanner.py_make_scanner(decoder)
    try:
        return decoder.decode(text)
    except json.JSONDecodeError as error:
        raise InputError(path, error.lineno, f"not valid JSON: {error.msg}") from None


def load_object(text: str, path: str) -> Located:
    """The file's one JSON object (objects carry their lines), or InputError."""
    data = load_located_json(text, path)
    if not isinstance(data, Located):
        raise InputError(path, 1, "the file must hold one JSON object")
    return data


def validated(problem, validate, invalid: type[Exception], reader: "FieldReader", path: str):
    """The problem once validate(problem) passes; its `invalid` error (with .section and .item) becomes an
    InputError at the line of the item it names."""
    try:
        validate(problem)
    except invalid as error:
        raise InputError(path, reader.lines.get((error.section, error.item)), str(error)) from None
    return problem


def read_text(path: str) -> str:
    """A UTF-8 input file's text; a file that cannot be read or decoded is an InputError (exit status 2)."""
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except UnicodeDecodeError:
        raise InputError(path, None, "not a UTF-8 text file") from None
    except OSError as error:
        raise InputError(path, None, f"cannot be read: {error.strerror}") from None


class FieldReader:
    """Readers of JSON fields that raise InputError at the object's line; remember each item's line for errors
    found later (validation names a section and an item). Each engine's reader adds its own objects."""

    def __init__(self, path: str):
        self.path = path
        self.lines: dict[tuple[str, str], int] = {}

    def fail(self, obj: Any, problem: str) -> InputError:
        return InputError(self.path, getattr(obj, "line", None), problem)

    def objects(self, data: dict, key: str) -> list:
        """A required list of JSON objects."""
        if key not in data:
            raise self.fail(data, f"missing {key!r}")
        if not isinstance(data[key], list) or not all(isinstance(item, dict) for item in data[key]):
            raise self.fail(data, f"{key!r} must be a list of objects")
        return data[key]

    def ident(self, obj: dict, section: str, noun: str) -> str:
        """The object's id (a string or a whole number, read as a string)."""
        value = self.value(obj, "id", (str, int), noun)
        ident = str(value)
        self.lines.setdefault((section, ident), obj.line)
        return ident

    def value(self, obj: dict, key: str, kind, noun: str, default: Any = ...) -> Any:
        """A field of the given JSON type (booleans are not numbers); a missing required field is an error."""
        if key not in obj:
            if default is ...:
                raise self.fail(obj, f"{noun} has no {key!r}")
            return default
        value = obj[key]
        if isinstance(value, bool) or not isinstance(value, kind):
            raise self.fail(obj, f"{noun}: {key!r} has a bad value {value!r}")
        return value

    def names(self, obj: dict, key: str, noun: str) -> frozenset[str]:
        """A list of ids or codes, as strings (empty when absent)."""
        values = self.value(obj, key, list, noun, [])
        if not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in values):
            raise self.fail(obj, f"{noun}: {key!r} must be a list of ids")
        return frozenset(str(v) for v in values)


def positive_float(text: str) -> float:
    """argparse type: a number above zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be above zero: {text!r}")
    return value


def _whole_number(text: str, least: int) -> int:
    """A whole number of at least `least`, or an argparse error naming the text."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < least:
        raise argparse.ArgumentTypeError(f"must be at least {least}: {text!r}")
    return value


def positive_int(text: str) -> int:
    """argparse type: a whole number of at least one."""
    return _whole_number(text, 1)


def nonnegative_int(text: str) -> int:
    """argparse type: a whole number of at least zero (seeds)."""
    return _whole_number(text, 0)


def write_result(result: dict[str, Any], out: str | None) -> None:
    """Print the result object, or write it to the file named by --out."""
    text = json.dumps(result, ensure_ascii=False, indent=None, sort_keys=False)
    if out:
        with open(out, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
    else:
        sys.stdout.write(text + "\n")


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with one sub-command per engine."""
    parser = _Parser(prog="python -m scheduling", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    from scheduling import engines

    for register in engines.REGISTRARS:
        register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except InputError as error:
        sys.stderr.write(f"error: {error}\n")
        return 2
    except OSError as error:
        sys.stderr.write(f"error: {getattr(error, 'filename', '') or ''}: {error.strerror or error}\n")
        return 2
