"""The command line: ``python -m bot run | ask | index | add | sync | people | timeline``.

A stable contract (PRODUCT.md): other tools parse ``ask --json``.  Exit
codes: 0 success; 2 bad usage or configuration, with one line naming the
problem (never a traceback); 3 (``run``, ``sync``) Discord unreachable at
start-up, one line too: a service manager restarts on 3, not on 2.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, NoReturn, TextIO

from bot.engine import Answer, CorpusError, Engine, LoadFailure, Result, single_threaded_math
from bot.progress import Progress
from bot.render import ranked_text, result_text
from bot.render_facts import people_text, timeline_text
from bot.service import (
    QUESTION_MAX_CHARS,
    FactsBook,
    PersonEntry,
    TimelineEntry,
    fetch_options,
    question_text,
    server_folder,
)
from bot.service.engines import encoder_for
from bot.service.facts import BY
from bot.service.prepare import build_as_seen, no_such_server, prepare
from bot.service.questions import QUESTION_MAX_BYTES
from bot.settings import Settings, SettingsError, load_settings

EXIT_OK = 0
EXIT_USAGE = 2
MAX_TOP = 100
DEFAULT_TOP = 3


class UsageError(Exception):
    """Bad usage or configuration: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _top(value: str) -> int:
    try:
        k = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--top must be a whole number, not {value!r}") from None
    if not 1 <= k <= MAX_TOP:
        raise argparse.ArgumentTypeError(f"--top must be between 1 and {MAX_TOP}")
    return k


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m bot", description="Answers questions about a news story.")
    sub = parser.add_subparsers(
        dest="command", metavar="{run,ask,index,add,sync,people,timeline}", parser_class=_Parser
    )

    sub.add_parser("run", help="run the Discord bot (needs DISCORD_TOKEN)")

    sync = sub.add_parser("sync", help="push the slash commands to Discord (needs DISCORD_TOKEN)")
    where = sync.add_mutually_exclusive_group()
    where.add_argument(
        "--guild", type=int, metavar="ID", help="sync to this guild only (instant); default DEV_GUILD_ID"
    )
    where.add_argument("--global", dest="everywhere", action="store_true", help="sync globally even with DEV_GUILD_ID")

    ask = sub.add_parser("ask", help="answer a question without Discord")
    ask.add_argument("--corpus", metavar="DIR", help="corpus folder (default: CORPUS_DIR or corpus/)")
    ask.add_argument("--server", type=_server_id, metavar="ID", help="as that server sees it: shared and its own")
    ask.add_argument(
        "--top",
        type=_top,
        metavar="K",
        help="list the K best sentences, each with its source (default: the reply a reader gets; with --json, 3)",
    )
    ask.add_argument("--json", action="store_true", help="one JSON object per question, one per line")
    ask.add_argument(
        "question",
        nargs="+",
        metavar="QUESTION",
        help=f"a question (quote it); several are each answered; '-' reads one a line from stdin; "
        f"at most {QUESTION_MAX_CHARS} characters are read",
    )

    index = sub.add_parser(
        "index", help="build and save everything answering uses (index, sentence vectors, parses), and report on it"
    )
    index.add_argument("--corpus", metavar="DIR", help="corpus folder (default: CORPUS_DIR or corpus/)")
    index.add_argument("--server", type=_server_id, metavar="ID", help="as that server sees it: shared and its own")
    index.add_argument(
        "--no-vectors", dest="vectors", action="store_false", help="the index alone: no sentence vectors nor parses"
    )

    add = sub.add_parser("add", help="fetch a news page and save its article into the corpus")
    add.add_argument("url", metavar="URL", help="the article's link (http or https)")
    add.add_argument("--corpus", metavar="DIR", help="corpus folder (default: CORPUS_DIR or corpus/)")
    add.add_argument(
        "--server", type=_server_id, metavar="ID", help="save among that server's own articles (default: shared)"
    )
    add.add_argument("--replace", action="store_true", help="replace the article already saved from this link")
    _facts_parsers(sub)
    return parser


def _facts_parsers(sub: Any) -> None:
    """``people`` and ``timeline`` (``/people``, ``/timeline``)."""
    people = sub.add_parser("people", help="who's who: the people the articles name, with their roles")
    timeline = sub.add_parser("timeline", help="the dated events the articles report, in time order")
    for command in (people, timeline):
        command.add_argument("--corpus", metavar="DIR", help="corpus folder (default: CORPUS_DIR or corpus/)")
        command.add_argument(
            "--server", type=_server_id, metavar="ID", help="as that server sees it: shared and its own"
        )
        command.add_argument("--json", action="store_true", help="one JSON object a line")
    people.add_argument(
        "--by", choices=BY, default="first", help="order: by first mention (default) or most mentions first"
    )


# ---------------------------------------------------------------------------
# Output.


def answer_json(answer: Answer) -> dict[str, Any]:
    a = answer.article
    return {
        "text": answer.text,
        "article": a.title,
        "publisher": a.publisher,
        "authors": list(a.authors),
        "url": a.url,
        "paragraph": answer.paragraph,
        "score": round(answer.score, 6),
    }


def result_json(result: Result) -> dict[str, Any]:
    return {
        "question": result.question,
        "answered": result.answered,
        "confidence": round(result.confidence, 4),
        "answers": [answer_json(a) for a in result.answers],
        "took_ms": round(result.took_ms, 3),
    }


# ---------------------------------------------------------------------------
# Commands.


def _server_id(value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 2**64:
        raise argparse.ArgumentTypeError(f"--server must be a server (guild) id, a number, not {value!r}")
    return int(value)


def _engine(
    settings: Settings, corpus: str | None, err: TextIO, quiet: bool = False, server: int | None = None
) -> tuple[Engine, list[LoadFailure]]:
    """The engine as server ``server`` sees the corpus (its own articles and
    the shared ones; without it the shared ones alone), and the files that
    failed."""
    folder = Path(corpus or settings.corpus_dir)
    if server is not None and not server_folder(folder, server).is_dir():
        raise UsageError(no_such_server(folder, server))
    encoder = encoder_for(settings)
    try:
        engine, failures = build_as_seen(settings, folder, encoder, server)
    except CorpusError as exc:
        raise UsageError(str(exc)) from None
    if not quiet and failures:  # once, in one line: ``index`` lists them
        more = f" and {len(failures) - 1} more (python -m bot index lists them)" if len(failures) > 1 else ""
        print(f"warning: skipped {failures[0]}{more}", file=err)
    return engine, failures


def _stdin_lines(stdin: TextIO) -> Iterator[str]:
    """Standard input's lines, bytes that are not UTF-8 replaced (a bad
    line is still a question, and those after it are read), a line longer
    than any question read past in pieces."""
    raw: IO[bytes] | None = getattr(stdin, "buffer", None)
    if raw is None:  # already text (tests)
        yield from stdin
        return
    while line := raw.readline(QUESTION_MAX_BYTES):
        if not line.endswith(b"\n"):
            while (rest := raw.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass
        yield line.decode("utf-8", "replace")


def _questions(args: argparse.Namespace, stdin: TextIO) -> Iterable[str]:
    """Each argument one question (PRODUCT.md: ``QUESTION...``); ``-`` the
    lines of standard input, one question each."""
    for arg in args.question:
        if arg != "-":
            yield arg
            continue
        for line in _stdin_lines(stdin):
            if line.strip():
                yield line


def cmd_ask(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO, stdin: TextIO) -> int:
    if any(not question_text(q) for q in args.question):
        raise UsageError("the question is empty")
    engine, _ = _engine(settings, args.corpus, err, server=args.server)
    several = len(args.question) > 1 or args.question == ["-"]
    first = True
    for asked in _questions(args, stdin):
        question = question_text(asked)
        if len(" ".join(asked.split())) > QUESTION_MAX_CHARS:
            print(f"warning: a question was cut to its first {QUESTION_MAX_CHARS} characters", file=err)
        result = engine.ask(question, top=args.top or DEFAULT_TOP)
        if args.json:
            out.write(json.dumps(result_json(result), ensure_ascii=False) + "\n")
        else:
            if not first:
                out.write("\n")
            if several:
                out.write(f"Q: {question}\n")
            text = result_text(result, engine.articles) if args.top is None else ranked_text(result, engine.articles)
            out.write(text + "\n")
        out.flush()
        first = False
    return EXIT_OK


def cmd_index(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    """``index``: everything answering uses, built (on every core) and
    saved, with its progress on ``err`` (``bot/service/prepare.py``)."""
    shown = Progress(err)
    folder = Path(args.corpus or settings.corpus_dir)
    try:
        done = prepare(settings, folder, args.server, vectors=args.vectors, steps=shown.step)
    except CorpusError as exc:
        raise UsageError(str(exc)) from None
    finally:
        shown.close()
    engine, failures = done.engine, done.failures
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    loaded = engine.index_loaded and not done.vectors_built
    out.write(f"articles    {len(engine.articles)}\n")
    out.write(f"paragraphs  {engine.n_paragraphs}\n")
    out.write(f"sentences   {engine.n_sentences}\n")
    out.write(f"terms       {engine.n_terms}\n")
    out.write(f"embeddings  {engine.semantic_state}\n")
    out.write(f"index       {'loaded from the cache' if engine.index_loaded else 'built'}\n")
    out.write(f"{'load time ' if loaded else 'build time'}  {done.seconds:.3f} s\n")
    out.write(f"peak memory {rss_mb:.0f} MB\n")
    out.write(f"failed      {len(failures)}\n")
    for failure in failures:
        out.write(f"  {failure}\n")
    return EXIT_OK


def cmd_add(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    from bot.fetch import add_command

    folder = args.corpus or settings.corpus_dir
    code, line = add_command(
        args.url, folder, server_id=args.server, replace=args.replace, options=fetch_options(settings)
    )
    if code:
        raise UsageError(line.removeprefix("error: "))
    out.write(line + "\n")
    return EXIT_OK


# ---------------------------------------------------------------------------
# people and timeline (PRODUCT.md: ``/people``, ``/timeline``).


def person_json(person: PersonEntry) -> dict[str, Any]:
    return {
        "name": person.name,
        "aliases": list(person.aliases),
        "roles": [r.role for r in person.roles],
        "quote": answer_json(person.quote),
    }


def event_json(entry: TimelineEntry) -> dict[str, Any]:
    return {
        "when": entry.when,
        "date": entry.date,
        "text": entry.quote.text,
        "article": entry.quote.article.title,
        "paragraph": entry.quote.paragraph,
    }


def cmd_facts(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    engine, _ = _engine(settings, args.corpus, err, server=args.server)
    book = FactsBook()
    if args.command == "people":
        listing = book.people_now(engine, by=args.by)
        if args.json:
            out.writelines(json.dumps(person_json(p), ensure_ascii=False) + "\n" for p in listing.people)
        else:
            out.write(people_text(listing) + "\n")
        return EXIT_OK
    entries = book.timeline_now(engine)
    if args.json:
        out.writelines(json.dumps(event_json(e), ensure_ascii=False) + "\n" for e in entries)
    else:
        out.write(timeline_text(entries) + "\n")
    return EXIT_OK


def cmd_run(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    from bot import runner
    from bot.logs import setup_logging

    setup_logging(settings.log_level, settings.log_format)
    try:
        asyncio.run(runner.run(settings))
    except runner.Unreachable as exc:  # a network failure: worth restarting
        print(f"bot: error: {exc}", file=err)
        return runner.EXIT_UNREACHABLE
    except runner.StartupError as exc:
        raise UsageError(str(exc)) from None
    return EXIT_OK


def cmd_sync(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    from bot import runner
    from bot.logs import setup_logging

    setup_logging(settings.log_level, settings.log_format)
    try:
        count = asyncio.run(runner.sync(settings, args.guild, everywhere=args.everywhere))
    except runner.Unreachable as exc:
        print(f"bot: error: {exc}", file=err)
        return runner.EXIT_UNREACHABLE
    except runner.StartupError as exc:
        raise UsageError(str(exc)) from None
    guild = None if args.everywhere else args.guild or settings.dev_guild_id
    where = f"to guild {guild}" if guild else "globally"
    out.write(f"synced {count} commands {where}\n")
    return EXIT_OK


def main(
    argv: Sequence[str] | None = None,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    stdin = stdin or sys.stdin
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            raise UsageError("say what to do: run, ask, index, add, sync, people or timeline (see --help)")
        settings = load_settings()
        if args.command in ("ask", "run", "index"):  # index: one BLAS thread for each of its threads
            single_threaded_math()
        if args.command == "ask":
            return cmd_ask(args, settings, out, err, stdin)
        if args.command == "index":
            return cmd_index(args, settings, out, err)
        if args.command == "sync":
            return cmd_sync(args, settings, out, err)
        if args.command == "add":
            return cmd_add(args, settings, out, err)
        if args.command in ("people", "timeline"):
            return cmd_facts(args, settings, out, err)
        return cmd_run(args, settings, out, err)
    except (UsageError, SettingsError) as exc:
        print(f"bot: error: {exc}", file=err)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK


def main_entry() -> None:
    """Console script ``story-bot``."""
    sys.exit(main())
