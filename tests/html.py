"""Read HTML responses through a parser, not by substring."""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag


def soup(response) -> BeautifulSoup:
    """Parse a test-client response body."""
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def by_testid(response_or_soup, testid: str) -> Tag:
    """The single element with ``data-testid``; fails the test if absent."""
    doc = (
        response_or_soup
        if isinstance(response_or_soup, BeautifulSoup)
        else soup(response_or_soup)
    )
    found = doc.select(f'[data-testid="{testid}"]')
    assert len(found) == 1, f"expected one data-testid={testid!r}, found {len(found)}"
    return found[0]


def text_of(response_or_soup, testid: str) -> str:
    """Whitespace-normalised text of the element with ``data-testid``."""
    return " ".join(by_testid(response_or_soup, testid).get_text(" ").split())
