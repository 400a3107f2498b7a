"""Articles from links: fetch a news page safely, extract its article, save
it as a ``.md`` with front matter into the corpus folder.

Entry points:

* ``add_article_from_url(url, corpus_dir, *, server_id=None, replace=False,
  options=None) -> AddedArticle`` (async), raising a ``FetchError`` subclass
  with a one-line message for every refusal;
* ``add_command(...) -> (exit code, line)`` for ``python -m bot add``;
* ``describe(added)`` for a reply.

``FetchOptions`` carries the settings (``FETCH_ALLOW_PRIVATE`` and the
limits).  Modules: ``safety`` (links and addresses), ``fetch`` (HTTP),
``extract`` (trafilatura, JSON-LD, meta tags), ``save`` (the ``.md`` file).
"""

from bot.fetch.add import AddedArticle, add_article_from_url, add_command, describe
from bot.fetch.errors import (
    AlreadyThere,
    BadEncoding,
    BadUrl,
    BlockedAddress,
    ConnectFailed,
    FetchError,
    FetchTimeout,
    HostNotFound,
    HttpStatus,
    NotAnArticle,
    NotHtml,
    SaveFailed,
    TooLarge,
    TooManyRedirects,
)
from bot.fetch.fetch import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_REDIRECTS,
    DEFAULT_TIMEOUT,
    DEFAULT_USER_AGENT,
    FetchedPage,
    FetchOptions,
    fetch_page,
)
from bot.fetch.safety import check_url, is_public_address

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_REDIRECTS",
    "DEFAULT_TIMEOUT",
    "DEFAULT_USER_AGENT",
    "AddedArticle",
    "AlreadyThere",
    "BadEncoding",
    "BadUrl",
    "BlockedAddress",
    "ConnectFailed",
    "FetchError",
    "FetchOptions",
    "FetchTimeout",
    "FetchedPage",
    "HostNotFound",
    "HttpStatus",
    "NotAnArticle",
    "NotHtml",
    "SaveFailed",
    "TooLarge",
    "TooManyRedirects",
    "add_article_from_url",
    "add_command",
    "check_url",
    "describe",
    "fetch_page",
    "is_public_address",
]
