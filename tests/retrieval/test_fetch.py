"""URL ingest against a local HTTP server started by the test."""

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from retrieval import Engine, FetchError
from retrieval.fetch import fetch, refusal
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
        if self.path == "/to-secret":
            self.send_response(302)
            self.send_header("Location", f"http://admin:hunter2@127.0.0.1:{self.server.server_address[1]}/gone")
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


def test_no_message_or_page_shows_the_credentials_of_a_url(local_engine: Engine, server: str):
    host = server.removeprefix("http://")
    page = fetch(f"http://reader:s3cret@{host}/storm", allow_private=True)
    assert page.url == f"{server}/storm"
    failures = []
    for url in (f"http://reader:s3cret@{host}/gone", f"{server}/to-secret", f"http://reader:s3cret@{host}/report.pdf"):
        with pytest.raises(FetchError) as caught:
            fetch(url, allow_private=True)
        failures.append(str(caught.value))
    assert failures == [
        f"{server}/gone answered HTTP 404",
        f"{server}/gone answered HTTP 404",  # the redirect named admin:hunter2
        f"{server}/report.pdf is application/pdf, not an HTML page",
    ]
    [outcome] = local_engine.ingest([f"http://reader:s3cret@{host}/gone"]).outcomes
    assert (outcome.source, outcome.reason) == (f"{server}/gone", f"{server}/gone answered HTTP 404")


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
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the connection, never answers
    try:
        with pytest.raises(FetchError, match="did not answer within 1 s"):
            fetch(f"http://127.0.0.1:{listener.getsockname()[1]}/", allow_private=True, timeout=1)
    finally:
        listener.close()


# -- addresses that reach private space through IPv6 -----------------------------------------------
REFUSED = [
    "::127.0.0.1",  # IPv4-compatible
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:0:7f00:1",  # IPv4-translated
    "64:ff9b::a9fe:a9fe",  # NAT64 of the cloud metadata address
    "64:ff9b:1::a00:1",  # local-use NAT64
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "fec0::1",  # site-local
    "fc00::1",
    "fd00:ec2::254",  # unique-local (a cloud's IPv6 metadata address)
    "fe80::1",
    "ff02::1",
    "::1",
    "::",
    "2001:db8::1",
    "100.64.0.1",  # CGNAT
    "100.100.100.200",  # a cloud metadata address inside CGNAT
    "198.18.0.1",  # benchmarking
    "192.0.2.1",
    "203.0.113.9",
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "0.0.0.0",
    "169.254.169.254",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "127.0.0.1",
]
ALLOWED = ["8.8.8.8", "1.1.1.1", "2606:4700::1111", "64:ff9b::808:808", "2002:808:808::1", "::ffff:8.8.8.8"]


@pytest.mark.parametrize("address", REFUSED)
def test_private_space_is_refused_in_every_form(address: str):
    assert refusal(address) is not None


@pytest.mark.parametrize("address", ALLOWED)
def test_public_addresses_pass_also_when_embedded(address: str):
    assert refusal(address) is None


@pytest.mark.parametrize(
    "address",
    [
        "::127.0.0.1",
        "::ffff:0:7f00:1",
        "64:ff9b::a9fe:a9fe",
        "2002:7f00:1::1",
        "fec0::1",
    ],
)
def test_ipv6_literals_reaching_private_space_are_refused_before_connecting(address: str):
    with pytest.raises(FetchError, match="private, loopback or link-local") as caught:
        fetch(f"http://[{address}]:8080/latest/meta-data/", timeout=2)
    assert address in str(caught.value)


# -- one deadline for the whole fetch ----------------------------------------------------------------
@pytest.fixture
def trickler():
    """A server that sends its answer one byte every 50 ms (headers or body), for up to 5 s."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    stop = threading.Event()
    mode = {"what": "headers"}

    def serve():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                conn.recv(65536)  # the request
                head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000\r\n\r\n"
                if mode["what"] == "body":
                    conn.sendall(head)
                    data = b"<p>" + b"x" * 997
                else:
                    data = head
                end = time.monotonic() + 5
                try:
                    for byte in data:
                        if stop.is_set() or time.monotonic() > end:
                            break
                        conn.sendall(bytes([byte]))
                        time.sleep(0.05)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/", mode
    stop.set()
    thread.join(2)
    listener.close()


@pytest.mark.parametrize(
    ("what", "message"), [("headers", "did not answer within 1 s"), ("body", "took longer than 1 s")]
)
def test_a_trickling_server_is_cut_at_the_deadline(trickler, what: str, message: str):
    url, mode = trickler
    mode["what"] = what
    start = time.monotonic()
    with pytest.raises(FetchError, match=message):
        fetch(url, allow_private=True, timeout=1)
    assert time.monotonic() - start < 1.5


def test_slow_name_resolution_counts_against_the_deadline(monkeypatch):
    def slow(*args, **kwargs):
        time.sleep(2)
        raise socket.gaierror("too late")

    monkeypatch.setattr(socket, "getaddrinfo", slow)
    start = time.monotonic()
    with pytest.raises(FetchError, match="within 1 s"):
        fetch("http://news.example/", timeout=1)
    assert time.monotonic() - start < 1.5
