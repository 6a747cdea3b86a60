"""预警推送 Warnings pushed to whoever must act (issue 20 §2). No streamlit.

    config.py    channels (WeCom, DingTalk, Feishu robots; e-mail), secrets 0600, public URL
    messages.py  the messages (rule, township, period) and their rendering per channel
    robots.py    the wire: signatures, requests, the robots' answers; SMTP with STARTTLS
    outbox.py    the durable outbox (append-only JSONL, fsync per event)
    run.py       one pass (`notify run`): make messages, send within rate limits, retry
    sources.py   what the messages are made from (ledger, submissions, review returns)

Delivery guarantee, per (message, channel): **at most once**, and never lost silently.

- A message is made once for its key (rule, township, period) and recorded (fsync) with one
  delivery per channel before anything is sent; a crash before sending leaves it queued, and
  the next pass sends it.
- A delivery is written "sending" (fsync) after the connection to the robot or mail server
  stands and just before the request goes out, and "sent" once the answer says so. A
  connection that fails is retried (nothing left the machine); a definite refusal is either
  retried (rate limit, 5xx) or not (signature, keyword, token: a configuration problem).
- A "sending" with no answer after it — the process was killed mid-request, the answer never
  came (timeout, reset) — may or may not have reached the robot. The robots have no
  idempotency key to ask, so resending could send it twice; the outbox records it as
  **unknown** (可能已送达) and never resends it by itself. The admin sees it in the delivery
  log and can resend it (`notify resend`). The window is the request itself: from the fsync of
  "sending" to the fsync of "sent", a few milliseconds to the timeout (10 s).

So a channel never gets the same (rule, township, period) twice from the dashboard, and every
message is either sent, waiting for a retry, or shown to the admin as not (surely) delivered.
"""

from .config import Channel, Config, NotifyError
from .messages import Message
from .outbox import Outbox
from .run import Pass, log, resend, run, send_test

__all__ = [
    "Channel",
    "Config",
    "Message",
    "NotifyError",
    "Outbox",
    "Pass",
    "log",
    "resend",
    "run",
    "send_test",
]
