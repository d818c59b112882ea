"""Helpers for the tmcred integration tests (Python 3 standard library only).

Everything here talks to the real stack over HTTP at $TMCRED_URL.  Every
network call has a timeout and every wait loop has a deadline.
"""

import datetime
import html
import html.parser
import http.client
import json
import os
import random
import re
import socket
import ssl
import time
import urllib.parse

BASE_URL = os.environ.get("TMCRED_URL", "http://127.0.0.1:18080/").rstrip("/")
_u = urllib.parse.urlsplit(BASE_URL)
HOST = _u.hostname or "127.0.0.1"
PORT = _u.port or 80
HOST_HEADER = _u.netloc
STACK = os.environ.get("TMCRED_STACK", "")
# The same site over TLS (scripts/stack: self-signed for 127.0.0.1, DIR/tls_port).
_tls = urllib.parse.urlsplit(os.environ.get("TMCRED_TLS_URL", ""))
TLS_PORT = _tls.port
if TLS_PORT is None and STACK and os.path.exists(os.path.join(STACK, "tls_port")):
    with open(os.path.join(STACK, "tls_port")) as _f:
        TLS_PORT = int(_f.read().strip())
TLS_CA = os.path.join(STACK, "nginx", "tls", "cert.pem") if STACK else ""
TOP = os.environ.get("TMCRED_TOP", os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", "..")))

HTTP_TIMEOUT = 15.0

# Every response seen by any client, for the global checks (no clear ID
# number in any body, security headers on every answer).
SEEN = []
# Every ID number registered (or attempted) in this run, for the global
# "no clear ID number anywhere" check.
KNOWN_IDS = set()

_rng = random.SystemRandom()


# nginx limits login POSTs per client address (TMCRED_LOGIN_RATE/BURST in
# scripts/stack); the suite logs in far more often than a person would.
RATE_LIMIT_WAIT = 90.0
RATE_LIMITED = [0]


def _nginx_rate_limited(resp):
    b = resp.body
    return (b"\"rate_limited\"" in b or b"<center>nginx</center>" in b
            or b"429 Too Many Requests" in b) and b"login_throttled" not in b


class TestFailure(AssertionError):
    pass


def check(cond, msg):
    if not cond:
        raise TestFailure(msg)


# ---------------------------------------------------------------- responses


class Response:
    def __init__(self, method, path, status, headers, body, req_note=""):
        self.method = method
        self.path = path
        self.status = status
        self.headers = headers          # list of (name, value), names as sent
        self.body = body                # bytes
        self.note = req_note
        self._json = None

    def header(self, name, default=None):
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return default

    def header_all(self, name):
        name = name.lower()
        return [v for k, v in self.headers if k.lower() == name]

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        if self._json is None:
            try:
                self._json = json.loads(self.body.decode("utf-8"))
            except Exception as e:  # noqa: BLE001
                raise TestFailure("%s %s -> %d: body is not JSON (%s): %r"
                                  % (self.method, self.path, self.status, e,
                                     self.body[:300]))
        return self._json

    def location_path(self):
        """Location header reduced to path?query (it may be absolute)."""
        loc = self.header("Location")
        if loc is None:
            return None
        p = urllib.parse.urlsplit(loc)
        return p.path + (("?" + p.query) if p.query else "")

    def short(self):
        body = self.body[:400].decode("utf-8", "replace")
        return "%s %s -> %d %s" % (self.method, self.path, self.status,
                                   " ".join(body.split()))

    def __repr__(self):
        return "<Response %s>" % self.short()


def _parse_raw_response(method, path, raw):
    """Parse a whole HTTP/1.x response read from a raw socket."""
    head, sep, rest = raw.partition(b"\r\n\r\n")
    if not sep:
        raise TestFailure("%s %s: incomplete HTTP response %r"
                          % (method, path, raw[:200]))
    lines = head.split(b"\r\n")
    m = re.match(rb"HTTP/1\.[01] (\d{3})", lines[0])
    if not m:
        raise TestFailure("%s %s: bad status line %r" % (method, path, lines[0]))
    status = int(m.group(1))
    headers = []
    for ln in lines[1:]:
        k, _, v = ln.partition(b":")
        headers.append((k.decode("latin-1").strip(), v.decode("latin-1").strip()))
    body = rest
    te = [v for k, v in headers if k.lower() == "transfer-encoding"]
    if te and "chunked" in te[0].lower():
        out = b""
        while True:
            szline, _, rest = rest.partition(b"\r\n")
            try:
                sz = int(szline.split(b";")[0], 16)
            except ValueError:
                break
            if sz == 0:
                break
            out += rest[:sz]
            rest = rest[sz + 2:]
        body = out
    else:
        cl = [v for k, v in headers if k.lower() == "content-length"]
        if cl:
            body = rest[:int(cl[0])]
    return Response(method, path, status, headers, body)


# ---------------------------------------------------------------- client


class Client:
    """A tiny HTTP client with a cookie jar.  Redirects are never followed."""

    def __init__(self, name="client", tls=False):
        self.name = name
        self.cookies = {}
        self.tls = tls      # over the stack's TLS listener (TLS_PORT), the CA pinned

    def cookie_header(self):
        if not self.cookies:
            return None
        return "; ".join("%s=%s" % kv for kv in self.cookies.items())

    def _store_cookies(self, resp):
        for sc in resp.header_all("Set-Cookie"):
            first = sc.split(";", 1)[0]
            name, eq, value = first.partition("=")
            if not eq:
                continue
            name = name.strip()
            value = value.strip()
            attrs = sc.lower()
            expired = (value == "" or re.search(r"max-age\s*=\s*0\b", attrs)
                       or re.search(r"expires\s*=\s*thu, 01 jan 1970", attrs))
            if expired:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value

    def request(self, method, path, body=None, headers=None, content_type=None,
                timeout=HTTP_TIMEOUT, cookies=True, record=True):
        """One HTTP request.  nginx's own per-IP rate limit on login POSTs
        (429 rate_limited, not the app's login_throttled) is waited out and
        the request retried, for at most RATE_LIMIT_WAIT seconds."""
        deadline = time.monotonic() + RATE_LIMIT_WAIT
        while True:
            resp = self._request1(method, path, body, headers, content_type,
                                  timeout, cookies)
            if not (resp.status == 429 and _nginx_rate_limited(resp)
                    and time.monotonic() < deadline):
                break
            RATE_LIMITED[0] += 1
            try:
                wait = float(resp.header("Retry-After") or 2)
            except ValueError:
                wait = 2.0
            time.sleep(min(max(wait, 0.5), 5.0))
        self._store_cookies(resp)
        if record:
            SEEN.append(resp)
        return resp

    def _request1(self, method, path, body, headers, content_type, timeout,
                  cookies):
        hdrs = {"Host": HOST_HEADER, "Connection": "close"}
        if content_type is not None:
            hdrs["Content-Type"] = content_type
        if cookies and self.cookies:
            hdrs["Cookie"] = self.cookie_header()
        if headers:
            hdrs.update(headers)
        if isinstance(body, str):
            body = body.encode("utf-8")
        if self.tls:
            if TLS_PORT is None or not os.path.exists(TLS_CA):
                raise TestFailure("no TLS listener known (TMCRED_TLS_URL or TMCRED_STACK)")
            ctx = ssl.create_default_context(cafile=TLS_CA)
            conn = http.client.HTTPSConnection(HOST, TLS_PORT, timeout=timeout, context=ctx)
        else:
            conn = http.client.HTTPConnection(HOST, PORT, timeout=timeout)
        try:
            conn.putrequest(method, path, skip_host=True,
                            skip_accept_encoding=True)
            for k, v in hdrs.items():
                conn.putheader(k, v)
            if body is not None:
                conn.putheader("Content-Length", str(len(body)))
            elif method in ("POST", "PUT", "PATCH"):
                conn.putheader("Content-Length", "0")
            conn.endheaders()
            if body:
                try:
                    conn.send(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # server answered early; try to read its answer
            r = conn.getresponse()
            data = r.read()
            resp = Response(method, path, r.status, r.getheaders(), data)
        except socket.timeout:
            raise TestFailure("%s %s: no answer within %.0f s"
                              % (method, path, timeout))
        except ConnectionRefusedError:
            raise TestFailure("%s %s: connection refused (%s:%d)"
                              % (method, path, HOST, PORT))
        finally:
            conn.close()
        return resp

    def raw_request(self, method, path, body, headers, timeout=HTTP_TIMEOUT,
                    record=True):
        """Send a request over a raw socket; tolerate the server closing
        early (nginx's 413) and still read its answer."""
        hdrs = {"Host": HOST_HEADER, "Connection": "close",
                "Content-Length": str(len(body))}
        if self.cookies:
            hdrs["Cookie"] = self.cookie_header()
        hdrs.update(headers or {})
        head = "%s %s HTTP/1.1\r\n" % (method, path)
        head += "".join("%s: %s\r\n" % kv for kv in hdrs.items()) + "\r\n"
        deadline = time.monotonic() + timeout
        s = socket.create_connection((HOST, PORT), timeout=timeout)
        chunks = []
        try:
            try:
                s.sendall(head.encode("latin-1"))
                view = memoryview(body)
                step = 64 * 1024
                for off in range(0, len(body), step):
                    if time.monotonic() > deadline:
                        break
                    s.sendall(view[off:off + step])
            except (BrokenPipeError, ConnectionResetError):
                pass
            # No shutdown(SHUT_WR) here: nginx takes a half-closed client
            # connection for an aborted request (499) and never answers.
            while time.monotonic() < deadline:
                try:
                    s.settimeout(max(0.1, deadline - time.monotonic()))
                    c = s.recv(65536)
                except ConnectionResetError:
                    break
                except socket.timeout:
                    break
                if not c:
                    break
                chunks.append(c)
        finally:
            s.close()
        raw = b"".join(chunks)
        if not raw:
            raise TestFailure("%s %s: connection closed without an answer"
                              % (method, path))
        resp = _parse_raw_response(method, path, raw)
        self._store_cookies(resp)
        if record:
            SEEN.append(resp)
        return resp

    # convenience
    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post_json(self, path, obj, **kw):
        body = obj if isinstance(obj, (bytes, str)) else json.dumps(
            obj, ensure_ascii=False)
        return self.request("POST", path, body=body,
                            content_type="application/json", **kw)

    def post_form(self, path, fields, **kw):
        body = urllib.parse.urlencode(fields, encoding="utf-8")
        return self.request("POST", path, body=body,
                            content_type="application/x-www-form-urlencoded",
                            **kw)

    def csrf_from(self, path="/register"):
        """GET an HTML form page and return its hidden csrf token."""
        r = self.get(path)
        check(r.status == 200, "GET %s for CSRF token: %s" % (path, r.short()))
        page = parse_html(r.body)
        tok = page.input_value("csrf")
        check(tok, "GET %s: no <input name=\"csrf\"> with a value" % path)
        return tok


# ---------------------------------------------------------------- HTML


class Page(html.parser.HTMLParser):
    """Collects what the tests look at in an HTML page."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input",
            "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.html_lang = None
        self.metas = []
        self.forms = []          # dicts: action, method, inputs [attrs], buttons [attrs]
        self.inputs = []         # all inputs (attrs dicts), incl. textarea/select
        self.buttons = []
        self.by_id = {}          # id -> [text parts]
        self.class_text = {}     # class name -> [texts of each element]
        self.title = ""
        self.events = []         # document order: ["input", name] / ["field-error", text]
        self._open = []          # stack of (tag, id, classes, textbuf)
        self._form = None
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "html":
            self.html_lang = a.get("lang")
        elif tag == "meta":
            self.metas.append(a)
        elif tag == "title":
            self._in_title = True
        elif tag == "form":
            self._form = {"action": a.get("action"),
                          "method": (a.get("method") or "get").lower(),
                          "inputs": [], "buttons": [], "attrs": a}
            self.forms.append(self._form)
        elif tag in ("input", "textarea", "select"):
            a = dict(a)
            a["_tag"] = tag
            self.inputs.append(a)
            if self._form is not None:
                self._form["inputs"].append(a)
        elif tag == "button":
            self.buttons.append(a)
            if self._form is not None:
                self._form["buttons"].append(a)
        classes = (a.get("class") or "").split()
        ev = None
        if (tag in ("input", "textarea", "select") and a.get("name")
                and (a.get("type") or "").lower() not in ("hidden", "submit")):
            self.events.append(["input", a.get("name")])
        if "field-error" in classes:
            ev = ["field-error", ""]
            self.events.append(ev)
        if tag not in self.VOID:
            self._open.append((tag, a.get("id"), classes, [], ev))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID and self._open and self._open[-1][0] == tag:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        if tag == "form":
            self._form = None
        # pop to the matching open tag (tolerates sloppy nesting)
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                while len(self._open) > i:
                    t, eid, classes, buf, ev = self._open.pop()
                    text = "".join(buf)
                    if ev is not None:
                        ev[1] = text
                    if eid:
                        self.by_id.setdefault(eid, []).append(text)
                    for c in classes:
                        self.class_text.setdefault(c, []).append(text)
                    if self._open:
                        self._open[-1][3].append(text)
                break

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if self._open:
            self._open[-1][3].append(data)

    def close(self):
        super().close()
        while self._open:
            self.handle_endtag(self._open[-1][0])

    # queries
    def text_of(self, eid):
        v = self.by_id.get(eid)
        return None if v is None else v[0]

    def input_named(self, name):
        for a in self.inputs:
            if a.get("name") == name:
                return a
        return None

    def input_value(self, name):
        a = self.input_named(name)
        if a is None:
            return None
        return a.get("value")

    def form_with_action(self, action):
        for f in self.forms:
            act = f["action"] or ""
            if urllib.parse.urlsplit(act).path == action:
                return f
        return None

    def fields_with_errors(self):
        """For each .field-error element, the name of the nearest form
        field in document order (ties go to the field before it)."""
        out = {}
        idx_inputs = [(i, e[1]) for i, e in enumerate(self.events) if e[0] == "input"]
        for i, e in enumerate(self.events):
            if e[0] != "field-error" or not idx_inputs:
                continue
            best = min(idx_inputs, key=lambda t: (abs(t[0] - i), t[0] > i))
            out.setdefault(best[1], []).append(e[1])
        return out

    def meta_viewport(self):
        for m in self.metas:
            if (m.get("name") or "").lower() == "viewport":
                return m.get("content")
        return None


def parse_html(body):
    p = Page()
    p.feed(body.decode("utf-8", "replace") if isinstance(body, bytes) else body)
    p.close()
    return p


CJK = re.compile(r"[\u4e00-\u9fff]")


def has_cjk(s):
    return bool(s) and bool(CJK.search(s))


# ---------------------------------------------------------------- ID numbers

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK_CHARS = "10X98765432"
PROVINCES = ([11, 12, 13, 14, 15, 21, 22, 23] + list(range(31, 38))
             + list(range(41, 47)) + list(range(50, 55)) + list(range(61, 66))
             + [71, 81, 82])


def id_check_char(first17):
    s = sum(int(c) * w for c, w in zip(first17, WEIGHTS))
    return CHECK_CHARS[s % 11]


def make_id(prov=None, birth=None, check_char=None):
    """A fresh 18-char ID number with a correct check char.

    prov: 2-digit province int/str (default: random valid one);
    birth: 'YYYYMMDD' string (may be deliberately invalid) or a date;
    check_char: force the check char to be this ('X' to get an X number)."""
    for _ in range(10000):
        p = "%02d" % int(prov) if prov is not None else "%02d" % _rng.choice(PROVINCES)
        addr = p + "%02d%02d" % (_rng.randint(1, 20), _rng.randint(1, 30))
        if birth is None:
            d = datetime.date(1960, 1, 1) + datetime.timedelta(
                days=_rng.randint(0, 40 * 365))
            b = d.strftime("%Y%m%d")
        elif isinstance(birth, datetime.date):
            b = birth.strftime("%Y%m%d")
        else:
            b = birth
        seq = "%03d" % _rng.randint(0, 999)
        first17 = addr + b + seq
        c = id_check_char(first17)
        if check_char is None or c == check_char:
            return first17 + c
    raise RuntimeError("could not make an ID number with check char %r" % check_char)


def bad_checksum(idn):
    good = idn[-1]
    for c in "0123456789X":
        if c != good:
            return idn[:-1] + c
    raise RuntimeError


def mask_id(idn):
    return idn[:4] + "*" * 10 + idn[-4:]


def mask_phone(ph):
    return ph[:3] + "****" + ph[-4:]


# ---------------------------------------------------------------- identities

_SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何林罗高"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华英玲"


def fresh_phone():
    return "1" + _rng.choice("3456789") + "".join(
        _rng.choice("0123456789") for _ in range(9))


def fresh_email(tag="it"):
    return "%s.%d.%06d@example.com" % (tag, int(time.time()), _rng.randint(0, 999999))


def fresh_name():
    return _rng.choice(_SURNAMES) + "".join(
        _rng.choice(_GIVEN) for _ in range(_rng.randint(1, 2)))


def identity(tag="it", **over):
    """A fresh, valid registration payload."""
    d = {
        "name": fresh_name(),
        "id_number": make_id(),
        "phone": fresh_phone(),
        "email": fresh_email(tag),
        "employer": "上海测试科技有限公司",
        "password": "Pw-%08d-测试" % _rng.randint(0, 99999999),
    }
    d.update(over)
    if isinstance(d.get("id_number"), str):
        KNOWN_IDS.add(d["id_number"].upper())
    return d


# ---------------------------------------------------------------- API helpers


def api_error(resp, status, code, what=""):
    """Assert a JSON error answer with this status and error.code."""
    pre = (what + ": ") if what else ""
    check(resp.status == status, "%sexpected %d %s, got %s"
          % (pre, status, code, resp.short()))
    ct = resp.header("Content-Type", "")
    check("application/json" in ct.lower(),
          "%sexpected a JSON error body, Content-Type %r: %s"
          % (pre, ct, resp.short()))
    j = resp.json()
    check(isinstance(j, dict) and isinstance(j.get("error"), dict),
          "%sno {\"error\":{...}} object: %s" % (pre, resp.short()))
    e = j["error"]
    check(e.get("code") == code, "%sexpected error.code %r, got %r (%s)"
          % (pre, code, e.get("code"), resp.short()))
    check(isinstance(e.get("message"), str) and has_cjk(e["message"]),
          "%serror.message should be zh-CN text: %r" % (pre, e.get("message")))
    check(isinstance(e.get("details", []), list),
          "%serror.details should be a list: %r" % (pre, e.get("details")))
    return e


def detail_codes(err):
    return {(d.get("field"), d.get("code")) for d in err.get("details") or []
            if isinstance(d, dict)}


def register(client, ident, expect=201):
    r = client.post_json("/api/v1/trainees", ident)
    if expect is not None:
        check(r.status == expect, "register %s: expected %d, got %s"
              % (ident.get("email"), expect, r.short()))
    return r


def login(client, login_name, password, expect=200):
    r = client.post_json("/api/v1/session", {"login": login_name,
                                             "password": password})
    if expect is not None:
        check(r.status == expect, "login %s: expected %d, got %s"
              % (login_name, expect, r.short()))
    return r


def registered_and_logged_in(tag="it", **over):
    ident = identity(tag, **over)
    c = Client(tag)
    register(c, ident)
    login(c, ident["email"], ident["password"])
    check("tm_session" in c.cookies, "login set no tm_session cookie")
    return c, ident


def assert_nothing_stored(ident, what):
    """After a rejected attempt: the same data still registers (201)."""
    c = Client("verify")
    r = c.post_json("/api/v1/trainees", ident)
    check(r.status == 201, "%s: the rejected attempt seems to have stored "
          "something: registering the same data afterwards gave %s"
          % (what, r.short()))


def wait_until(fn, timeout, interval=0.25):
    """Call fn() until it returns a truthy value or the deadline passes.
    Returns (value, elapsed).  Exceptions from fn count as falsy."""
    start = time.monotonic()
    last = None
    while True:
        try:
            last = fn()
            if last:
                return last, time.monotonic() - start
        except Exception as e:  # noqa: BLE001
            last = e
        if time.monotonic() - start > timeout:
            return None, last
        time.sleep(interval)


def unescape(s):
    return html.unescape(s)
