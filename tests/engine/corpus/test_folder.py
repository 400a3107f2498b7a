"""Loading the corpus folder (bot/engine/corpus/)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

import bot.engine.corpus.folder as corpus_mod
from bot.engine import Article, Corpus, CorpusError, Engine, load_corpus, parse_article_bytes
from tests.story import STORY_CORPUS

ROOT = Path(__file__).resolve().parents[3]
STORY_FILE = "putin-visits-syria-to-meet-assad.txt"

GOOD_TXT = "A good article\n\nIt has one paragraph.\n"

STORY_SHAPED = (
    "Putin visits Syria to meet Assad, a key Iran ally\n"
    "\n"
    "The Associated Press\n"
    "Albert Aji And Daria Litvinova\n"
    "\n"
    "DAMASCUS, Syria \u2014 Russian President Vladimir Putin travelled to Syria to meet with President Bashar Assad.\n"
    "The visit to Syria came amid soaring tensions.\n"
    "Russia joined the war in 2015. The Syrian government has largely won.\n"
)


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def by_source(corpus: Corpus) -> dict[str, Article]:
    return {a.source: a for a in corpus.articles}


def failures_by_path(corpus: Corpus) -> dict[str, str]:
    return {f.path: f.reason for f in corpus.failures}


def only_article(folder: Path) -> Article:
    corpus = load_corpus(folder)
    assert corpus.failures == []
    assert len(corpus.articles) == 1
    return corpus.articles[0]


# ---------------------------------------------------------------------------
# Good files.


def test_story_shaped_txt(tmp_path: Path) -> None:
    write(tmp_path, "story.txt", STORY_SHAPED)
    article = only_article(tmp_path)
    assert article.title == "Putin visits Syria to meet Assad, a key Iran ally"
    assert article.publisher == "The Associated Press"
    assert article.authors == ("Albert Aji", "Daria Litvinova")
    assert article.credit == "Albert Aji And Daria Litvinova"
    assert article.byline == "The Associated Press (Albert Aji and Daria Litvinova)"
    assert article.paragraphs == (
        "DAMASCUS, Syria \u2014 Russian President Vladimir Putin travelled to Syria to meet with "
        "President Bashar Assad.",
        "The visit to Syria came amid soaring tensions.",
        "Russia joined the war in 2015. The Syrian government has largely won.",
    )
    assert article.source == "story.txt"
    assert article.id == "story.txt"
    assert article.url is None
    assert article.published is None


def test_story_shaped_txt_paragraph_numbers_count_from_1(tmp_path: Path) -> None:
    write(tmp_path, "story.txt", STORY_SHAPED)
    engine = Engine.from_folder(tmp_path)
    result = engine.ask("When did Russia join the war?", top=5)
    numbered = {a.paragraph for a in result.answers}
    assert numbered, result
    assert all(1 <= p <= 3 for p in numbered)
    texts = {a.text: a.paragraph for a in result.answers}
    assert texts.get("Russia joined the war in 2015.") == 3


def test_byline_with_by_prefix_and_commas(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", "Title\n\nReuters\nBy Ann Lee, Bob Stone and Cy Twombly\n\nBody paragraph.\n")
    article = only_article(tmp_path)
    assert article.publisher == "Reuters"
    assert article.authors == ("Ann Lee", "Bob Stone", "Cy Twombly")
    assert article.byline == "Reuters (Ann Lee, Bob Stone and Cy Twombly)"


def test_txt_without_byline(tmp_path: Path) -> None:
    write(tmp_path, "plain.txt", "A plain title\n\nFirst paragraph here.\nSecond paragraph here.\n")
    article = only_article(tmp_path)
    assert article.title == "A plain title"
    assert article.publisher is None
    assert article.authors == ()
    assert article.credit is None
    assert article.byline == ""
    assert article.paragraphs == ("First paragraph here.", "Second paragraph here.")


def test_txt_with_crlf_and_bom(tmp_path: Path) -> None:
    write(tmp_path, "win.txt", "\ufeffWindows title\r\n\r\nFirst paragraph.\r\nSecond paragraph.\r\n".encode())
    article = only_article(tmp_path)
    assert article.title == "Windows title"
    assert article.paragraphs == ("First paragraph.", "Second paragraph.")


def test_md_with_heading_and_blank_line_paragraphs(tmp_path: Path) -> None:
    write(
        tmp_path,
        "story.md",
        "# A markdown title\n\nThe first paragraph\nruns over two lines.\n\nThe second paragraph.\n\n\nThe third.\n",
    )
    article = only_article(tmp_path)
    assert article.title == "A markdown title"
    assert article.paragraphs == (
        "The first paragraph runs over two lines.",
        "The second paragraph.",
        "The third.",
    )
    assert article.source == "story.md"


def test_md_with_byline(tmp_path: Path) -> None:
    write(tmp_path, "story.md", "# Title\n\nThe Associated Press\nBy Jane Doe\n\nThe body.\n\nMore body.\n")
    article = only_article(tmp_path)
    assert article.publisher == "The Associated Press"
    assert article.authors == ("Jane Doe",)
    assert article.paragraphs == ("The body.", "More body.")


def test_front_matter_overrides_the_text(tmp_path: Path) -> None:
    write(
        tmp_path,
        "fm.md",
        "---\n"
        "title: The real title\n"
        "publisher: The Publisher\n"
        "authors: [Ann Lee, Bob Stone]\n"
        "url: https://example.org/story\n"
        "published: 2020-01-07\n"
        "---\n"
        "A title in the text\n"
        "\n"
        "Some Wire Service\n"
        "By Somebody Else\n"
        "\n"
        "The body of the story.\n",
    )
    article = only_article(tmp_path)
    assert article.title == "The real title"
    assert article.publisher == "The Publisher"
    assert article.authors == ("Ann Lee", "Bob Stone")
    assert article.credit is None
    assert article.url == "https://example.org/story"
    assert article.published == "2020-01-07"
    assert isinstance(article.published, str)
    assert article.paragraphs == ("The body of the story.",)


def test_front_matter_in_txt_with_authors_as_one_line(tmp_path: Path) -> None:
    write(
        tmp_path,
        "fm.txt",
        "---\ntitle: Front title\nauthors: Ann Lee and Bob Stone\n---\nFirst paragraph is a sentence.\n\nSecond.\n",
    )
    article = only_article(tmp_path)
    assert article.title == "Front title"
    assert article.authors == ("Ann Lee", "Bob Stone")
    # The first line ends with a full stop: a paragraph, not a title.
    assert article.paragraphs == ("First paragraph is a sentence.", "Second.")


def test_front_matter_datetime_becomes_iso_text(tmp_path: Path) -> None:
    write(tmp_path, "fm.md", "---\npublished: 2020-01-07 10:30:00\n---\n# Title\n\nBody.\n")
    article = only_article(tmp_path)
    assert article.published is not None
    assert article.published.startswith("2020-01-07T10:30:00")


def test_empty_front_matter_is_allowed(tmp_path: Path) -> None:
    write(tmp_path, "fm.md", "---\n---\n# Title\n\nBody.\n")
    assert only_article(tmp_path).title == "Title"


def test_jsonl_with_paragraphs_and_text(tmp_path: Path) -> None:
    lines = [
        {
            "title": "First",
            "paragraphs": ["One.", "  ", "Two."],
            "publisher": "Pub",
            "authors": ["Ann Lee"],
            "url": "https://example.org/1",
            "published": "2020-01-07",
        },
        {"title": "Second", "text": "Para one.\n\nPara two\nstill two.\n\n\nPara three."},
        {"title": "Third", "text": "Only.", "id": "third-id"},
        {"title": "Fourth", "text": "Numbered.", "id": 42},
    ]
    write(tmp_path, "many.jsonl", "\n".join(json.dumps(line) for line in lines) + "\n\n")
    corpus = load_corpus(tmp_path)
    assert corpus.failures == []
    first, second, third, fourth = corpus.articles
    assert first.title == "First"
    assert first.paragraphs == ("One.", "Two.")
    assert first.publisher == "Pub"
    assert first.authors == ("Ann Lee",)
    assert first.url == "https://example.org/1"
    assert first.published == "2020-01-07"
    assert first.source == "many.jsonl:1"
    assert first.id == "many.jsonl:1"
    assert second.paragraphs == ("Para one.", "Para two\nstill two.", "Para three.")
    assert second.source == "many.jsonl:2"
    assert third.id == "many.jsonl#third-id"
    assert third.source == "many.jsonl:3"
    assert fourth.id == "many.jsonl#42"


def test_subfolders_load_and_uppercase_suffix(tmp_path: Path) -> None:
    write(tmp_path, "sub/deeper/a.txt", GOOD_TXT)
    write(tmp_path, "B.TXT", GOOD_TXT)
    corpus = load_corpus(tmp_path)
    assert corpus.failures == []
    assert sorted(a.source for a in corpus.articles) == ["B.TXT", "sub/deeper/a.txt"]


def test_symlink_inside_the_folder_loads(tmp_path: Path) -> None:
    target = write(tmp_path, "real.txt", GOOD_TXT)
    (tmp_path / "link.txt").symlink_to(target)
    corpus = load_corpus(tmp_path)
    assert corpus.failures == []
    assert sorted(a.source for a in corpus.articles) == ["link.txt", "real.txt"]


# ---------------------------------------------------------------------------
# Skipped silently.


def test_hidden_files_and_other_suffixes_are_skipped_silently(tmp_path: Path) -> None:
    write(tmp_path, "good.txt", GOOD_TXT)
    write(tmp_path, ".hidden.txt", b"\xff\xfe not even utf-8")
    write(tmp_path, ".hidden/inside.txt", b"\x00binary")
    write(tmp_path, ".git/config.md", "nonsense")
    write(tmp_path, "notes.csv", "a,b\n1,2\n")
    write(tmp_path, "data.json", "{not json")
    write(tmp_path, "README", "no suffix at all")
    write(tmp_path, "image.png", b"\x89PNG\x00\x00")
    write(tmp_path, "backup.txt~", "x")
    corpus = load_corpus(tmp_path)
    assert corpus.failures == []
    assert [a.source for a in corpus.articles] == ["good.txt"]


# ---------------------------------------------------------------------------
# Bad files: each reported by name with a reason, the others still load.


def _alias_bomb(key: str) -> str:
    lines = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        lines.append(f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]")
    lines.append(f"{key}: *l9")
    return "---\n" + "\n".join(lines) + "\n---\nTitle\n\nBody.\n"


BAD_TEXT_FILES = [
    pytest.param("bad.txt", b"Title\n\nCaf\xe9 au lait.\n", "not UTF-8", id="invalid-utf8"),
    pytest.param("bad.txt", b"Title\n\nBody\x00with NUL.\n", "binary", id="binary"),
    pytest.param("bad.txt", b"", "no title", id="empty-file"),
    pytest.param("bad.txt", b"   \n\n  \n", "no title", id="blank-file"),
    pytest.param(
        "bad.txt",
        b"This first block is a paragraph.\nIt has two lines and no title line before it.\n",
        "no title",
        id="no-title",
    ),
    pytest.param("bad.md", b"# Just a heading\n", "no text", id="md-title-but-no-text"),
    pytest.param("bad.md", b"---\ntitle: Only a title\n---\n", "no text", id="front-matter-title-but-no-text"),
    pytest.param("bad.txt", b"---\ntitle: x\n\nTitle\n\nBody.\n", "never ends", id="front-matter-not-closed"),
    pytest.param("bad.txt", b"---\ntitle: [x\n---\nTitle\n\nBody.\n", "not valid YAML", id="front-matter-bad-yaml"),
    pytest.param("bad.txt", b"---\n- a\n- b\n---\nTitle\n\nBody.\n", "mapping", id="front-matter-list"),
    pytest.param("bad.txt", b"---\njust a string\n---\nTitle\n\nBody.\n", "mapping", id="front-matter-scalar"),
    pytest.param("bad.md", b"---\ntitle: [a, b]\n---\nBody.\n", "'title' must be text", id="front-matter-title-list"),
    pytest.param("bad.md", b"---\nurl: ftp://x\n---\n# T\n\nBody.\n", "'url'", id="front-matter-bad-url"),
    pytest.param("bad.md", _alias_bomb("title").encode(), "'title'", id="yaml-alias-bomb-in-title"),
    pytest.param("bad.md", _alias_bomb("authors").encode(), "'authors'", id="yaml-alias-bomb-in-authors"),
]


@pytest.mark.parametrize(("name", "content", "reason"), BAD_TEXT_FILES)
def test_bad_file_is_reported_and_others_load(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    write(tmp_path, "a-good.txt", GOOD_TXT)
    write(tmp_path, name, content)
    write(tmp_path, "z-good.md", "# Another good one\n\nBody.\n")
    corpus = load_corpus(tmp_path)
    assert sorted(a.source for a in corpus.articles) == ["a-good.txt", "z-good.md"]
    assert len(corpus.failures) == 1
    failure = corpus.failures[0]
    assert failure.path == name
    assert reason.lower() in failure.reason.lower()
    assert str(failure) == f"{name}: {failure.reason}"


def test_txt_title_but_no_text_says_no_text(tmp_path: Path) -> None:
    write(tmp_path, "bad.txt", "Only a title\n")
    (failure,) = load_corpus(tmp_path).failures
    assert failure.path == "bad.txt"
    assert not failure.reason.startswith("no title")
    assert "no text" in failure.reason


def test_txt_title_but_no_text_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "good.txt", GOOD_TXT)
    write(tmp_path, "bad.txt", "Only a title\n")
    corpus = load_corpus(tmp_path)
    assert [a.source for a in corpus.articles] == ["good.txt"]
    assert [f.path for f in corpus.failures] == ["bad.txt"]


def test_yaml_alias_bomb_finishes_quickly(tmp_path: Path) -> None:
    write(tmp_path, "bomb-unused.md", _alias_bomb("lol"))
    write(tmp_path, "bomb-title.md", _alias_bomb("title"))
    t0 = time.perf_counter()
    corpus = load_corpus(tmp_path)
    assert time.perf_counter() - t0 < 10.0  # unexpanded: expanding the bomb takes minutes and gigabytes
    assert [f.path for f in corpus.failures] == ["bomb-title.md"]
    # An alias bomb under a key the loader ignores does no harm.
    assert [a.source for a in corpus.articles] == ["bomb-unused.md"]


def test_too_large_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(corpus_mod, "MAX_ARTICLE_BYTES", 200)
    write(tmp_path, "small.txt", GOOD_TXT)
    write(tmp_path, "big.txt", "Big title\n\n" + "A sentence that repeats. " * 20 + "\n")
    write(tmp_path, "big.md", "# Big title\n\n" + "A sentence that repeats. " * 20 + "\n")
    corpus = load_corpus(tmp_path)
    assert [a.source for a in corpus.articles] == ["small.txt"]
    reasons = failures_by_path(corpus)
    assert set(reasons) == {"big.txt", "big.md"}
    assert all("too large" in r for r in reasons.values())


def test_too_large_upload(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(corpus_mod, "MAX_ARTICLE_BYTES", 100)
    articles, failures = parse_article_bytes("up.txt", b"Title\n\n" + b"x" * 200 + b"\n")
    assert articles == []
    assert [f.path for f in failures] == ["up.txt"]
    assert "too large" in failures[0].reason


def test_jsonl_bad_lines_are_reported_by_line_and_the_rest_load(tmp_path: Path) -> None:
    lines = [
        json.dumps({"title": "Good one", "paragraphs": ["First."]}),  # 1
        '{"title": "Broken", "text": ',  # 2: malformed
        "[1, 2, 3]",  # 3: not an object
        json.dumps({"paragraphs": ["No title here."]}),  # 4: missing title
        json.dumps({"title": "With id", "text": "Body.", "id": "dup"}),  # 5
        json.dumps({"title": "Same id", "text": "Body.", "id": "dup"}),  # 6: duplicate id
        json.dumps({"title": "Title only"}),  # 7: no text
        json.dumps({"title": "Empty", "paragraphs": []}),  # 8: no text
        json.dumps({"title": "Bad paragraphs", "paragraphs": "not a list"}),  # 9
        '"just a string"',  # 10
        "",  # 11: blank lines are fine
        json.dumps({"title": "Good two", "text": "Second."}),  # 12
    ]
    write(tmp_path, "feed.jsonl", "\n".join(lines) + "\n")
    write(tmp_path, "other.txt", GOOD_TXT)
    corpus = load_corpus(tmp_path)
    assert [a.title for a in corpus.articles] == ["Good one", "With id", "Good two", "A good article"]
    reasons = failures_by_path(corpus)
    assert set(reasons) == {
        "feed.jsonl:2",
        "feed.jsonl:3",
        "feed.jsonl:4",
        "feed.jsonl:6",
        "feed.jsonl:7",
        "feed.jsonl:8",
        "feed.jsonl:9",
        "feed.jsonl:10",
    }
    assert "not valid JSON" in reasons["feed.jsonl:2"]
    assert "JSON object" in reasons["feed.jsonl:3"]
    assert "JSON object" in reasons["feed.jsonl:10"]
    assert "no title" in reasons["feed.jsonl:4"]
    assert "duplicate id" in reasons["feed.jsonl:6"]
    assert "dup" in reasons["feed.jsonl:6"]
    assert "no text" in reasons["feed.jsonl:7"]
    assert "no text" in reasons["feed.jsonl:8"]
    assert "paragraphs" in reasons["feed.jsonl:9"]


def test_jsonl_invalid_utf8_and_nul_lines(tmp_path: Path) -> None:
    good = json.dumps({"title": "Good", "text": "Body."}).encode()
    write(tmp_path, "feed.jsonl", good + b"\n" + b'{"title": "Caf\xe9"}\n' + b'{"title": "a\x00"}\n')
    corpus = load_corpus(tmp_path)
    assert [a.title for a in corpus.articles] == ["Good"]
    reasons = failures_by_path(corpus)
    assert "not UTF-8" in reasons["feed.jsonl:2"]
    assert "binary" in reasons["feed.jsonl:3"]


def test_jsonl_deeply_nested_line_does_not_crash(tmp_path: Path) -> None:
    write(tmp_path, "feed.jsonl", "[" * 100_000 + "]" * 100_000 + "\n" + json.dumps({"title": "T", "text": "B."}))
    corpus = load_corpus(tmp_path)
    assert [a.title for a in corpus.articles] == ["T"]
    assert [f.path for f in corpus.failures] == ["feed.jsonl:1"]


def test_jsonl_too_many_bad_lines_are_summarised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(corpus_mod, "MAX_REPORTED_LINE_FAILURES", 2)
    write(tmp_path, "feed.jsonl", "bad\n" * 5 + json.dumps({"title": "T", "text": "B."}) + "\n")
    corpus = load_corpus(tmp_path)
    assert [a.title for a in corpus.articles] == ["T"]
    assert [str(f) for f in corpus.failures][:2] == [
        "feed.jsonl:1: not valid JSON (Expecting value at column 1)",
        "feed.jsonl:2: not valid JSON (Expecting value at column 1)",
    ]
    assert str(corpus.failures[2]) == "feed.jsonl: 3 more bad lines not listed"


def test_symlink_to_a_file_outside_is_reported_and_not_loaded(tmp_path: Path) -> None:
    outside = write(tmp_path, "outside/secret.txt", "Secret title\n\nSecret text.\n")
    folder = tmp_path / "corpus"
    write(folder, "good.txt", GOOD_TXT)
    (folder / "link.txt").symlink_to(outside)
    corpus = load_corpus(folder)
    assert [a.source for a in corpus.articles] == ["good.txt"]
    assert all("Secret" not in a.title for a in corpus.articles)
    reasons = failures_by_path(corpus)
    assert list(reasons) == ["link.txt"]
    assert "outside" in reasons["link.txt"]


def test_symlinked_folder_outside_is_not_followed(tmp_path: Path) -> None:
    write(tmp_path, "outside/secret.txt", "Secret title\n\nSecret text.\n")
    folder = tmp_path / "corpus"
    write(folder, "good.txt", GOOD_TXT)
    (folder / "linked").symlink_to(tmp_path / "outside", target_is_directory=True)
    corpus = load_corpus(folder)
    assert [a.source for a in corpus.articles] == ["good.txt"]


def test_dangling_symlink_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "good.txt", GOOD_TXT)
    (tmp_path / "gone.txt").symlink_to(tmp_path / "does-not-exist.txt")
    corpus = load_corpus(tmp_path)
    assert [a.source for a in corpus.articles] == ["good.txt"]
    assert [f.path for f in corpus.failures] == ["gone.txt"]


def test_control_character_in_file_name_is_escaped(tmp_path: Path) -> None:
    write(tmp_path, "good.txt", GOOD_TXT)
    write(tmp_path, "bad\x1b[31mname\x07.txt", b"\x00binary")
    corpus = load_corpus(tmp_path)
    assert [a.source for a in corpus.articles] == ["good.txt"]
    (failure,) = corpus.failures
    assert failure.path == "bad\\x1b[31mname\\x07.txt"
    assert "\x1b" not in str(failure)
    assert "\x07" not in str(failure)
    assert "binary" in failure.reason


def test_newline_in_file_name_is_escaped(tmp_path: Path) -> None:
    write(tmp_path, "two\nlines.txt", b"\xff")
    (failure,) = load_corpus(tmp_path).failures
    assert failure.path == "two\\x0alines.txt"
    assert "\n" not in str(failure)


def test_every_bad_kind_at_once(tmp_path: Path) -> None:
    """One folder with a file of every bad kind: each named once, the good ones load."""
    outside = write(tmp_path, "elsewhere.txt", GOOD_TXT)
    folder = tmp_path / "corpus"
    write(folder, "good.txt", GOOD_TXT)
    write(folder, "good.md", "# Markdown\n\nBody.\n")
    write(folder, "e-utf8.txt", b"T\n\n\xff\n")
    write(folder, "f-binary.txt", b"T\n\n\x00\n")
    write(folder, "g-notitle.txt", "")
    write(folder, "h-notext.md", "# T\n")
    write(folder, "i-unclosed.md", "---\ntitle: T\n")
    write(folder, "j-yaml.md", "---\n: : :\n  - [\n---\n# T\n\nB.\n")
    write(folder, "k-list.md", "---\n- 1\n---\n# T\n\nB.\n")
    write(folder, "l.jsonl", '{"title": "J", "text": "B."}\n{oops\n')
    (folder / "m-link.txt").symlink_to(outside)
    corpus = load_corpus(folder)
    assert sorted(a.source for a in corpus.articles) == ["good.md", "good.txt", "l.jsonl:1"]
    assert sorted(f.path for f in corpus.failures) == [
        "e-utf8.txt",
        "f-binary.txt",
        "g-notitle.txt",
        "h-notext.md",
        "i-unclosed.md",
        "j-yaml.md",
        "k-list.md",
        "l.jsonl:2",
        "m-link.txt",
    ]
    assert all(f.reason for f in corpus.failures)


# ---------------------------------------------------------------------------
# The folder itself.


def test_missing_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nope")


def test_file_instead_of_folder_raises(tmp_path: Path) -> None:
    path = write(tmp_path, "article.txt", GOOD_TXT)
    with pytest.raises(CorpusError, match="not a folder"):
        load_corpus(path)


def test_empty_folder_loads_nothing(tmp_path: Path) -> None:
    corpus = load_corpus(tmp_path)
    assert corpus.articles == []
    assert corpus.failures == []


def test_engine_from_empty_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError) as info:
        Engine.from_folder(tmp_path)
    message = str(info.value)
    assert str(tmp_path) in message
    assert "no article" in message
    assert ".txt" in message


def test_engine_from_folder_of_only_bad_files_names_them(tmp_path: Path) -> None:
    write(tmp_path, "broken.txt", b"\x00")
    with pytest.raises(CorpusError) as info:
        Engine.from_folder(tmp_path)
    message = str(info.value)
    assert "no article could be loaded" in message
    assert "broken.txt" in message
    assert "binary" in message


def test_engine_from_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="does not exist"):
        Engine.from_folder(tmp_path / "nope")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "good.txt", GOOD_TXT)
    locked = write(tmp_path, "locked.txt", GOOD_TXT)
    locked.chmod(0)
    try:
        corpus = load_corpus(tmp_path)
    finally:
        locked.chmod(0o644)
    assert [a.source for a in corpus.articles] == ["good.txt"]
    assert [f.path for f in corpus.failures] == ["locked.txt"]


# ---------------------------------------------------------------------------
# The real corpus.


def test_real_corpus_loads_without_failures() -> None:
    corpus = load_corpus(STORY_CORPUS)
    assert corpus.failures == []
    assert corpus.articles


def test_real_story_metadata() -> None:
    story = by_source(load_corpus(STORY_CORPUS))[STORY_FILE]
    assert story.title == "Putin visits Syria to meet Assad, a key Iran ally"
    assert story.publisher == "The Associated Press"
    assert story.authors == ("Albert Aji", "Daria Litvinova")
    assert story.credit == "Albert Aji And Daria Litvinova"
    assert story.byline == "The Associated Press (Albert Aji and Daria Litvinova)"
    assert story.url is None
    assert story.published is None
    assert len(story.paragraphs) == 12
    assert story.paragraphs[0].startswith("DAMASCUS, Syria \u2014 Russian President Vladimir Putin travelled to Syria")
    assert story.paragraphs[5].startswith("Putin and Assad met Tuesday at a Russian command post in Damascus")
    assert story.paragraphs[-1].startswith("More than 400,000 people have been killed")
    assert all(p == p.strip() and p for p in story.paragraphs)


def test_files_past_the_corpus_limit_are_reported_not_loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(corpus_mod, "MAX_CORPUS_CHARS", 100)
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text(f"Title {name}\n\n" + "Some words about the visit. " * 5 + "\n", encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert [a.title for a in corpus.articles] == ["Title a.txt"]
    assert [f.path for f in corpus.failures] == ["b.txt", "c.txt"]
    assert all("at most 100" in f.reason for f in corpus.failures)
