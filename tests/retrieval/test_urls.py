import pytest

from retrieval.errors import BadSource
from retrieval.urls import normalise_url, without_credentials


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "HTTPS://WWW.Example.COM:443/a/b?utm_source=x&b=2&a=1&fbclid=3&gclid=4#top",
            "https://www.example.com/a/b?a=1&b=2",
        ),
        ("http://user:secret@example.com:80/story", "http://example.com/story"),
        ("https://example.com:8443/x?id=5&utm_medium=social", "https://example.com:8443/x?id=5"),
    ],
)
def test_one_spelling_per_address(raw, expected):
    assert normalise_url(raw) == expected


@pytest.mark.parametrize(
    "bad", ["ftp://example.com/x", "https://", "javascript:alert(1)", "https://e.com/" + "x" * 3000]
)
def test_what_cannot_be_an_article_address(bad):
    with pytest.raises(BadSource):
        normalise_url(bad)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("http://user:pass@example.com:8080/a?x=1#f", "http://example.com:8080/a?x=1#f"),
        ("https://a@b@Example.com/story", "https://Example.com/story"),  # urlsplit's reading: the last @
        ("https://example.com/people/@ana?x=a@b", "https://example.com/people/@ana?x=a@b"),
        ("ftp://anonymous@files.example/x", "ftp://files.example/x"),
        ("notes/user@host.txt", "notes/user@host.txt"),
    ],
)
def test_credentials_are_left_out_of_what_is_shown(raw, shown):
    assert without_credentials(raw) == shown
