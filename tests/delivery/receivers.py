"""Real receivers on 127.0.0.1 for delivery tests: a webhook endpoint and SMTP.

Both record what arrives and de-duplicate by message id, as a partner's
receiver is expected to.
"""

import json
import socket
import threading
import time
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

MESSAGE_ID_HEADER = "X-FirstContact-Message-Id"
EVENT_HEADER = "X-FirstContact-Event"


class WebhookReceiver:
    """An HTTP server that returns scripted responses and records requests.

    `responses` is a list of (status, headers, delay_seconds) used in turn;
    once it runs out every request gets `default`.
    """

    def __init__(self, default=(200, {}, 0.0)):
        self.default = default
        self.responses = []
        self.requests = []
        self.lock = threading.Lock()
        # The request number (1-based) to hold for `stall_seconds` before
        # responding; `stalled` is set when it arrives.
        self.stall_at = None
        self.stall_seconds = 0.0
        self.stalled = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hooks/firstcontact"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def script(self, *responses):
        with self.lock:
            self.responses = [
                (r, {}, 0.0) if isinstance(r, int) else r for r in responses
            ]

    def message_ids(self) -> list[str]:
        with self.lock:
            return [r["headers"][MESSAGE_ID_HEADER] for r in self.requests]

    def unique_message_ids(self) -> set[str]:
        return set(self.message_ids())

    def wait_for(self, count, timeout=30.0) -> bool:
        """Wait until `count` distinct message ids have arrived."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.unique_message_ids()) >= count:
                return True
            time.sleep(0.05)
        return False

    def _next_response(self):
        with self.lock:
            return self.responses.pop(0) if self.responses else self.default

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                status, headers, delay = receiver._next_response()
                with receiver.lock:
                    receiver.requests.append(
                        {
                            "headers": self.headers,
                            "body": body,
                            "json": json.loads(body),
                            "status": status,
                        }
                    )
                    if len(receiver.requests) == receiver.stall_at:
                        delay = receiver.stall_seconds
                        receiver.stalled.set()
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, format, *args):
                pass

        return Handler


class RecordingHandler:
    """aiosmtpd handler that stores each message, or replies with a scripted error."""

    def __init__(self):
        self.messages = []
        self.replies = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.replies:
                return self.replies.pop(0)
            self.messages.append(
                {
                    "to": list(envelope.rcpt_tos),
                    "message": message_from_bytes(envelope.content),
                }
            )
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self):
        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    @property
    def messages(self):
        with self.handler.lock:
            return list(self.handler.messages)

    def script(self, *replies):
        with self.handler.lock:
            self.handler.replies = list(replies)

    def message_ids(self, event=None) -> list[str]:
        return [
            m["message"][MESSAGE_ID_HEADER]
            for m in self.messages
            if event is None or m["message"][EVENT_HEADER] == event
        ]

    def wait_for(self, count, timeout=30.0, event=None) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(set(self.message_ids(event))) >= count:
                return True
            time.sleep(0.05)
        return False

    def mailers_setting(self) -> dict:
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": self.port, "timeout": 5},
            }
        }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
