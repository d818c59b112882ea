"""An independent Python copy of the certificate link format (certs/README.md
"Signed payload", "The QR link", "Token"), so the tests can build links the
server never issued: a genuine key used outside its window, a revision the
registry does not hold, a key the node never published.

Ed25519 comes from libsodium through ctypes (libsodium is a runtime
dependency of tmcred, so it is always there); the `cryptography` package is
used instead if libsodium cannot be loaded.  available() says whether either
works; the tests that need signing skip with that reason otherwise.
"""

import base64
import ctypes
import ctypes.util
import datetime
import hashlib

EPOCH = datetime.date(2000, 1, 1)
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*"
HOLDER_PREFIX = b"tmcred-holder-v1\x00"
LEVEL_LETTER = {"junior": "J", "intermediate": "I", "senior": "S"}

_sodium = []
_why = []


def _load():
    if _sodium or _why:
        return
    name = ctypes.util.find_library("sodium") or "libsodium.so.23"
    try:
        lib = ctypes.CDLL(name)
        if lib.sodium_init() < 0:
            raise OSError("sodium_init failed")
        _sodium.append(lib)
        return
    except OSError as e:
        why = "libsodium not loadable (%s)" % e
    try:
        import cryptography.hazmat.primitives.asymmetric.ed25519  # noqa: F401
        _sodium.append(None)     # marker: use cryptography
    except ImportError:
        _why.append(why + " and no python3 `cryptography`")


def available():
    """(True, "") or (False, reason)."""
    _load()
    return (True, "") if _sodium else (False, _why[0])


def public_key(seed):
    _load()
    lib = _sodium[0]
    if lib is None:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        k = Ed25519PrivateKey.from_private_bytes(seed).public_key()
        return k.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    pk = ctypes.create_string_buffer(32)
    sk = ctypes.create_string_buffer(64)
    lib.crypto_sign_seed_keypair(pk, sk, seed)
    return pk.raw


def sign(seed, msg):
    _load()
    lib = _sodium[0]
    if lib is None:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        return Ed25519PrivateKey.from_private_bytes(seed).sign(msg)
    pk = ctypes.create_string_buffer(32)
    sk = ctypes.create_string_buffer(64)
    sig = ctypes.create_string_buffer(64)
    lib.crypto_sign_seed_keypair(pk, sk, seed)
    rc = lib.crypto_sign_detached(sig, None, msg, ctypes.c_ulonglong(len(msg)), sk)
    if rc != 0:
        raise RuntimeError("crypto_sign_detached failed")
    return sig.raw


# ------------------------------------------------------------------ formats


def check_char(body):
    """ISO 7064 MOD 37-2 over node+year+level+seq (README "Check character")."""
    p = 0
    for c in body:
        p = ((p + ALPHABET.index(c)) * 2) % 37
    return ALPHABET[(38 - p) % 37]


def make_serial(node, year, letter, seq):
    body = "%s%04d%s%06d" % (node, year, letter, seq)
    return "TM-%s-%04d-%s-%06d-%s" % (node, year, letter, seq, check_char(body))


def holder_hash(name):
    return hashlib.blake2b(HOLDER_PREFIX + name.encode("utf-8"), digest_size=32).digest()


def payload(serial, rev, letter, holder, issued, expires, key_id):
    return ("tmcred-cert-v1\nserial=%s\nrev=%d\nlevel=%s\nholder=%s\nissued=%s\nexpires=%s\nkey=%s\n"
            % (serial, rev, letter, holder.hex(), issued.isoformat(), expires.isoformat(),
               key_id)).encode("ascii")


def b32(data):
    return base64.b32encode(data).decode("ascii").rstrip("=")


def token(rev, holder, issued, expires, sig, key_id):
    raw = (bytes([1, rev]) + (issued - EPOCH).days.to_bytes(2, "big")
           + (expires - EPOCH).days.to_bytes(2, "big") + holder + sig + key_id.encode("ascii"))
    return b32(raw)


def decode_token(tok):
    raw = base64.b32decode(tok.upper() + "=" * (-len(tok) % 8))
    return {"version": raw[0], "rev": raw[1],
            "issued": EPOCH + datetime.timedelta(days=int.from_bytes(raw[2:4], "big")),
            "expires": EPOCH + datetime.timedelta(days=int.from_bytes(raw[4:6], "big")),
            "holder": raw[6:38], "sig": raw[38:102], "key_id": raw[102:].decode("ascii")}


def link_path(seed, serial, rev, holder_name, issued, expires, key_id, holder=None):
    """The path /V/<serial>/<token> of a link signed with this seed."""
    h = holder if holder is not None else holder_hash(holder_name)
    letter = serial.split("-")[3]
    sig = sign(seed, payload(serial, rev, letter, h, issued, expires, key_id))
    return "/V/%s/%s" % (serial, token(rev, h, issued, expires, sig, key_id))
