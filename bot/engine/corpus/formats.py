"""The article formats: the text of one file (or one ``.jsonl`` line) in, an
``Article`` out, or an ``ArticleError`` whose message is the reason shown to
admins.  Reading files and folders is ``folder.py``'s job.

Formats (see PRODUCT.md):

* ``.txt`` in the story's own shape: a title line, a blank line, an optional
  byline block of short lines (publisher, then authors), a blank line, then
  one paragraph per line.
* ``.md``: the same shape, where the title may be a ``# heading`` and a
  paragraph is a block of lines separated by blank lines.
* Either may start with YAML front matter (``---`` … ``---``) whose
  ``title``, ``publisher``, ``authors``, ``url``, ``published`` override what
  the text gives.
* ``.jsonl``: one article a line, ``{"title": …, "paragraphs": [...]}`` or
  ``{"title": …, "text": "…"}`` (paragraphs separated by blank lines), with
  optional ``id``, ``publisher``, ``authors``, ``url``, ``published``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import yaml

from bot.engine.models import Article

MAX_FRONT_MATTER_CHARS = 64 * 1024
MAX_FRONT_MATTER_DEPTH = 20
"""Deepest nesting of lists and mappings in front matter (its fields need 2)."""
MAX_TITLE_CHARS = 500
MAX_AUTHORS = 50
MAX_QUOTED_CHARS = 80
"""Longest piece of a file's content (an id, a YAML message) quoted in a reason."""


class ArticleError(ValueError):
    """One article cannot be read; the message is the reason shown to admins."""


def _escape_char(ch: str) -> str:
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def display_name(name: str) -> str:
    """A file name made safe to print on one line: every character that is
    not printable (control characters, line and paragraph separators,
    format characters such as bidi overrides, undecodable bytes) escaped."""
    return "".join(ch if ch.isprintable() or ch == " " else _escape_char(ch) for ch in name)


def quoted(text: str) -> str:
    """A piece of a file's content for a reason: escaped like a file name and short."""
    text = display_name(text)
    return text if len(text) <= MAX_QUOTED_CHARS else text[: MAX_QUOTED_CHARS - 1] + "\u2026"


# ---------------------------------------------------------------------------
# Field helpers shared by front matter and JSON lines.


def _clean_str(value: Any, field: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return str(value)
        except ValueError:  # an int beyond Python's digit limit for str()
            raise ArticleError(f"'{field}' is a number too large to show") from None
    if not isinstance(value, str):
        raise ArticleError(f"'{field}' must be text, not {type(value).__name__}")
    value = " ".join(value.split())
    return value or None


def split_authors(line: str) -> tuple[str, ...]:
    """Authors from a byline: "By A, B And C" -> ("A", "B", "C")."""
    line = re.sub(r"^\s*by\s+", "", line, flags=re.IGNORECASE)
    parts = re.split(r"\s*(?:,|;|&|\band\b)\s*", line, flags=re.IGNORECASE)
    return tuple(p.strip() for p in parts if p.strip())


def _authors(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return split_authors(value)
    if isinstance(value, list):
        if len(value) > MAX_AUTHORS:
            raise ArticleError(f"'authors' lists {len(value)} names (at most {MAX_AUTHORS})")
        names = []
        for item in value:
            if not isinstance(item, str):
                raise ArticleError("'authors' must be a list of names")
            if item.strip():
                names.append(" ".join(item.split()))
        return tuple(names)
    raise ArticleError("'authors' must be a name or a list of names")


def _url(value: Any) -> str | None:
    url = _clean_str(value, "url")
    if url is not None and not re.match(r"^https?://\S+$", url):
        raise ArticleError("'url' must be an http(s) link")
    return url


def _title(value: Any) -> str | None:
    title = _clean_str(value, "title")
    if title is not None and len(title) > MAX_TITLE_CHARS:
        raise ArticleError(f"title is {len(title)} characters long (at most {MAX_TITLE_CHARS})")
    return title


def _metadata(fields: dict[str, Any]) -> dict[str, Any]:
    """Validated article fields from a front matter or JSON mapping."""
    return {
        "title": _title(fields.get("title")),
        "publisher": _clean_str(fields.get("publisher"), "publisher"),
        "authors": _authors(fields.get("authors")),
        "url": _url(fields.get("url")),
        "published": _clean_str(fields.get("published"), "published"),
    }


# ---------------------------------------------------------------------------
# Text articles (.txt / .md).


class _FrontMatterLoader(yaml.SafeLoader):
    """YAML's safe loader, bounded: nesting at most ``MAX_FRONT_MATTER_DEPTH``
    deep (PyYAML composes recursively, and its scanner slows down with
    depth), and no merge keys (``<<``): merging copies mappings, which older
    PyYAML releases did without bound (a "merge bomb"), and front matter has
    no use for it.  Plain aliases are harmless: they share, never copy."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_FRONT_MATTER_DEPTH:
                raise yaml.composer.ComposerError(None, None, f"nested more than {MAX_FRONT_MATTER_DEPTH} levels deep")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise yaml.constructor.ConstructorError(
                    None, None, "merge keys ('<<') are not allowed", key_node.start_mark
                )
        super().flatten_mapping(node)


def _load_yaml(raw: str) -> Any:
    try:
        # _FrontMatterLoader is a SafeLoader: no Python objects are built.
        return yaml.load(raw, Loader=_FrontMatterLoader)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or (str(exc).splitlines() or ["error"])[0]
        raise ArticleError(f"front matter is not valid YAML ({quoted(problem)})") from None
    except RecursionError:
        raise ArticleError("front matter is not valid YAML (nested too deeply)") from None
    except (ValueError, OverflowError) as exc:
        # A value YAML recognises but Python cannot hold: a date such as
        # 2020-13-45, an integer with more digits than int() accepts.
        raise ArticleError(f"front matter has a value that cannot be read ({quoted(str(exc))})") from None


def _front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Split YAML front matter from the body; ``({}, text)`` when there is none."""
    if not text.startswith("---"):
        return {}, text
    first_nl = text.find("\n")
    if first_nl == -1 or text[:first_nl].strip() != "---":
        return {}, text
    end = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE).search(text, first_nl + 1)
    if end is None:
        raise ArticleError("front matter starts with '---' but never ends")
    raw = text[first_nl + 1 : end.start()]
    if len(raw) > MAX_FRONT_MATTER_CHARS:
        raise ArticleError(f"front matter is longer than {MAX_FRONT_MATTER_CHARS // 1024} KB")
    data = _load_yaml(raw)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ArticleError("front matter must be a mapping of fields")
    return data, text[end.end() :].lstrip("\r\n")


def _blocks(body: str) -> list[list[str]]:
    """Runs of non-blank lines, each line stripped."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in body.splitlines():
        line = line.strip()
        if line:
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


_WHOLE_PARAGRAPH = "no title: the first line is a whole paragraph (expected a title line, then a blank line)"
_SENTENCE_END = re.compile(r"[.!?:;\"\u201d\u2019]$")


def _is_byline(block: list[str]) -> bool:
    return len(block) <= 4 and all(len(line) <= 100 and not _SENTENCE_END.search(line) for line in block)


def _parse_byline(block: list[str]) -> tuple[str | None, tuple[str, ...], str | None]:
    """Publisher, authors, and the authors' lines as written."""
    publisher: str | None = None
    authors: list[str] = []
    credit: list[str] = []
    for line in block:
        if re.match(r"^by\s", line, flags=re.IGNORECASE) or publisher is not None:
            authors.extend(split_authors(line))
            credit.append(line)
        else:
            publisher = line
    return publisher, tuple(authors), " ".join(credit) or None


def parse_text_article(text: str, *, article_id: str, source: str, markdown: bool = False) -> Article:
    """One article from the text of a ``.txt`` or ``.md`` file."""
    meta: dict[str, Any] = {}
    fields, body = _front_matter(text)
    if fields:
        meta = _metadata(fields)
    blocks = _blocks(body)

    title: str | None = None
    if blocks and markdown and blocks[0][0].startswith("#"):
        title = blocks[0][0].lstrip("#").strip()
        rest = blocks[0][1:]
        blocks = ([rest] if rest else []) + blocks[1:]
    elif blocks and len(blocks[0]) == 1 and (len(blocks) > 1 or not meta.get("title")):
        line = blocks[0][0]
        if not meta.get("title") or (len(line) <= MAX_TITLE_CHARS and not line.endswith(".")):
            title = line
            blocks = blocks[1:]
    elif blocks and not meta.get("title"):
        if len(blocks[0][0]) > MAX_TITLE_CHARS:
            raise ArticleError(_WHOLE_PARAGRAPH)
        raise ArticleError("no title: expected a title line, then a blank line, then the text")
    if title is not None and len(title) > MAX_TITLE_CHARS:
        raise ArticleError(_WHOLE_PARAGRAPH)

    publisher: str | None = None
    authors: tuple[str, ...] = ()
    credit: str | None = None
    if len(blocks) > 1 and _is_byline(blocks[0]):
        publisher, authors, credit = _parse_byline(blocks[0])
        blocks = blocks[1:]

    if markdown:
        paragraphs = [" ".join(line.lstrip("#").strip() for line in b) for b in blocks]
    else:
        paragraphs = [line for b in blocks for line in b]
    paragraphs = [p for p in paragraphs if p]

    title = meta.get("title") or title
    if not title:
        raise ArticleError("no title")
    if not paragraphs:
        raise ArticleError("no text after the title")
    return Article(
        id=article_id,
        title=title,
        paragraphs=tuple(paragraphs),
        publisher=meta.get("publisher") or publisher,
        authors=meta.get("authors") or authors,
        credit=None if meta.get("authors") else credit,
        url=meta.get("url"),
        published=meta.get("published"),
        source=source,
    )


# ---------------------------------------------------------------------------
# JSON lines.


def parse_json_article(line: str, *, article_id: str, source: str) -> Article:
    """One article from one line of a ``.jsonl`` file."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ArticleError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise ArticleError("not valid JSON (nested too deeply)") from None
    except ValueError:  # an integer with more digits than int() accepts
        raise ArticleError("not valid JSON (a number too large)") from None
    if not isinstance(data, dict):
        raise ArticleError("each line must be a JSON object")
    meta = _metadata(data)
    if not meta["title"]:
        raise ArticleError("no title")
    if "paragraphs" in data:
        raw = data["paragraphs"]
        if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
            raise ArticleError("'paragraphs' must be a list of strings")
        paragraphs = [p.strip() for p in raw if p.strip()]
    elif "text" in data:
        if not isinstance(data["text"], str):
            raise ArticleError("'text' must be a string")
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", data["text"]) if p.strip()]
    else:
        raise ArticleError("no text: give 'paragraphs' or 'text'")
    if not paragraphs:
        raise ArticleError("no text")
    if "id" in data and data["id"] is not None:
        if not isinstance(data["id"], (str, int)) or isinstance(data["id"], bool):
            raise ArticleError("'id' must be text or a number")
        article_id = f"{article_id.rsplit(':', 1)[0]}#{data['id']}"
    return Article(id=article_id, paragraphs=tuple(paragraphs), source=source, **meta)
