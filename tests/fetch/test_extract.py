"""Extraction quality: realistic news pages give the article, and none of the clutter."""

from __future__ import annotations

import pytest

from bot.fetch import NotAnArticle
from bot.fetch.extract import extract_article, split_names
from tests.harness.news_site import PAGES, article_html

CLUTTER = [
    "cookie",
    "Accept all",
    "Advertisement",
    "ADVERTISEMENT",
    "Sponsored",
    "newsletter",
    "Sign up",
    "Subscribe",
    "Related stories",
    "Most read",
    "More from the Ledger",
    "You may also like",
    "Share",
    "Comments",
    "All rights reserved",
    "Privacy",
    "LIVE:",
    "Topics:",
    "By Maria",
    "Staff Writer",
    "Transport Correspondent",
    "Posted on",
    "Obituaries",
    "Heatwave",
    "Seal pups",
    "Board approves",
]


def read(name: str) -> str:
    raw = (PAGES / name).read_bytes()
    return raw.decode("cp1252") if name == "plain_fallback.html" else raw.decode("utf-8")


EXPECTED = {
    # JSON-LD in @graph: its headline wins over og:title; authors as Person objects.
    "harbor_jsonld.html": dict(
        title="City council approves $48 million harbor seawall",
        publisher="Harbor Times",
        authors=("Maria Lopez", "Tom Becker"),
        published="2024-03-12T09:30:00-05:00",
        paragraphs=7,
        first="The city council voted 7 to 2 on Monday night",
        last="at two public meetings in April, the city's planning department said.",
    ),
    # Meta tags only: og:title, og:site_name, article:published_time, author.
    "valley_meta.html": dict(
        title="School district delays start times after bus driver shortage",
        publisher="The Valley Ledger",
        authors=("Jane Smith",),
        published="2023-11-02T06:00:00Z",
        paragraphs=5,
        first="The Valley Unified School District will push back the start of classes",
        last="restore the original schedule by the spring semester.",
    ),
    # JSON-LD list, author as a plain string, publisher a NewsMediaOrganization.
    "wire_string_author.html": dict(
        title="Rail strike called off after last-minute pay deal",
        publisher="Northern Wire",
        authors=("Sam Okafor",),
        published="2022-08-19",
        paragraphs=5,
        first="A national rail strike planned for Saturday has been called off",
        last="Union leaders said they would recommend that members accept it.",
    ),
    # Neither: publisher from the <title>'s suffix, author and date from the byline (trafilatura).
    "plain_fallback.html": dict(
        title="Volunteers restore historic lighthouse lens",
        publisher="Coastline Post",
        authors=("Ellen Marsh",),
        published="2021-06-05",
        paragraphs=5,
        first="A team of volunteers has finished restoring the original Fresnel lens",
        last="with guided tours on weekends through the end of September.",
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_news_pages_give_the_article(name: str) -> None:
    want = EXPECTED[name]
    article = extract_article(read(name), "https://www.news.example/story")
    assert article.title == want["title"]
    assert article.publisher == want["publisher"]
    assert article.authors == want["authors"]
    assert article.published == want["published"]
    assert len(article.paragraphs) == want["paragraphs"]
    assert article.paragraphs[0].startswith(str(want["first"]))
    assert article.paragraphs[-1].endswith(str(want["last"]))
    for paragraph in article.paragraphs:
        assert "\n" not in paragraph
        assert paragraph == paragraph.strip()
        for junk in CLUTTER:
            assert junk not in paragraph, (junk, paragraph)


def test_quotes_and_entities_are_text() -> None:
    article = extract_article(read("plain_fallback.html"), "https://coastline.example/p")
    assert article.paragraphs[2].startswith("\u201cSome of the prisms had not seen daylight since 1981,\u201d")
    harbor = extract_article(read("harbor_jsonld.html"), "https://harbortimes.example/x")
    assert '"We cannot keep asking people' in harbor.paragraphs[2]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("listing.html", "mostly links"),
        ("login_wall.html", "too little article text .*login wall"),
    ],
)
def test_pages_without_an_article_are_refused(name: str, message: str) -> None:
    with pytest.raises(NotAnArticle, match=message):
        extract_article(read(name), "https://harbortimes.example/local")


@pytest.mark.parametrize(
    "html",
    [
        "<html><body><h1>Welcome</h1><p>Hello.</p></body></html>",
        "<html><head><title>Home</title></head><body><nav><a href=/a>A</a> <a href=/b>B</a></nav></body></html>",
        article_html("Two paragraphs only", paragraphs=2),
    ],
)
def test_a_few_words_are_not_an_article(html: str) -> None:
    with pytest.raises(NotAnArticle):
        extract_article(html, "https://example.com/")


def test_a_teaser_listing_without_links_is_refused() -> None:
    teasers = "".join(
        f"<div class='card'><h3><a href='/s/{i}'>Story number {i}</a></h3><span>2 hours ago</span></div>"
        for i in range(30)
    )
    html = f"<html><head><title>Front page</title></head><body><main>{teasers}</main></body></html>"
    with pytest.raises(NotAnArticle):
        extract_article(html, "https://example.com/")


def test_host_is_the_last_resort_publisher() -> None:
    article = extract_article(article_html("A headline of its own"), "https://www.local-paper.example/a")
    assert article.publisher == "local-paper.example"
    assert article.authors == ()


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("By Albert Aji and Daria Litvinova", ["Albert Aji", "Daria Litvinova"]),
        ("Maria Lopez; Tom Becker", ["Maria Lopez", "Tom Becker"]),
        ("A, B & C", ["A", "B", "C"]),
        ("https://social.example/someone", []),
        ("  ", []),
    ],
)
def test_author_names(text: str, names: list[str]) -> None:
    assert split_names(text) == names
