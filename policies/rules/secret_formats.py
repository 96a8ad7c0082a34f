"""What a plaintext secret looks like: known token formats, random-looking values under
secret-like names, and the encodings user data hides them in (base64, gzip+base64). References
to a secret store (an ARN, a Key Vault reference, a Secret Manager name) are never secrets.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import gzip
import math
import re
import zlib
from collections import Counter
from collections.abc import Iterator

TOKEN_FORMATS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"), "an AWS access key id"),
    (re.compile(r"(?i)aws_?secret_?access_?key['\"]?\s*[=:]\s*['\"]?[A-Za-z0-9/+]{40}\b"), "an AWS secret access key"),
    (re.compile(r"\bLTAI[A-Za-z0-9]{12,24}\b"), "an Alibaba Cloud AccessKey id"),
    (re.compile(r"\"type\"\s*:\s*\"service_account\"[\s\S]{0,400}\"private_key(_id)?\""), "a GCP service-account key"),
    (re.compile(r"\"private_key_id\"\s*:\s*\"[0-9a-f]{40}\""), "a GCP service-account key"),
    (re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b"), "a Google API key"),
    (re.compile(r"(?i)(AccountKey|SharedAccessKey)\s*=\s*[A-Za-z0-9+/]{20,}={0,2}"), "an Azure storage or service key"),
    (re.compile(r"(?i)[?&]sig=[A-Za-z0-9%+/]{20,}"), "an Azure SAS token"),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"), "a GitHub token"),
    (re.compile(r"\bgithub_pat_[A-Za-z0-9_]{40,}\b"), "a GitHub token"),
    (re.compile(r"\bglpat-[A-Za-z0-9_\-]{20,}\b"), "a GitLab token"),
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"), "a Slack token"),
    (re.compile(r"https://hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{16,}"), "a Slack webhook URL"),
    (re.compile(r"\bsk-(proj-|ant-|svcacct-)?[A-Za-z0-9_\-]{32,}"), "an OpenAI-style API key"),
    (re.compile(r"\b(sk|rk)_live_[A-Za-z0-9]{20,}\b"), "a Stripe key"),
    (re.compile(r"\bhf_[A-Za-z0-9]{30,}\b"), "a Hugging Face token"),
    (re.compile(r"\bnpm_[A-Za-z0-9]{36}\b"), "an npm token"),
    (re.compile(r"-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----"), "a private key"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"), "a signed token (JWT)"),
]
"""Formats that are a secret wherever they appear, under any name."""

_URL_PASSWORD = re.compile(r"\b[a-z][a-z0-9+.-]*://(?P<user>[^\s:/@'\"]*):(?P<password>[^\s/@'\"]+)@[^\s/'\"]+", re.I)
_ASSIGNMENT = re.compile(
    r"(?i)\b(?P<name>[A-Z0-9_.-]*(password|passwd|pass|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|"
    r"client[_-]?secret|credential)s?)['\"]?\s*[=:]\s*['\"]?(?P<value>[^\s'\";&]+)"
)
"""`PASSWORD=...`, `Password=...;` (connection strings), `api_key: ...` inside a script or string."""

_STRONG_NAME = re.compile(
    r"(?i)(password|passwd|pass(?=$|[^a-z])|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credential|"
    r"client[_-]?secret|connection[_-]?string|conn[_-]?str|dsn|auth)"
)
_WEAK_NAME = re.compile(r"(?i)(key|sig|signature|cred|pass)")
_REFERENCE_NAME = re.compile(
    r"(?i)[_.-]?(arn|name|id|ids|uri|url|path|file|ref|region|endpoint|ttl|length|expiry|expires|header|type|"
    r"version|enabled|mount|env|location|kind|mode|method|provider|scheme|strategy|policy|scope|algorithm|format|"
    r"level|size|count|limit|max|min|timeout|dir|prefix|suffix|host|port|user|username|issuer|audience|domain)$"
)
"""Names that hold a reference or a setting about a secret (`HF_TOKEN_SECRET_ARN`,
`DB_PASSWORD_FILE`, `TOKEN_TTL`): judged by what the value is, not by the name."""

_STORE_REFERENCE = re.compile(
    r"(?i)(arn:aws[a-z-]*:(secretsmanager|ssm|kms):[^\s'\"]+"
    r"|@Microsoft\.KeyVault\([^)]*\)"
    r"|https://[a-z0-9-]+\.vault\.azure\.net/(secrets|keys|certificates)/[^\s'\"]*"
    r"|\bprojects/[^/\s]+/secrets/[^\s'\"]+"
    r"|\bsm://[^\s'\"]+"
    r"|acs:kms:[^\s'\"]+"
    r"|\{\{resolve:(secretsmanager|ssm-secure|ssm):[^}]*\}\})"
)
"""References to a secret store: never a secret, wherever they appear."""
_PLACEHOLDER = re.compile(r"^(\$.*|\{\{.*|<[^>]*>?|%\(.*|\*+|x+|\.\.\.|redacted|placeholder)$", re.I)
"""Filled in at run time (`${DB_PASSWORD}`, `$(cat /run/secrets/db)`, `{{ .Values.x }}`,
`<password>`) or visibly not a value (`****`)."""
_SETTING = re.compile(r"^(true|false|yes|no|on|off|none|null|enabled|disabled|required|optional|\d+[smhd]?)$", re.I)


def is_reference(value: str) -> bool:
    """A value that points at a secret instead of holding one: a secret-store reference, an ARN,
    a placeholder filled in at run time."""
    text = value.strip()
    return bool(
        _STORE_REFERENCE.fullmatch(text) or text.lower().startswith(("arn:", "acs:")) or _PLACEHOLDER.match(text)
    )


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    if not value:
        return 0.0
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


_TOKEN_CHARS = re.compile(r"^[A-Za-z0-9+/=_\-]+$")
_HEX_OR_UUID = re.compile(r"^([0-9a-f]+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$", re.I)


def random_looking(value: str, *, min_length: int = 16) -> bool:
    """A value that looks generated: long, one token of key characters, mixed classes and high
    entropy. Hex digests and UUIDs (hashes, ids) are not."""
    text = value.strip()
    if len(text) < min_length or not _TOKEN_CHARS.match(text) or _HEX_OR_UUID.match(text):
        return False
    classes = sum(bool(re.search(p, text)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]"))
    return classes >= 3 and entropy(text) >= (3.5 if len(text) < 32 else 4.0)


def secret_name(name: str) -> str | None:
    """`strong` for names that say they hold a secret (`DB_PASSWORD`, `OPENAI_API_KEY`), `weak`
    for names that may (`SIGNING_KEY`), None otherwise (including names of references)."""
    if _REFERENCE_NAME.search(name):
        return None
    if _STRONG_NAME.search(name):
        return "strong"
    return "weak" if _WEAK_NAME.search(name) else None


def literal_secret_value(value: str, strength: str) -> bool:
    """Whether a value under a secret-like name is a literal secret (not a reference, a
    placeholder or a setting); a weak name needs a random-looking value."""
    text = value.strip()
    if not text or is_reference(text) or _SETTING.match(text):
        return False
    if strength == "strong":
        return len(text) >= 6
    return random_looking(text)


# -- decoding -------------------------------------------------------------------------------------
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{24,}={0,2}")


def _decode(text: str) -> str | None:
    """Base64 (optionally gzip or zlib compressed) to text; None when it is not."""
    compact = re.sub(r"\s+", "", text)
    if len(compact) < 16 or len(compact) % 4 == 1:
        return None
    try:
        raw = base64.b64decode(compact + "=" * (-len(compact) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError):
            return None
    elif raw[:1] == b"\x78":
        with contextlib.suppress(zlib.error):
            raw = zlib.decompress(raw)
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    printable = sum(c.isprintable() or c in "\n\r\t" for c in decoded)
    return decoded if decoded and printable / len(decoded) > 0.95 else None


def layers(text: str, depth: int = 3) -> Iterator[str]:
    """The text and every text hidden in it as base64 or gzip+base64: the whole value (user data)
    and long base64 runs inside it (`echo <base64> | base64 -d | sh`)."""
    yield text
    if depth == 0:
        return
    whole = _decode(text)
    if whole is not None:
        yield from layers(whole, depth - 1)
        return
    for run in _BASE64_RUN.findall(text):
        decoded = _decode(run)
        if decoded is not None:
            yield from layers(decoded, depth - 1)


# -- scanning -------------------------------------------------------------------------------------
def _without_references(text: str) -> str:
    return _STORE_REFERENCE.sub(" ", text)


def find_in_text(text: str) -> str | None:
    """What secret a script or string holds (`an AWS access key id`), or None."""
    for layer in layers(text):
        content = _without_references(layer)
        for pattern, what in TOKEN_FORMATS:
            if pattern.search(content):
                return what
        for match in _URL_PASSWORD.finditer(content):
            if not is_reference(match["password"]) and not _PLACEHOLDER.match(match["password"]):
                return "a URL with a password"
        for match in _ASSIGNMENT.finditer(content):
            strength = secret_name(match["name"])
            if strength and literal_secret_value(match["value"], strength):
                return f"a literal {match['name']} assignment"
    return None


def find_in_variable(name: str, value: str) -> str | None:
    """What secret an environment variable holds: a known format or password URL under any name
    (an innocent name hides nothing), a literal under a secret's name, a random-looking value
    under a key-like name."""
    found = find_in_text(value)
    if found is not None:
        return found
    strength = secret_name(name)
    if strength and literal_secret_value(value, strength):
        return "a literal secret value" if strength == "strong" else "a random-looking key"
    encoded = _decode(value) is not None  # encoded text was scanned above, layer by layer
    if strength is None and not encoded and not _REFERENCE_NAME.search(name) and random_looking(value, min_length=32):
        return "a random-looking token"
    return None
