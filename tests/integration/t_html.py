"""HTML page tests over plain HTTP (no JavaScript): pages, forms, CSRF,
register/login/me/logout as a browser without JS would do it."""

from lib import (Client, api_error, bad_checksum, check, has_cjk, identity,
                 login, mask_id, mask_phone, parse_html, register)

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


REGISTER_FIELDS = ("name", "id_number", "phone", "email", "employer", "password")


def _html_ok(r, status, what):
    check(r.status == status, "%s: expected %d, got %s" % (what, status, r.short()))
    ct = r.header("Content-Type", "")
    check("text/html" in ct.lower(), "%s: Content-Type should be text/html, got %r" % (what, ct))
    page = parse_html(r.body)
    check(page.html_lang == "zh-CN", "%s: <html lang> is %r, expected zh-CN" % (what, page.html_lang))
    vp = page.meta_viewport()
    check(vp and "width=device-width" in vp.replace(" ", ""),
          "%s: no <meta name=viewport content=width=device-width...> (got %r)" % (what, vp))
    return page


def _submit_button(form):
    return [b for b in form["buttons"] if (b.get("type") or "submit").lower() == "submit"] + \
        [i for i in form["inputs"] if (i.get("type") or "").lower() == "submit"]


@test
def home_page():
    r = Client().get("/")
    page = _html_ok(r, 200, "GET /")
    check(has_cjk(r.text), "GET /: no Chinese text on the home page")
    check(page.title.strip(), "GET /: empty <title>")


@test
def register_page_form():
    c = Client()
    r = c.get("/register")
    page = _html_ok(r, 200, "GET /register")
    form = page.form_with_action("/register")
    check(form is not None, "GET /register: no <form action=\"/register\"> (forms: %r)"
          % [f["action"] for f in page.forms])
    check(form["method"] == "post", "register form method is %r" % form["method"])
    names = {i.get("name"): i for i in form["inputs"]}
    for f in REGISTER_FIELDS + ("csrf",):
        check(f in names, "register form has no input named %r (has %r)" % (f, sorted(n for n in names if n)))
    check((names["password"].get("type") or "").lower() == "password", "password input type %r" % names["password"].get("type"))
    check((names["csrf"].get("type") or "").lower() == "hidden", "csrf input is not hidden")
    check(len(names["csrf"].get("value") or "") >= 16, "csrf token too short: %r" % names["csrf"].get("value"))
    check(_submit_button(form), "register form has no submit button")
    check("tm_csrf" in c.cookies, "GET /register set no tm_csrf cookie")


@test
def login_page_form():
    c = Client()
    r = c.get("/login")
    page = _html_ok(r, 200, "GET /login")
    form = page.form_with_action("/login")
    check(form is not None, "GET /login: no <form action=\"/login\">")
    check(form["method"] == "post", "login form method is %r" % form["method"])
    names = {i.get("name"): i for i in form["inputs"]}
    for f in ("login", "password", "csrf"):
        check(f in names, "login form has no input named %r" % f)
    check((names["password"].get("type") or "").lower() == "password", "password input type")
    check(names["csrf"].get("value"), "login form csrf has no value")
    check(_submit_button(form), "login form has no submit button")


@test
def me_page_redirects_without_session():
    r = Client().get("/me")
    check(r.status == 303, "GET /me without a session: expected 303, got %s" % r.short())
    check(r.location_path() == "/login", "GET /me without a session: Location %r" % r.header("Location"))


@test
def html_register_login_me_logout():
    ident = identity("html")
    c = Client("html")
    tok = c.csrf_from("/register")
    r = c.post_form("/register", dict(ident, csrf=tok))
    check(r.status == 303, "POST /register: expected 303, got %s" % r.short())
    check(r.location_path() == "/login?registered=1", "POST /register Location %r" % r.header("Location"))
    check("tm_session" not in c.cookies, "registering must not log in by itself (got tm_session)")

    r = c.get("/login?registered=1")
    page = _html_ok(r, 200, "GET /login?registered=1")
    tok = page.input_value("csrf")
    check(tok, "login page has no csrf value")

    r = c.post_form("/login", {"login": ident["email"], "password": ident["password"], "csrf": tok})
    check(r.status == 303, "POST /login: expected 303, got %s" % r.short())
    check(r.location_path() == "/me", "POST /login Location %r" % r.header("Location"))
    check("tm_session" in c.cookies, "POST /login set no tm_session cookie")
    sc = [s for s in r.header_all("Set-Cookie") if s.startswith("tm_session=")][0].lower()
    check("httponly" in sc and "samesite=lax" in sc, "session cookie attributes: %r" % sc)

    r = c.get("/me")
    page = _html_ok(r, 200, "GET /me")
    want = {"me-name": ident["name"], "me-id-number": mask_id(ident["id_number"]),
            "me-phone": mask_phone(ident["phone"]), "me-email": ident["email"],
            "me-employer": ident["employer"]}
    for eid, v in want.items():
        got = page.text_of(eid)
        check(got is not None, "GET /me: no element with id %r" % eid)
        check(got.strip() == v, "GET /me #%s: %r, expected %r" % (eid, got.strip(), v))
    check(ident["id_number"] not in r.text, "GET /me shows the ID number in clear")
    check(ident["phone"] not in r.text, "GET /me shows the phone number in clear")

    form = page.form_with_action("/logout")
    check(form is not None, "GET /me: no <form action=\"/logout\">")
    check(form["method"] == "post", "logout form method %r" % form["method"])
    check(any(b.get("id") == "logout" for b in form["buttons"]), "logout form has no <button id=\"logout\">")
    ltok = next((i.get("value") for i in form["inputs"] if i.get("name") == "csrf"), None)
    check(ltok, "logout form has no csrf value")

    # logout without the token: refused, still logged in
    r = c.post_form("/logout", {})
    check(r.status == 403, "POST /logout without csrf: expected 403, got %s" % r.short())
    r = c.get("/api/v1/me")
    check(r.status == 200, "still logged in after a refused logout: %s" % r.short())

    old = dict(c.cookies)
    r = c.post_form("/logout", {"csrf": ltok})
    check(r.status == 303, "POST /logout: expected 303, got %s" % r.short())
    r = c.get("/me")
    check(r.status == 303 and r.location_path() == "/login", "GET /me after logout: %s" % r.short())
    replay = Client()
    replay.cookies = old
    api_error(replay.get("/api/v1/me"), 401, "unauthorized", "old session cookie after HTML logout")


@test
def html_register_errors_rerender():
    ident = identity("htmlerr")
    bad = dict(ident, id_number=bad_checksum(ident["id_number"]), phone="12345")
    c = Client()
    tok = c.csrf_from("/register")
    r = c.post_form("/register", dict(bad, csrf=tok))
    page = _html_ok(r, 422, "POST /register with bad ID and phone")
    errs = page.class_text.get("field-error") or []
    nonempty = [e for e in errs if e.strip()]
    check(len(nonempty) >= 2, "expected >= 2 non-empty .field-error elements, got %r" % errs)
    for e in nonempty:
        check(has_cjk(e), ".field-error text not zh-CN: %r" % e)
    near = page.fields_with_errors()
    for f in ("id_number", "phone"):
        check(f in near, "no .field-error next to the %s input (errors by nearest field: %r)" % (f, near))
    for f in ("name", "email", "employer"):
        check(f not in near, "a .field-error next to the valid field %s: %r" % (f, near.get(f)))
    form = page.form_with_action("/register")
    check(form is not None, "422 page has no register form")
    vals = {i.get("name"): i.get("value") for i in form["inputs"]}
    for f in ("name", "email", "employer", "phone", "id_number"):
        check(vals.get(f) == bad[f], "re-rendered form lost the entered %s: %r, expected %r" % (f, vals.get(f), bad[f]))
    check(not vals.get("password"), "re-rendered form must not keep the password (value %r)" % vals.get("password"))
    check(bad["password"] not in r.text, "the 422 page contains the password")
    check(vals.get("csrf"), "re-rendered form has no csrf token")

    # nothing stored: the corrected form goes through
    r = c.post_form("/register", dict(ident, csrf=vals["csrf"]))
    check(r.status == 303, "corrected POST /register after 422: %s" % r.short())


@test
def html_login_wrong_password():
    ident = identity("htmllogin")
    register(Client(), ident)
    c = Client()
    tok = c.csrf_from("/login")
    r = c.post_form("/login", {"login": ident["email"], "password": "definitely-wrong", "csrf": tok})
    page = _html_ok(r, 401, "POST /login with a wrong password")
    errs = [e for e in page.class_text.get("form-error") or [] if e.strip()]
    check(errs and has_cjk(errs[0]), "no zh-CN .form-error on the 401 login page (%r)" % errs)
    check("tm_session" not in c.cookies, "a failed HTML login set a session cookie")
    check(page.form_with_action("/login") is not None, "401 login page has no login form")
    check("definitely-wrong" not in r.text, "the 401 login page echoes the password")


@test
def html_forms_need_csrf():
    ident = identity("htmlcsrf")
    c = Client()
    tok = c.csrf_from("/register")
    r = c.post_form("/register", ident)
    check(r.status == 403, "POST /register without csrf: expected 403, got %s" % r.short())
    r = c.post_form("/register", dict(ident, csrf=tok[::-1]))
    check(r.status == 403, "POST /register with a wrong csrf: expected 403, got %s" % r.short())
    # a cross-site form post arrives with no cookie at all
    r = Client().post_form("/register", dict(ident, csrf=tok))
    check(r.status == 403, "POST /register with a token but no cookie: expected 403, got %s" % r.short())
    r = c.post_form("/login", {"login": ident["email"], "password": ident["password"]})
    check(r.status == 403, "POST /login without csrf: expected 403, got %s" % r.short())
    # nothing was stored by the refused posts
    r = c.post_form("/register", dict(ident, csrf=tok))
    check(r.status == 303, "POST /register with the right token after refusals: %s" % r.short())
    login(Client(), ident["email"], ident["password"])
