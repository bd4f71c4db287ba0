"""Security of what the site sends: sanitised markdown on every rendering path, CSP and other
headers, admin login throttling, and pages that work within the Content Security Policy."""

import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse

from cases.models import Case, Country
from cases.rendering import render_markdown
from kb.security import client_ip_address
from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS, needs_chromium
from tests.factories import (
    CaseChallengeFactory,
    CaseFactory,
    CaseSuccessFactorFactory,
    ChallengeFactory,
    DocumentFactory,
    SuccessFactorFactory,
    ThemeFactory,
)

# Known XSS vectors (OWASP cheat sheet, mutation XSS, markdown-specific ones). Each goes through
# every rendering path on its own.
XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://xss.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '"><script>alert(1)</script>',
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>x</details>",
    "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    '<a href="https://evil.example/" onmouseover="alert(1)">hover</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href=" &#14; javascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![pixel](javascript:alert(1))",
    "![pixel](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '[x](https://evil.example/ "title\\" onmouseover=\\"alert(1)")',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<div style="background:url(javascript:alert(1))">styled</div>',
    '<form action="https://evil.example/"><input name="password"><button>Go</button></form>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="https://evil.example/">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "<template><script>alert(1)</script></template>",
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '# Heading {: onclick="alert(1)" }',
    '<p markdown="1" onclick="alert(1)">*inside*</p>',
    '[[x" onmouseover="alert(1)|label]]',
    "[[<script>alert(1)</script>]]",
    '<a href="//evil.example/">scheme-relative</a>',
    '<a href="/\\evil.example/">backslash</a>',
    '<a href="https://evil.example/" rel="opener" target="_blank">opener</a>',
]

FORBIDDEN_TAGS = {
    "script",
    "iframe",
    "frame",
    "frameset",
    "style",
    "form",
    "input",
    "button",
    "textarea",
    "select",
    "object",
    "embed",
    "applet",
    "svg",
    "math",
    "base",
    "meta",
    "link",
    "template",
    "noscript",
    "img",
    "video",
    "audio",
    "source",
    "details",
    "marquee",
    "body",
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "background", "xlink:href", "srcdoc"}
UNSAFE_SCHEME = re.compile(r"^(javascript|vbscript|data):", re.IGNORECASE)


def normalised_url(value):
    """A URL as a browser reads it: control characters, whitespace, tabs and newlines dropped."""
    return re.sub(r"[\x00-\x20]", "", value or "")


class TagCollector(HTMLParser):
    """Every start tag with its attributes, as a browser's tokenizer would see them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))


def parse_tags(html):
    collector = TagCollector()
    collector.feed(html)
    collector.close()
    return collector.tags


def assert_no_active_content(html, allowed_tags=None):
    """No handler attribute, no unsafe URL, and no more of the forbidden tags than `allowed_tags`."""
    if allowed_tags is None:
        allowed_tags = Counter()
    tags = parse_tags(html)
    for tag, attrs in tags:
        for name, value in attrs:
            assert not name.startswith("on"), f"<{tag} {name}=…> survived"
            if name in URL_ATTRIBUTES:
                assert not UNSAFE_SCHEME.match(normalised_url(value)), f"<{tag} {name}={value!r}> survived"
            assert name != "style", f"<{tag} style=…> survived"
    counts = Counter(tag for tag, _ in tags if tag in FORBIDDEN_TAGS)
    for tag, count in counts.items():
        assert count <= allowed_tags[tag], f"<{tag}> survived ({count} on the page, {allowed_tags[tag]} expected)"
    assert not re.search(r"<script(?![^>]*\ssrc=)", html, re.IGNORECASE) or allowed_tags["script"]


def assert_external_links_marked(html):
    for tag, attrs in parse_tags(html):
        attributes = dict(attrs)
        href = normalised_url(attributes.get("href")).replace("\\", "/")
        if tag == "a" and (href.startswith("//") or re.match(r"https?:", href, re.IGNORECASE)):
            assert attributes.get("rel") == "noopener nofollow", f"external link without rel: {attrs}"


# -- the renderer itself --------------------------------------------------------------------------


def test_there_are_at_least_thirty_payloads():
    assert len(set(XSS_PAYLOADS)) == len(XSS_PAYLOADS) >= 30


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_render_markdown_neutralises_payload(payload, db):  # db: wiki-link targets are looked up
    html = str(render_markdown(payload))
    assert_no_active_content(html)
    assert_external_links_marked(html)
    assert "<script" not in html.lower()


def test_external_links_get_noopener_nofollow_and_internal_ones_do_not():
    html = str(render_markdown("[a](https://example.org/x) [b](/cases/) [c](//example.org) [d](#part)"))
    links = {dict(attrs)["href"]: dict(attrs).get("rel") for tag, attrs in parse_tags(html) if tag == "a"}
    assert links == {
        "https://example.org/x": "noopener nofollow",
        "/cases/": None,
        "//example.org": "noopener nofollow",
        "#part": None,
    }


def test_a_title_holding_markup_cannot_break_out_of_the_link():
    html = str(render_markdown('<a href="https://example.org" title="x><img src=x onerror=alert(1)>">y</a>'))
    assert_no_active_content(html)
    [(tag, attrs)] = [item for item in parse_tags(html) if item[0] == "a"]
    assert dict(attrs)["rel"] == "noopener nofollow"
    assert dict(attrs)["title"] == "x><img src=x onerror=alert(1)>"


def test_harmless_markdown_survives():
    html = str(render_markdown("# Title\n\n*em* **strong** `code`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n> quote"))
    for tag in ("h1", "em", "strong", "code", "table", "td", "blockquote"):
        assert f"<{tag}" in html


# -- every rendering path, through the pages themselves ----------------------------------------------


def set_payload(objects, payload):
    """Put the payload into every markdown (and some plain) field the rendering paths show."""
    case, challenge, success_factor, theme, document, case_challenge, case_success_factor = objects
    Case.objects.filter(pk=case.pk).update(body=payload, summary=payload, title=payload[:200])
    type(challenge).objects.filter(pk=challenge.pk).update(description=payload)
    type(success_factor).objects.filter(pk=success_factor.pk).update(description=payload)
    type(theme).objects.filter(pk=theme.pk).update(description=payload)
    type(document).objects.filter(pk=document.pk).update(body=payload)
    type(case_challenge).objects.filter(pk=case_challenge.pk).update(note=payload)
    type(case_success_factor).objects.filter(pk=case_success_factor.pk).update(note=payload)


@pytest.fixture
def rendered_objects(db):
    theme = ThemeFactory(slug="xss-theme")
    case = CaseFactory(slug="xss-case", themes=[theme], countries=["ca"])
    challenge = ChallengeFactory(slug="xss-challenge")
    success_factor = SuccessFactorFactory(slug="xss-factor")
    case_challenge = CaseChallengeFactory(case=case, challenge=challenge)
    case_success_factor = CaseSuccessFactorFactory(case=case, success_factor=success_factor)
    document = DocumentFactory(slug="xss_document")
    return case, challenge, success_factor, theme, document, case_challenge, case_success_factor


def rendering_paths():
    paths = [
        ("case page", lambda objects: reverse("cases:case-detail", kwargs={"slug": "xss-case"}), False),
        ("challenge page", lambda objects: reverse("cases:challenge-detail", kwargs={"slug": "xss-challenge"}), False),
        (
            "success factor page",
            lambda objects: reverse("cases:success-factor-detail", kwargs={"slug": "xss-factor"}),
            False,
        ),
        ("theme page", lambda objects: reverse("cases:theme-detail", kwargs={"slug": "xss-theme"}), False),
        ("document page", lambda objects: reverse("cases:document-detail", kwargs={"slug": "xss_document"}), False),
        ("case browser", lambda objects: reverse("cases:case-list"), False),
        ("admin case change page", lambda objects: reverse("admin:cases_case_change", args=[objects[0].pk]), True),
        ("admin preview", lambda objects: reverse("admin:cases_case_preview", args=[objects[0].pk]), True),
        ("search results", lambda objects: reverse("cases:search") + "?q=alert", False),
    ]
    return paths


@pytest.mark.parametrize("name, url_of, as_admin", rendering_paths(), ids=[path[0] for path in rendering_paths()])
def test_no_payload_survives_a_rendering_path(name, url_of, as_admin, rendered_objects, client, admin_client):
    browser = admin_client if as_admin else client
    url = url_of(rendered_objects)
    set_payload(rendered_objects, "Harmless text about alert systems.")
    baseline = browser.get(url)
    assert baseline.status_code == 200, f"{name}: {url} answered {baseline.status_code}"
    baseline_tags = Counter(tag for tag, _ in parse_tags(baseline.content.decode()) if tag in FORBIDDEN_TAGS)
    for payload in XSS_PAYLOADS:
        set_payload(rendered_objects, payload)
        response = browser.get(url)
        assert response.status_code == 200, f"{name} with {payload!r}: {response.status_code}"
        html = response.content.decode()
        try:
            assert_no_active_content(html, allowed_tags=baseline_tags)
        except AssertionError as error:
            raise AssertionError(f"{name} with payload {payload!r}: {error}") from None


@pytest.mark.django_db
def test_search_query_is_not_reflected_as_markup(client):
    url = reverse("cases:search")
    baseline = Counter(tag for tag, _ in parse_tags(client.get(url, {"q": "x"}).content.decode()))
    for payload in XSS_PAYLOADS:
        response = client.get(url, {"q": payload})
        assert response.status_code == 200  # a query is text to search for, whatever its characters
        assert_no_active_content(response.content.decode(), allowed_tags=baseline)


# -- headers ----------------------------------------------------------------------------------------


def csp_directives(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/cases/", "/admin/login/"])
def test_content_security_policy_forbids_inline_script_and_other_origins(client, url):
    response = client.get(url)
    directives = csp_directives(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    for sources in directives.values():
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} & set(sources)
        assert all(source.startswith("'") for source in sources), f"a host source in {sources}"


@pytest.mark.django_db
def test_security_headers_on_every_response(client):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_https_behind_a_proxy_redirects_plain_http_and_sends_hsts(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31_536_000
    plain = client.get("/cases/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    secure = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")


def test_templates_hold_no_inline_script_style_or_handler():
    """Inline script, style and on…= handlers would be blocked by the CSP: keep them out of templates."""
    offenders = []
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = template.read_text()
        for pattern in (
            r"<script(?![^>]*\ssrc=)[^>]*>",
            r"<style\b",
            r"\sstyle\s*=",
            r"\son[a-z]+\s*=",
            r"javascript:",
        ):
            offenders += [f"{template.name}: {match}" for match in re.findall(pattern, text, re.IGNORECASE)]
    assert offenders == []


# -- admin login throttling -------------------------------------------------------------------------


def post_login(client, username, password, **extra):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password}, **extra)


@pytest.mark.django_db
def test_admin_login_locks_out_after_repeated_failures(client, django_user_model):
    django_user_model.objects.create_superuser("curator", "c@example.org", "the right passphrase")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert post_login(client, "curator", "wrong").status_code == 200  # the form again, with an error
    assert post_login(client, "curator", "wrong").status_code == 429
    locked = post_login(client, "curator", "the right passphrase")
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_lockout_is_per_username_and_address(client, django_user_model):
    django_user_model.objects.create_superuser("curator", "c@example.org", "the right passphrase")
    django_user_model.objects.create_superuser("editor", "e@example.org", "another passphrase")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "curator", "wrong")
    assert post_login(client, "editor", "another passphrase").status_code == 302
    other_address = post_login(client, "curator", "the right passphrase", REMOTE_ADDR="198.51.100.7")
    assert other_address.status_code == 302


@pytest.mark.django_db
def test_a_successful_login_still_works_and_resets_the_count(client, django_user_model):
    django_user_model.objects.create_superuser("curator", "c@example.org", "the right passphrase")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        post_login(client, "curator", "wrong")
    assert post_login(client, "curator", "the right passphrase").status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert post_login(client, "curator", "wrong").status_code == 200


@pytest.mark.django_db
def test_test_client_login_and_force_login_still_work(client, admin_client, django_user_model):
    assert admin_client.get("/admin/").status_code == 200
    django_user_model.objects.create_superuser("curator", "c@example.org", "the right passphrase")
    assert client.login(username="curator", password="the right passphrase")
    assert client.get("/admin/").status_code == 200


def test_client_address_trusts_only_the_proxies_we_have(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    settings.PROXY_COUNT = 0
    assert client_ip_address(request) == "10.0.0.2"
    settings.PROXY_COUNT = 1
    assert client_ip_address(request) == "203.0.113.9"  # the forged first entry is ignored
    settings.PROXY_COUNT = 3
    assert client_ip_address(request) == "10.0.0.2"  # fewer entries than proxies: not trusted


# -- the pages in a real browser, within the CSP ------------------------------------------------------


@pytest.mark.browser
@needs_chromium
@pytest.mark.django_db(transaction=True)
def test_admin_and_public_pages_raise_no_csp_violation(live_server, django_user_model):
    from playwright.sync_api import sync_playwright

    Country.objects.get_or_create(code="CA", defaults={"name": "Canada", "region": "americas"})
    django_user_model.objects.create_superuser("curator", "c@example.org", "the right passphrase")
    case = CaseFactory(slug="browser-case", countries=["ca"], body="Body with a [link](https://example.org).")
    CaseChallengeFactory(case=case)
    pages = [
        "/",
        "/cases/?country=ca",
        f"/cases/{case.slug}/",
        "/admin/",
        "/admin/cases/case/",
        "/admin/cases/case/add/",
        f"/admin/cases/case/{case.pk}/change/",
        "/admin/cases/quote/",
        f"/admin/cases/case/{case.pk}/history/",
        "/admin/auth/user/",
    ]
    pages.append(reverse("admin:cases_case_preview", args=[case.pk]))
    violations = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on(
                "console",
                lambda message: (
                    violations.append((page.url, message.text)) if "Content Security Policy" in message.text else None
                ),
            )
            page.on("pageerror", lambda error: violations.append((page.url, str(error))))
            page.goto(f"{live_server.url}/admin/login/")
            page.fill("#id_username", "curator")
            page.fill("#id_password", "the right passphrase")
            page.click("input[type=submit]")
            page.wait_for_url(f"{live_server.url}/admin/")
            for path in pages:
                response = page.goto(f"{live_server.url}{path}")
                assert response.status == 200, f"{path}: {response.status}"
                page.wait_for_load_state("networkidle")
        finally:
            browser.close()
    assert violations == []


@pytest.mark.django_db
def test_password_spraying_from_one_address_is_locked_out(client, django_user_model):
    """120 wrong passwords over 30 user names, 4 each (under the per-name limit), from one address."""
    django_user_model.objects.create_superuser("curator", "c@example.org", "the right passphrase")
    names = ["curator", *(f"user{n}" for n in range(29))]
    statuses = [post_login(client, name, f"guess {attempt}").status_code for attempt in range(4) for name in names]
    assert len(statuses) == 120
    assert statuses[: settings.AXES_ADDRESS_FAILURE_LIMIT - 1] == [200] * (settings.AXES_ADDRESS_FAILURE_LIMIT - 1)
    assert set(statuses[settings.AXES_ADDRESS_FAILURE_LIMIT :]) == {429}
    # The sprayer's address cannot log in even with a right password; the curator elsewhere can.
    assert post_login(client, "curator", "the right passphrase").status_code == 429
    assert post_login(client, "curator", "the right passphrase", REMOTE_ADDR="198.51.100.7").status_code == 302


@pytest.mark.django_db
def test_a_few_typos_from_a_shared_address_lock_no_one_out(client, django_user_model):
    django_user_model.objects.create_superuser("curator", "c@example.org", "the right passphrase")
    for n in range(settings.AXES_ADDRESS_FAILURE_LIMIT // 3):
        post_login(client, f"colleague{n}", "typo")
    assert post_login(client, "curator", "the right passphrase").status_code == 302
