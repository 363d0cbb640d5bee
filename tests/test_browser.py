"""The web page in a real browser: headless Chromium (Debian `chromium`) driven by Playwright, against
`uvicorn` serving the real pipeline on a free loopback port. Screenshots go to ``test-artifacts/``."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PHOTOS = ROOT / "assets" / "photos"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs headless Chromium: apt-get install chromium chromium-driver"
)


@contextmanager
def serving(app) -> Iterator[str]:
    """uvicorn serving ``app`` on a free loopback port, in a thread: its base URL once the model is ready."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    assert app.state.engine.wait_ready(300), app.state.engine.error
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


@pytest.fixture(scope="module")
def server_app(full_pipeline: Path):
    from animal_verifier.serve.app import create_app

    return create_app(str(full_pipeline))


@pytest.fixture(scope="module")
def server_url(server_app):
    with serving(server_app) as url:
        yield url


API_KEY = "browser-test-key-0123456789"


@pytest.fixture(scope="module")
def keyed_server_url(server_app, tmp_path_factory):
    """A second server that wants an API key, serving the first one's pipeline (one test at a time)."""
    from animal_verifier.serve.app import ServerSettings, create_app

    keys = tmp_path_factory.mktemp("keys") / "keys.txt"
    keys.write_text(f"# browser test\n{API_KEY}\n")
    server_app.state.engine.wait_ready(300)
    app = create_app(settings=ServerSettings(api_keys_file=str(keys)), nlp=server_app.state.engine.nlp)
    with serving(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@contextmanager
def open_page(browser, url: str):
    context = browser.new_context(viewport=PHONE, base_url=url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/")
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def page(browser, server_url):
    with open_page(browser, server_url) as page:
        yield page


@pytest.fixture
def keyed_page(browser, keyed_server_url):
    with open_page(browser, keyed_server_url) as page:
        yield page


def screenshot(page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(path, ARTIFACTS / path.name)
    return path


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def check(page, image: Path, text: str) -> None:
    page.set_input_files("#image", str(image))
    expect(page.locator("#preview")).to_be_visible()
    page.fill("#text", text)
    page.click("#submit")
    expect(page.locator("#result")).to_be_visible(timeout=30_000)


def test_photo_and_sentence_give_a_true_verdict(page, tmp_path):
    check(page, PHOTOS / "cow_gcompris.jpg", "There is a cow but no cat.")
    assert "True" in page.inner_text("#verdict")
    mentions = page.locator("#sentence mark.mention")
    assert mentions.count() == 2
    assert mentions.nth(0).inner_text() == "cow" and "negated" not in mentions.nth(0).get_attribute("class")
    assert mentions.nth(1).inner_text().startswith("cat") and "negated" in mentions.nth(1).get_attribute("class")
    assert "cow" in page.inner_text("#seen") and page.get_attribute("#seen", "data-ood") == "known"
    assert page.locator("#top5 li").count() == 5
    claims = page.locator("#claims li")
    assert claims.count() == 2 and all("supported" in claims.nth(i).inner_text().lower() for i in range(2))
    assert "no cat" in claims.nth(1).inner_text()
    # Readable at phone width: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert screenshot(page, tmp_path, "browser-true-verdict").stat().st_size > 10_000


def test_false_statement_shows_the_reason(page, tmp_path):
    check(page, PHOTOS / "cat_skimage.jpg", "I see a dog.")
    assert "False" in page.inner_text("#verdict")
    claim = page.inner_text("#claims li")
    assert "contradicted" in claim.lower() and "dog" in claim
    assert "cat" in page.inner_text("#seen")
    screenshot(page, tmp_path, "browser-false-verdict")


def test_keyboard_only(page, tmp_path):
    page.keyboard.press("Tab")  # the first stop is the photo picker
    expect(page.locator("#image")).to_be_focused()
    # Space would open the browser's own file dialog; headless Chromium raises it only sometimes, so the
    # file is handed to the focused input directly and the rest is done with the keyboard
    page.locator("#image").set_input_files(str(PHOTOS / "dog_gcompris.jpg"))
    expect(page.locator("#preview")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.locator("#text")).to_be_focused()
    page.keyboard.type("There is a dog in the picture.")
    page.keyboard.press("Enter")
    expect(page.locator("#result")).to_be_visible(timeout=30_000)
    expect(page.locator("#verdict")).to_contain_text("True")
    expect(page.locator("#verdict")).to_be_focused()  # focus moves to the answer
    screenshot(page, tmp_path, "browser-keyboard")


def test_errors_are_shown(page, tmp_path):
    page.click("#submit")
    expect(page.locator("#error")).to_contain_text("Choose a photo")
    page.set_input_files("#image", {"name": "fake.png", "mimeType": "image/png", "buffer": b"not really a png"})
    page.fill("#text", "A cow.")
    page.click("#submit")
    expect(page.locator("#error")).to_contain_text("not an image")
    assert page.is_hidden("#result")
    screenshot(page, tmp_path, "browser-error")


def test_mentions_are_highlighted_by_code_point_offsets(page):
    # Python's offsets count code points; an emoji before a mention is two UTF-16 units in JavaScript.
    page.evaluate(
        """render({text: "🐄🐄 a cow, no cat", entities: [
              {text: "cow", start: 5, end: 8, canonical: "cow", wordnet_id: "n02402425", negated: false},
              {text: "cat", start: 13, end: 16, canonical: "cat", wordnet_id: "n02121808", negated: true}],
            predicted: "cow", fine_label: "ox", top5: [], animal_probability: 0.9, claims: [], match: true,
            reason: "r", model: {name: "m", version: "1"}, elapsed_ms: 1})"""
    )
    marks = page.locator("#sentence mark")
    assert marks.nth(0).inner_text() == "cow"
    assert marks.nth(1).inner_text().startswith("cat")


def test_no_key_prompt_when_the_server_needs_none(page):
    expect(page.locator("#model")).to_contain_text("Model:")
    assert page.is_hidden("#key-form")


def test_page_asks_for_the_key_and_sends_it(keyed_page, tmp_path):
    page = keyed_page
    expect(page.locator("#key-form")).to_be_visible()  # the server answered 401: the page asks
    expect(page.locator("#api-key")).to_be_focused()
    assert page.get_attribute("#api-key", "type") == "password"
    page.fill("#api-key", "not-the-key")
    page.click("#key-submit")
    expect(page.locator("#error")).to_contain_text("did not accept")
    page.fill("#api-key", API_KEY)
    page.click("#key-submit")
    expect(page.locator("#model")).to_contain_text("Model:")
    expect(page.locator("#key-form")).to_be_hidden()
    check(page, PHOTOS / "cow_gcompris.jpg", "There is a cow in the picture.")  # POST /v1/verify with the key
    assert "True" in page.inner_text("#verdict")
    screenshot(page, tmp_path, "browser-api-key")
    page.reload()  # the key stays for this tab
    expect(page.locator("#model")).to_contain_text("Model:")
    assert page.is_hidden("#key-form")
