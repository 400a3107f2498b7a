"""Every way adding an article from a link can be refused.

Each refusal is one ``FetchError`` subclass whose message is a single line
for the person who pasted the link (an admin in Discord, an operator at the
command line): what was wrong, in their words, never a traceback.  Messages
never hold page text beyond a short, escaped quote.
"""

from __future__ import annotations


class FetchError(Exception):
    """Adding the article was refused; ``str(error)`` is the one-line reason."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


class BadUrl(FetchError):
    """Not an http(s) link, has a user name or password, no host, malformed."""


class BlockedAddress(FetchError):
    """The host is (or redirects to) a private, loopback, link-local,
    multicast, reserved or unspecified address."""


class HostNotFound(FetchError):
    """The host name does not resolve."""


class ConnectFailed(FetchError):
    """The connection could not be made (refused, reset, TLS failure)."""


class FetchTimeout(FetchError):
    """The page did not arrive, whole, within the time limit."""


class TooManyRedirects(FetchError):
    """More redirects than allowed."""


class HttpStatus(FetchError):
    """The server answered with an error (or unexpected) status."""


class TooLarge(FetchError):
    """The page, as sent or once decompressed, is larger than the limit."""


class NotHtml(FetchError):
    """An image, a PDF, or anything else that is not a web page."""


class BadEncoding(FetchError):
    """The page's bytes are not valid in the character set it declares."""


class NotAnArticle(FetchError):
    """The page holds no article: a front page, a listing, a login wall, a few words."""


class AlreadyThere(FetchError):
    """An article from the same link is already in the folder (and ``replace`` was not asked)."""

    def __init__(self, path: str) -> None:
        super().__init__(f"already there: {path}")
        self.path = path
        """The article's path, relative to the corpus folder.  Each front end
        says how to replace it in its own words (``--replace``, ``replace: True``)."""


class SaveFailed(FetchError):
    """The article could not be written (bad folder, server id, validation)."""
