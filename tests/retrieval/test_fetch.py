"""URL ingest against a local HTTP server started by the test."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from retrieval import Engine, FetchError
from retrieval.fetch import fetch
from tests.conftest import DATA

STORM = (DATA / "storm.html").read_bytes()


class Handler(BaseHTTPRequestHandler):
    routes = {
        "/storm": (200, "text/html; charset=utf-8", STORM),
        "/empty": (200, "text/html", (DATA / "empty_page.html").read_bytes()),
        "/report.pdf": (200, "application/pdf", b"%PDF-1.4 not a page"),
        "/huge": (200, "text/html", b"<html><body>" + b"x" * (2 * 1024 * 1024) + b"</body></html>"),
        "/gone": (404, "text/html", b"not here"),
    }

    def do_GET(self):
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/storm")
            self.end_headers()
            return
        if self.path == "/loop":
            self.send_response(301)
            self.send_header("Location", "/loop")
            self.end_headers()
            return
        if self.path == "/to-file":
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()
            return
        status, kind, body = self.routes.get(self.path, (404, "text/plain", b"?"))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        if self.path != "/huge":  # make the client count the bytes itself
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture
def local_engine(settings, encoder):
    eng = Engine.open(settings.with_(allow_private_urls=True, fetch_max_bytes=1024 * 1024), encoder=encoder)
    yield eng
    eng.close()


def test_url_ingest_extracts_the_page(local_engine: Engine, server: str):
    report = local_engine.ingest([f"{server}/redirect"], added_by="test")
    assert report.outcomes[0].status == "added", report.outcomes
    hit = local_engine.ask("How many homes lost electricity in the storm?").hits[0]
    assert hit.article.outlet == "Harbor Times"
    assert hit.article.url == "https://harbortimes.example/news/2025/02/03/storm-power"  # canonical
    assert hit.article.published == "2025-02-03"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/report.pdf", "application/pdf, not an HTML page"),
        ("/huge", "larger than"),
        ("/gone", "HTTP 404"),
        ("/empty", "no article text"),
        ("/loop", "redirects more than"),
        ("/to-file", "only http and https"),
    ],
)
def test_bad_urls_are_refused_and_write_nothing(local_engine: Engine, server: str, path: str, message: str):
    before = local_engine.stats()
    report = local_engine.ingest([f"{server}{path}"])
    assert report.outcomes[0].status == "skipped"
    assert message in report.outcomes[0].reason
    after = local_engine.stats()
    assert (after["articles"], after["passages"], after["indexed"]) == (
        before["articles"],
        before["passages"],
        before["indexed"],
    )


def test_private_addresses_are_refused_by_default(server: str):
    with pytest.raises(FetchError, match="private, loopback or link-local"):
        fetch(f"{server}/storm")
    with pytest.raises(FetchError, match="private, loopback or link-local"):
        fetch("http://169.254.169.254/latest/meta-data/")


def test_only_http_and_https(server: str):
    with pytest.raises(FetchError, match="only http and https"):
        fetch("ftp://example.com/file.html")


def test_unreachable_host_is_named(server: str):
    port = int(server.rsplit(":", 1)[1])
    with pytest.raises(FetchError, match="cannot reach"):
        fetch(f"http://127.0.0.1:{port + 1 if port < 65535 else port - 1}/x", allow_private=True, timeout=2)


def test_timeout(server: str):
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the connection, never answers
    try:
        with pytest.raises(FetchError, match="did not answer within 1 s"):
            fetch(f"http://127.0.0.1:{listener.getsockname()[1]}/", allow_private=True, timeout=1)
    finally:
        listener.close()
