"""The four channels on the wire: WeCom (企业微信) and DingTalk (钉钉) group robots, the Feishu
(飞书) custom bot, and e-mail (SMTP with STARTTLS) — stdlib only (http.client, smtplib).

`deliver(channel, title, text, before_send)` connects first, then calls `before_send()` (the
outbox writes and fsyncs "sending"), then sends the request and reads the answer. So a failure to
connect is known not to have sent anything (retried), while anything after `before_send()`
without a clear answer may or may not have reached the robot (the outbox calls it "unknown" and
never resends it by itself: see dashboard/notify/__init__.py for the guarantee).

The robots answer HTTP 200 with a JSON code; `classify` sorts the answers:
  sent     WeCom/DingTalk errcode 0, Feishu code 0 (older hooks: StatusCode 0)
  rate     WeCom 45009, DingTalk 130101 / 410100, Feishu 11232 / 9499, HTTP 429: retried later
  retry    HTTP 5xx, errcode -1 (system busy): retried with backoff
  config   DingTalk 310000 (keyword, signature or timestamp), 300001/300005/400101/400102 (token
           unknown or robot stopped), WeCom 93000 (webhook key invalid), Feishu 19021 (signature),
           19022 (IP not allowed), 19024 (keyword), HTTP 4xx: not retried, shown to the admin
  failed   any other error code: not retried, shown with the robot's own errmsg
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import os
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import quote_plus, urlencode, urlsplit

from .config import Channel

TIMEOUT_S = 10.0

# Conservative size limits of the message content, in UTF-8 bytes (WeCom documents 4,096 for
# markdown; DingTalk's and Feishu's request limits are larger — we stay well below them).
LIMIT = {"wecom": 4096, "dingtalk": 15000, "feishu": 15000, "smtp": 100_000}

RATE_CODES = {"wecom": {45009}, "dingtalk": {130101, 410100}, "feishu": {11232, 9499}}
CONFIG_CODES = {
    "wecom": {93000, 40008},
    "dingtalk": {310000, 300001, 300005, 400101, 400102},
    "feishu": {19021, 19022, 19024, 19001},
}


@dataclass(frozen=True)
class Outcome:
    status: str  # sent | rate | retry | config | failed | unknown
    detail: str = ""

    @property
    def retried(self) -> bool:
        return self.status in ("rate", "retry")


class NotSent(Exception):
    """Nothing left this machine (connection refused, DNS, TLS handshake): safe to retry."""


# ---- signatures (the robots' documented schemes)
def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")))."""
    mac = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(mac).decode())


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}", msg=b""))."""
    mac = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def with_keyword(text: str, keyword: str) -> str:
    """DingTalk/Feishu keyword security: a message without the keyword is refused (310000 /
    19024), so the keyword heads it when the text does not already carry it."""
    if keyword and keyword not in text:
        return f"【{keyword}】{text}"
    return text


def request_for(ch: Channel, title: str, text: str, now_s: float) -> tuple[str, bytes, dict]:
    """(url, body, headers) of one robot message."""
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if ch.kind == "wecom":
        url = f"{ch.base}/cgi-bin/webhook/send?{urlencode({'key': ch.token})}"
        body = {"msgtype": "markdown", "markdown": {"content": text}}
    elif ch.kind == "dingtalk":
        query = {"access_token": ch.token}
        url = f"{ch.base}/robot/send?{urlencode(query)}"
        if ch.secret:
            ms = int(now_s * 1000)
            url += f"&timestamp={ms}&sign={dingtalk_sign(ch.secret, ms)}"
        body = {
            "msgtype": "markdown",
            "markdown": {"title": with_keyword(title, ch.keyword), "text": with_keyword(text, ch.keyword)},
        }
    elif ch.kind == "feishu":
        url = f"{ch.base}/open-apis/bot/v2/hook/{quote_plus(ch.token)}"
        body = {"msg_type": "text", "content": {"text": with_keyword(text, ch.keyword)}}
        if ch.secret:
            sec = int(now_s)
            body = {"timestamp": str(sec), "sign": feishu_sign(ch.secret, sec), **body}
    else:
        raise ValueError(f"not a robot: {ch.kind}")
    return url, json.dumps(body, ensure_ascii=False).encode("utf-8"), headers


def classify(kind: str, http_status: int, raw: bytes) -> Outcome:
    try:
        answer = json.loads(raw.decode("utf-8") or "null")
    except (UnicodeDecodeError, ValueError):
        answer = None
    if not isinstance(answer, dict):
        answer = {}
    code = answer.get("errcode", answer.get("code", answer.get("StatusCode")))
    msg = str(answer.get("errmsg", answer.get("msg", answer.get("StatusMessage", ""))))[:200]
    detail = (
        f"HTTP {http_status}" + (f", code {code}" if code is not None else "") + (f": {msg}" if msg else "")
    )
    if http_status == 429:
        return Outcome("rate", detail)
    if http_status >= 500:
        return Outcome("retry", detail)
    if code is None:
        return Outcome("config" if http_status >= 400 else "failed", detail)
    try:
        code = int(code)
    except (TypeError, ValueError):
        return Outcome("failed", detail)
    if code == 0 and http_status < 400:
        return Outcome("sent", detail)
    if code in RATE_CODES.get(kind, ()):
        return Outcome("rate", detail)
    if code in CONFIG_CODES.get(kind, ()) or (kind == "feishu" and 19000 <= code < 19100):
        return Outcome("config", detail)
    if code == -1:
        return Outcome("retry", detail)
    return Outcome("failed", detail)


def _post(url: str, body: bytes, headers: dict, before_send: Callable[[], None], timeout: float) -> Outcome:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = cls(parts.hostname, parts.port, timeout=timeout)
    try:
        try:
            conn.connect()
        except (OSError, http.client.HTTPException) as e:
            raise NotSent(f"{type(e).__name__}: {e}") from None
        before_send()
        try:
            conn.request("POST", path, body=body, headers=headers)
            resp = conn.getresponse()
            raw = resp.read(65536)
        except (OSError, http.client.HTTPException) as e:
            return Outcome("unknown", f"{type(e).__name__}: {e}")
        return resp.status, raw
    finally:
        conn.close()


def deliver(
    ch: Channel,
    title: str,
    text: str,
    before_send: Callable[[], None],
    *,
    now_s: float | None = None,
    timeout: float = TIMEOUT_S,
) -> Outcome:
    """Send one message on `ch`; `before_send` is called once the connection stands, just
    before the first byte of the message goes out. Raises NotSent when nothing was sent."""
    if ch.kind == "smtp":
        return _smtp(ch, title, text, before_send, timeout)
    now_s = time.time() if now_s is None else now_s
    url, body, headers = request_for(ch, title, text, now_s)
    got = _post(url, body, headers, before_send, timeout)
    if isinstance(got, Outcome):
        return got
    status, raw = got
    return classify(ch.kind, status, raw)


def _smtp(ch: Channel, title: str, text: str, before_send: Callable[[], None], timeout: float) -> Outcome:
    msg = EmailMessage()
    msg["Subject"] = title
    msg["From"] = ch.sender
    msg["To"] = ", ".join(ch.to)
    msg.set_content(text)
    try:
        server = smtplib.SMTP(ch.host, ch.port, timeout=timeout)
    except (OSError, smtplib.SMTPException) as e:
        raise NotSent(f"{type(e).__name__}: {e}") from None
    try:
        try:
            server.ehlo()
            if ch.starttls:
                server.starttls(context=_tls(ch))
                server.ehlo()
            if ch.user:
                server.login(ch.user, ch.password)
        except smtplib.SMTPAuthenticationError as e:
            return Outcome("config", f"SMTP {e.smtp_code}: {_smtp_text(e.smtp_error)}")
        except smtplib.SMTPNotSupportedError as e:
            return Outcome("config", f"SMTP: {e}")
        except ssl.SSLError as e:
            return Outcome("config", f"TLS: {e}")
        except (OSError, smtplib.SMTPException) as e:
            raise NotSent(f"{type(e).__name__}: {e}") from None
        before_send()
        try:
            refused = server.send_message(msg)
        except smtplib.SMTPRecipientsRefused as e:
            return Outcome("config", f"SMTP: recipients refused {sorted(e.recipients)}")
        except smtplib.SMTPResponseException as e:
            status = "retry" if 400 <= e.smtp_code < 500 else "failed"
            return Outcome(status, f"SMTP {e.smtp_code}: {_smtp_text(e.smtp_error)}")
        except (OSError, smtplib.SMTPException) as e:
            return Outcome("unknown", f"{type(e).__name__}: {e}")
        if refused:
            return Outcome("sent", f"refused: {sorted(refused)}")
        return Outcome("sent", "SMTP 250")
    finally:
        try:
            server.quit()
        except (OSError, smtplib.SMTPException):
            server.close()


def _tls(ch: Channel) -> ssl.SSLContext:
    """The server's certificate is checked against the system's CAs, or against the CA file an
    intranet mail server's own CA is kept in ($DASHBOARD_SMTP_CAFILE)."""
    return ssl.create_default_context(cafile=os.environ.get("DASHBOARD_SMTP_CAFILE") or None)


def _smtp_text(err) -> str:
    return (err.decode("utf-8", "replace") if isinstance(err, bytes) else str(err))[:200]
