"""Raw RFC 5322 bytes -> the fields borgerdesk stores. Never raises.

Design, because this is the hot path of a first sync:
- The MIME structure and transfer decoding come from fast-mail-parser (a maintained Rust
  parser, Apache-2.0): the stdlib feedparser walks every attachment line by line and
  managed ~700 msg/s here, fast-mail-parser ~12,000. The decisions stay ours: header
  fields are decoded by the code below, text parts by our charset rule. Where
  fast-mail-parser is missing (Windows), raises, or meets a structure it cannot split
  (a multipart with no usable boundary), the stdlib parser does the whole message.
- The stdlib parser runs with the `compat32` policy. `policy.default` is ~4x slower and
  raises from *header access* on some malformed input (e.g. an RFC 2231 `name*` parameter
  with no value), which would turn one bad attachment name into a lost message.
  compat32 is lenient; header values are taken from `raw_items()` and decoded here.
- Every step is guarded: whatever fails, the caller still gets a `Parsed` with what could
  be read and `parse_error` set. The raw bytes are stored by the caller regardless.
- Charsets: the declared one, then UTF-8, then cp1252 (Danish mail from old Windows
  clients often says nothing or lies).
- HTML-only mail is turned into text with inscriptis (Apache-2.0; html2text is GPL).
- `parse_batch` is plain data in, plain data out (a large folder is parsed in its fetch process).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import email
import email.parser
import hashlib
import json
import re
from dataclasses import dataclass, field
from email.message import Message
from email.policy import compat32
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from store.addresses import normalise_email

MAX_TEXT_CHARS = 1_000_000
# A header value is read up to this many characters and this many RFC 2047 encoded words
# (an ordinary subject has a handful); beyond them the message is kept and flagged.
MAX_HEADER_CHARS = 100_000
MAX_ENCODED_WORDS = 2_000
MAX_DEPTH = 20
# Headers the reply rules and triage read (kept as JSON in EmailMessage.headers).
KEPT_HEADERS = (
    "auto-submitted",
    "precedence",
    "x-autoreply",
    "x-autorespond",
    "return-path",
    "list-id",
    "list-unsubscribe",
    "reply-to",
    "x-auto-response-suppress",
    "x-ms-exchange-generated-message-source",
    "importance",
    "content-language",
)
AUTO_PRECEDENCE = frozenset({"bulk", "list", "junk"})

_FOLD = re.compile(r"\r?\n[ \t]+")
_WS = re.compile(r"\s+")


@dataclass(slots=True)
class Parsed:
    """What the store needs from one message. Plain data: crosses process boundaries."""

    content_hash: str
    header_hash: str
    raw_size: int
    message_id: str | None = None
    subject: str | None = None
    from_addr: str | None = None
    to_addrs: list[str] = field(default_factory=list)
    cc_addrs: list[str] = field(default_factory=list)
    bcc_addrs: list[str] = field(default_factory=list)
    sent_at: dt.datetime | None = None
    in_reply_to: str | None = None
    references: str | None = None
    text: str | None = None
    attachments: list[dict[str, Any]] = field(default_factory=list)
    is_auto: bool = False
    headers: dict[str, Any] = field(default_factory=dict)
    parse_error: str | None = None


# --------------------------------------------------------------------------- hashing


def header_block(raw: bytes) -> bytes:
    """The header section of a message (what BODY[HEADER] returns, give or take the
    final blank line)."""
    for sep in (b"\r\n\r\n", b"\n\n"):
        i = raw.find(sep)
        if i >= 0:
            return raw[: i + len(sep)]
    return raw


def header_hash(header: bytes) -> str:
    """A hash of the header section that ignores line-ending style and trailing blank
    lines, so the server's BODY[HEADER] and our own split of BODY[] agree."""
    norm = header.replace(b"\r\n", b"\n").rstrip(b"\n \t")
    return hashlib.sha256(norm).hexdigest()


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


# --------------------------------------------------------------------------- decoding


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Declared charset, then UTF-8, then cp1252 (which never fails with 'replace')."""
    if declared:
        cs = declared.strip().strip('"').lower()
        if cs and cs not in ("unknown-8bit", "x-unknown", "us-ascii", "ascii"):
            try:
                return data.decode(cs)
            except (LookupError, UnicodeDecodeError, ValueError):
                pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _unescape_8bit(value: str) -> str:
    """compat32 keeps 8-bit header bytes as surrogate escapes; decode them properly."""
    try:
        value.encode("ascii")
        return value
    except UnicodeEncodeError:
        pass
    try:
        data = value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return value
    return decode_bytes(data)


def decode_header_value(value: Any, problems: list[str] | None = None, name: str = "header") -> str:
    """RFC 2047 encoded words, 8-bit bytes and folding -> one line of text, in time linear
    in the value (the stdlib's decode_header joins adjacent words by re-copying: a 3 MB
    subject of encoded words took a minute). Bounded: at most MAX_HEADER_CHARS of the
    value and MAX_ENCODED_WORDS encoded words are decoded, the rest is left out of the
    field (the raw message keeps it) and a line saying so goes to `problems`."""
    text = str(value)
    if len(text) > MAX_HEADER_CHARS:
        text = text[:MAX_HEADER_CHARS]
        _note(
            problems,
            f"headers: {name} is longer than {MAX_HEADER_CHARS:,} characters; "
            "only its start is read (the raw message keeps all of it)",
        )
    text = _unescape_8bit(_FOLD.sub(" ", text))
    if "=?" not in text:
        return text.strip()
    out: list[str] = []
    run: list[bytes] = []  # adjacent words of one charset: a character may span two
    run_charset = ""
    pos = 0
    cut = False
    for count, m in enumerate(_EWORD.finditer(text)):
        if count == MAX_ENCODED_WORDS:
            _note(
                problems,
                f"headers: {name} holds more than {MAX_ENCODED_WORDS:,} encoded "
                "words; only the first are read (the raw message keeps all)",
            )
            cut = True
            break
        between = text[pos : m.start()]
        charset = m.group(1).split("*", 1)[0].lower()
        if between.strip(" \t") or charset != run_charset or not run:
            if run:
                out.append(decode_bytes(b"".join(run), run_charset))
                run = []
            if between.strip(" \t") or not out:
                out.append(between)
        run_charset = charset
        run.append(_word_bytes(m.group(2), m.group(3)))
        pos = m.end()
    if run:
        out.append(decode_bytes(b"".join(run), run_charset))
    if not cut:
        out.append(text[pos:])
    return "".join(out).strip()


_EWORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")


def _word_bytes(encoding: str, data: str) -> bytes:
    """One encoded word's bytes (B: base64, padding forgiven; Q: quoted-printable with _
    for space). What cannot be decoded is kept as written."""
    try:
        if encoding in "bB":
            raw = data.encode("ascii")
            return base64.b64decode(raw + b"=" * (-len(raw) % 4))
        return binascii.a2b_qp(data.replace("_", " ").encode("ascii"))
    except (ValueError, binascii.Error, UnicodeEncodeError):
        return data.encode("utf-8", "surrogateescape")


def _note(problems: list[str] | None, line: str) -> None:
    if problems is not None and line not in problems:
        problems.append(line)


def _clean(text: str) -> str:
    # NUL cannot be stored in PostgreSQL text, and a lone surrogate (an undecodable byte
    # smuggled through surrogateescape) cannot be encoded for any database: either would
    # make the whole batch fail on every retry. Other control characters are kept (the
    # UI shows untrusted text as plain text anyway).
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text.replace("\x00", "\ufffd")


def _sanitise(p: Parsed) -> None:
    """Every text field storable, whatever the input was."""
    for name in (
        "message_id",
        "subject",
        "from_addr",
        "in_reply_to",
        "references",
        "text",
        "parse_error",
    ):
        value = getattr(p, name)
        if isinstance(value, str):
            setattr(p, name, _clean(value))
    for name in ("to_addrs", "cc_addrs", "bcc_addrs"):
        setattr(p, name, [_clean(a) for a in getattr(p, name)])
    p.headers = {
        k: ([_clean(x) for x in v] if isinstance(v, list) else _clean(str(v)))
        for k, v in p.headers.items()
    }
    for a in p.attachments:
        if isinstance(a.get("filename"), str):
            a["filename"] = _clean(a["filename"])


def html_to_text(html: str) -> str:
    from inscriptis import get_text

    # lxml refuses str input with an XML encoding declaration.
    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
    if not html.strip():
        return ""
    try:
        return str(get_text(html)).strip()
    except Exception:
        # Last resort: strip tags crudely rather than lose the text.
        return _WS.sub(" ", re.sub(r"<[^>]+>", " ", html)).strip()


# --------------------------------------------------------------------------- headers


class _Headers:
    """Case-insensitive access to raw header values (of a parsed message, or the pairs
    `_raw_headers` read)."""

    def __init__(self, msg: Message | list[tuple[str, str]]) -> None:
        self.problems: list[str] = []
        self.values: dict[str, list[str]] = {}
        for name, value in msg if isinstance(msg, list) else msg.raw_items():
            key = _unescape_8bit(str(name)).strip().lower()
            self.values.setdefault(key, []).append(str(value))

    def first(self, name: str) -> str | None:
        v = self.values.get(name)
        return decode_header_value(v[0], self.problems, name.title()) if v else None

    def all(self, name: str) -> list[str]:
        return [
            decode_header_value(v, self.problems, name.title()) for v in self.values.get(name, [])
        ]

    def has(self, name: str) -> bool:
        return name in self.values


# One address as most mail writes it: `Name <local@domain>`, `"Name" <local@domain>` or
# a bare `local@domain`, with nothing in the name that getaddresses reads specially.
_SIMPLE_ADDRESS = re.compile(
    r'[ \t]*(?:(?:"[^"\\\r\n]*"|[^"<>()\[\]\\,;:@.\x00-\x1f]*)[ \t]*'
    r"<([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)>"
    r"|([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*))[ \t]*"
)


def _simple_addresses(values: list[str]) -> list[str] | None:
    """The addresses `getaddresses` finds in `values`, when each comma-separated piece is
    a simple address (the stdlib's RFC 822 parser reads a character at a time: ~20 % of
    a message's parse); None when any piece is not (the stdlib reads those)."""
    out: list[str] = []
    for value in values:
        if '"' in value and "," in value:
            return None  # a comma may be inside the quotes
        for piece in value.split(","):
            if not piece.strip(" \t"):
                continue  # getaddresses gives ("", "") for an empty piece
            m = _SIMPLE_ADDRESS.fullmatch(piece)
            if m is None:
                return None
            out.append(m.group(1) or m.group(2))
    return out


def _addresses(values: list[str]) -> list[str]:
    out: list[str] = []
    simple = _simple_addresses(values)
    if simple is not None:
        pairs = [("", a) for a in simple]
    else:
        try:
            pairs = getaddresses(values)
        except Exception:
            pairs = []
    for _name, addr in pairs:
        norm = normalise_email(addr) if addr else None
        if norm and norm not in out:
            out.append(norm[:320])
    return out


# The year of an RFC 5322 date: after the day and the month name.
_YEAR = re.compile(r"\b\d{1,2}\s+[A-Za-z]{3,}\s+(\d+)\b")


def _date(value: str | None) -> tuple[dt.datetime | None, str | None]:
    """The Date header in UTC, or None with why when it is there but cannot be right.
    The stdlib maps any year below 100 to 19xx/20xx, as RFC 5322 does for two-digit
    years only: "1 Jan 0001" would become 2001. A year written with three digits or more
    is taken as written (three: 1900 + it, as the RFC says), and one outside 1980-2100
    is no date at all: the caller falls back to the server's INTERNALDATE."""
    if not value:
        return None, None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        when = None
    problem = (
        f"date: the Date header {value[:80]!r} cannot be read or cannot be right; "
        "the server's arrival time is used"
    )
    if when is None:
        return None, problem
    m = _YEAR.search(value)
    if m is not None and len(m.group(1)) >= 3:
        written = int(m.group(1)) + (1900 if len(m.group(1)) == 3 else 0)
        if written != when.year:
            return None, problem
    if when.tzinfo is None:  # "-0000": zone unknown; RFC 5322 says treat as UTC
        when = when.replace(tzinfo=dt.UTC)
    if not (1980 <= when.year <= 2100):
        return None, problem
    return when.astimezone(dt.UTC), None


def _msgid(value: str | None) -> str | None:
    if not value:
        return None
    v = value.strip()
    m = re.search(r"<[^<>\s]+>", v)
    return (m.group(0) if m else v.split()[0] if v.split() else None) if v else None


def is_auto_generated(h: _Headers) -> bool:
    auto = (h.first("auto-submitted") or "").split(";")[0].strip().lower()
    if auto and auto != "no":
        return True
    if (h.first("precedence") or "").strip().lower() in AUTO_PRECEDENCE:
        return True
    if h.has("x-autoreply") or h.has("x-autorespond"):
        return True
    rp = h.first("return-path")
    return rp is not None and rp.replace(" ", "") == "<>"


# A header field's first line as compat32's feedparser reads it: a name of printable
# characters other than the colon, then the colon.
_FIELD_NAME = re.compile(r"[\x21-\x39\x3b-\x7e]+:")


def _raw_headers(block: bytes) -> list[tuple[str, str]] | None:
    """The (name, value) pairs compat32's BytesHeaderParser gives for `block`, read
    directly when the header section is ordinary (the feedparser was ~20 % of a
    message's parse): lines ending in CRLF or LF, each a field or a continuation of one,
    up to the first empty line. None for anything else (a bare CR, a first line that is
    a continuation, an mbox "From " line, a line that is not a field): the stdlib reads
    those, defects and all. tests/ingest/mail/test_parse.py compares the two."""
    text = block.decode("ascii", "surrogateescape")
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return None
    # Split at LF: a CRLF line keeps its CR, and joining a field's lines with LF again
    # gives compat32's value (its lines with their line ends) before the final rstrip.
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # what followed the last line end: nothing
    out: list[tuple[str, str]] = []
    name = ""
    value: list[str] = []
    for line in lines:
        if line == "" or line == "\r":
            break  # the blank line that ends the header section
        if line[0] in " \t":
            if not name:
                return None
            value.append(line)
            continue
        m = _FIELD_NAME.match(line)
        if m is None or line.startswith("From "):
            return None
        if name:
            out.append((name, "\n".join(value).rstrip("\r\n")))
        name = line[: m.end() - 1]
        value = [line[m.end() :].lstrip(" \t")]
    if name:
        out.append((name, "\n".join(value).rstrip("\r\n")))
    return out


def _apply_headers(p: Parsed, h: _Headers) -> None:
    p.message_id = _msgid(h.first("message-id")) or None
    if p.message_id:
        p.message_id = p.message_id[:998]
    subject = h.first("subject")
    p.subject = _clean(subject) if subject is not None else None
    froms = _addresses(h.all("from"))
    if not froms:
        froms = _addresses(h.all("sender"))
    p.from_addr = froms[0] if froms else None
    p.to_addrs = _addresses(h.all("to"))
    p.cc_addrs = _addresses(h.all("cc"))
    p.bcc_addrs = _addresses(h.all("bcc"))
    p.sent_at, date_problem = _date(h.first("date"))
    irt = h.first("in-reply-to")
    p.in_reply_to = (_msgid(irt) or None) if irt else None
    if p.in_reply_to:
        p.in_reply_to = p.in_reply_to[:998]
    refs = h.first("references")
    p.references = " ".join(re.findall(r"<[^<>\s]+>", refs)) or None if refs else None
    p.is_auto = is_auto_generated(h)
    kept = {}
    for name in KEPT_HEADERS:
        v = h.first(name)
        if v is not None:
            kept[name] = _clean(v)[:2000]
    p.headers = kept
    for problem in ([date_problem] if date_problem else []) + h.problems:
        _flag(p, problem)


# --------------------------------------------------------------------------- body


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if payload is None:
        payload = b""
    if not isinstance(payload, bytes):
        payload = str(payload).encode("utf-8", "surrogateescape")
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = None
    return decode_bytes(payload, charset).replace("\r\n", "\n")


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:
        # Malformed RFC 2231 parameters (e.g. `name*` with no value).
        return "(unreadable name)"
    if not name:
        return None
    return _clean(decode_header_value(name))[:500] or None


def _approx_size(part: Message) -> int:
    """The decoded size, estimated from the encoded one (decoding attachments only to
    measure them would cost more than the rest of the parse)."""
    payload = part.get_payload()
    if isinstance(payload, list):
        try:
            return sum(len(m.as_bytes()) for m in payload if isinstance(m, Message))
        except Exception:
            return 0
    if not isinstance(payload, str):
        return 0
    cte = str(part.get("content-transfer-encoding", "")).strip().lower()
    return len(payload) * 3 // 4 if cte == "base64" else len(payload)


class _Walker:
    def __init__(self) -> None:
        self.plain: list[str] = []
        self.html: list[str] = []
        self.nested_plain: list[str] = []
        self.attachments: list[dict[str, Any]] = []

    def walk(self, part: Message, depth: int = 0, nested: bool = False) -> None:
        if depth > MAX_DEPTH:
            return
        try:
            ctype = part.get_content_type()
        except Exception:
            ctype = "text/plain"
        if part.is_multipart() and ctype != "message/rfc822":
            payload = part.get_payload()
            for sub in payload if isinstance(payload, list) else []:
                if isinstance(sub, Message):
                    self.walk(sub, depth + 1, nested)
            return
        if ctype == "message/rfc822":
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            subject = None
            if isinstance(inner, Message):
                subject = _Headers(inner).first("subject")
                sub = _Walker()
                sub.walk(inner, depth + 1, True)
                self.nested_plain.extend(sub.plain or [html_to_text(x) for x in sub.html])
            self.attachments.append(
                {
                    "filename": _filename(part) or (f"{subject}.eml" if subject else "message.eml"),
                    "content_type": ctype,
                    "size": _approx_size(part),
                }
            )
            return
        try:
            disposition = part.get_content_disposition()
        except Exception:
            disposition = None
        filename = _filename(part)
        if ctype.startswith("multipart/"):
            # Declared multipart but no usable boundary: the body is the text.
            ctype = "text/plain"
        if disposition == "attachment" or filename or not ctype.startswith("text/"):
            self.attachments.append(
                {
                    "filename": filename,
                    "content_type": ctype,
                    "size": _approx_size(part),
                }
            )
            return
        if ctype == "text/html":
            self.html.append(_part_text(part))
        elif ctype in ("text/plain", "text/enriched") or ctype.startswith("text/"):
            self.plain.append(_part_text(part))


def _body_text(msg: Message, p: Parsed) -> None:
    w = _Walker()
    w.walk(msg)
    _finish_text(w, p)


def _finish_text(w: _Walker, p: Parsed) -> None:
    if w.plain:
        text = "\n\n".join(t.strip("\n") for t in w.plain)
    elif w.html:
        text = "\n\n".join(html_to_text(h) for h in w.html)
    elif w.nested_plain:
        text = "\n\n".join(w.nested_plain)
    else:
        text = ""
    text = _clean(text)
    if len(text) > MAX_TEXT_CHARS:
        text = text[:MAX_TEXT_CHARS] + "\n[… text cut here; the full message is kept raw]"
    p.text = text
    p.attachments = w.attachments


# --------------------------------------------------------------------------- fast path

try:  # not built for Windows; the stdlib path serves alone there
    import fast_mail_parser as _fmp
except ImportError:  # pragma: no cover
    _fmp = None  # type: ignore[assignment]

_CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';\s]+)""", re.IGNORECASE)


class _Fallback(Exception):
    """The fast path cannot be trusted with this message: use the stdlib."""


def _node_header(node: Any, name: str) -> str | None:
    for key, values in node.headers.items():
        if key.lower() == name and values:
            return str(values[0])
    return None


def _fast_body(raw: bytes, p: Parsed) -> None:
    """Text and attachments from fast-mail-parser's MIME tree, with our rules."""
    # An encoded word starts with "=?": a message shorter than twice the limit's bytes
    # cannot hold more (the count reads the whole message: ~10 % of a parse).
    if _fmp is None or (
        len(raw) > 4 * MAX_ENCODED_WORDS and raw.count(b"=?") > 2 * MAX_ENCODED_WORDS
    ):
        # fast-mail-parser decodes every header's encoded words in quadratic time (50,000
        # words: 7 s); the stdlib parser leaves them to decode_header_value, which is
        # linear and bounded.
        raise _Fallback()
    try:
        # Lazy: attachment bytes are never decoded, only the text parts are.
        tree = _fmp.parse_email_tree(raw, mode="lazy")
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:
        # Its ParseError family, or a Rust panic (pyo3 raises those as BaseException):
        # the stdlib decides instead.
        raise _Fallback() from e
    w = _Walker()

    def visit(node: Any, depth: int, out: _Walker) -> None:
        if depth > MAX_DEPTH:
            return
        ctype = (node.content_type or "text/plain").lower()
        children = node.children or []
        if node.is_message:
            inner = children[0] if children else None
            subject = None
            if inner is not None:
                raw_subject = _node_header(inner, "subject")
                subject = decode_header_value(raw_subject) if raw_subject else None
                sub = _Walker()
                visit(inner, depth + 1, sub)
                out.nested_plain.extend(sub.plain or [html_to_text(x) for x in sub.html])
            out.attachments.append(
                {
                    "filename": _clean(node.filename)[:500]
                    if node.filename
                    else (f"{subject}.eml" if subject else "message.eml"),
                    "content_type": "message/rfc822",
                    "size": int(node.encoded_size or 0),
                }
            )
            return
        if ctype.startswith("multipart/"):
            if not children:
                raise _Fallback()  # no usable boundary: the stdlib keeps the body as text
            for child in children:
                visit(child, depth + 1, out)
            return
        filename = _clean(node.filename)[:500] if node.filename else None
        disposition = (node.disposition or "").lower()
        if disposition == "attachment" or filename or not ctype.startswith("text/"):
            cte = (_node_header(node, "content-transfer-encoding") or "").strip().lower()
            size = int(node.encoded_size or 0)
            out.attachments.append(
                {
                    "filename": filename,
                    "content_type": ctype,
                    "size": size * 3 // 4 if cte == "base64" else size,
                }
            )
            return
        content = node.content or b""
        m = _CHARSET.search(_node_header(node, "content-type") or "")
        text = decode_bytes(content, m.group(1) if m else None).replace("\r\n", "\n")
        (out.html if ctype == "text/html" else out.plain).append(text)

    try:
        visit(tree, 0, w)
    except (_Fallback, KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # lazy decoding raises on first access (bad base64 ...)
        raise _Fallback() from e
    _finish_text(w, p)


# --------------------------------------------------------------------------- entry points


def parse_message(raw: bytes, *, headers_only: bool = False, fast: bool = True) -> Parsed:
    """Parse one message. With `headers_only`, `raw` is just the header section (a
    message too large to fetch, or one deleted before its body could be fetched). With
    `fast=False` the stdlib parser does it all (the fallback when a fetch process died)."""
    p = Parsed(
        content_hash=content_hash(raw),
        header_hash=header_hash(header_block(raw)),
        raw_size=len(raw),
    )
    stage = "headers"
    try:
        block = header_block(raw)
        fields = _raw_headers(block)
        _apply_headers(
            p,
            _Headers(
                fields
                if fields is not None
                else email.parser.BytesHeaderParser(policy=compat32).parsebytes(block)
            ),
        )
        if headers_only:
            _sanitise(p)
            return p
        stage = "body"
        if fast:
            try:
                _fast_body(raw, p)
                _sanitise(p)
                return p
            except _Fallback:
                pass
        msg = email.message_from_bytes(raw, policy=compat32)
        _body_text(msg, p)
        defects = sorted({type(d).__name__ for part in _safe_walk(msg) for d in part.defects})
        if defects:
            p.headers["defects"] = defects
    except RecursionError:
        _flag(p, f"{stage}: MIME structure nested too deeply")
    except Exception as e:  # never let one message stop a sync
        _flag(p, f"{stage}: {type(e).__name__}: {str(e)[:300]}")
    _sanitise(p)
    return p


def _flag(p: Parsed, problem: str) -> None:
    """Add a problem to the message's flag (a header problem may be there already)."""
    p.parse_error = f"{p.parse_error}; {problem}" if p.parse_error else problem


def _safe_walk(msg: Message) -> list[Message]:
    out: list[Message] = []
    stack: list[tuple[Message, int]] = [(msg, 0)]
    while stack:
        m, d = stack.pop()
        out.append(m)
        if d < MAX_DEPTH and m.is_multipart():
            payload = m.get_payload()
            if isinstance(payload, list):
                stack.extend((s, d + 1) for s in payload if isinstance(s, Message))
    return out


def parse_batch(items: list[tuple[bytes, bool]], *, fast: bool = True) -> list[Parsed]:
    """Parse many messages (a large folder's in its fetch process: `ingest.mail.fetch_process`)."""
    return [parse_message(raw, headers_only=ho, fast=fast) for raw, ho in items]


def attachments_json(p: Parsed) -> str | None:
    return json.dumps(p.attachments, ensure_ascii=False) if p.attachments else None
