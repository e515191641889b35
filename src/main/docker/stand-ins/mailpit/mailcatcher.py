"""An SMTP catcher answering the part of Mailpit's HTTP API that the container tests read.

SMTP on 0.0.0.0:1025 keeps every message in memory (as Mailpit does by default); HTTP on 0.0.0.0:8025 answers
  GET /api/v1/messages            {"total": n, "messages": [{"ID", "MessageID", "From", "To", "Subject", "Created"}]}
  GET /api/v1/message/<ID>/raw    the message as received
  GET /livez                      200 once both listeners run
newest first, like Mailpit.
"""
import email
import email.policy
import json
import threading
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

MESSAGES = []
LOCK = threading.Lock()


class Catcher:
    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        with LOCK:
            MESSAGES.insert(0, {
                "ID": uuid.uuid4().hex,
                "MessageID": str(parsed.get("Message-ID", "")).strip("<>"),
                "From": {"Address": envelope.mail_from},
                "To": [{"Address": rcpt} for rcpt in envelope.rcpt_tos],
                "Subject": str(parsed.get("Subject", "")),
                "Created": datetime.now(timezone.utc).isoformat(),
                "raw": raw,
            })
        return "250 Message accepted for delivery"


class Api(BaseHTTPRequestHandler):
    def do_GET(self):
        parts = self.path.split("?")[0].strip("/").split("/")
        with LOCK:
            listing = [{k: v for k, v in m.items() if k != "raw"} for m in MESSAGES]
            by_id = {m["ID"]: m["raw"] for m in MESSAGES}
        if parts == ["livez"]:
            self.reply(200, "text/plain", b"ok")
        elif parts == ["api", "v1", "messages"]:
            body = {"total": len(listing), "messages_count": len(listing), "messages": listing}
            self.reply(200, "application/json", json.dumps(body).encode())
        elif len(parts) == 5 and parts[:3] == ["api", "v1", "message"] and parts[4] == "raw" and parts[3] in by_id:
            self.reply(200, "message/rfc822", by_id[parts[3]])
        else:
            self.reply(404, "text/plain", b"not found")

    def reply(self, status, content_type, body):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    smtp = Controller(Catcher(), hostname="0.0.0.0", port=1025, data_size_limit=10 * 1024 * 1024)
    smtp.start()
    print("stand-in mailpit: SMTP on 1025, API on 8025", flush=True)
    ThreadingHTTPServer(("0.0.0.0", 8025), Api).serve_forever()
