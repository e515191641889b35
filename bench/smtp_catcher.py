"""A minimal SMTP server that writes every message it receives to a folder (one .eml per message).

    python3 bench/smtp_catcher.py PORT FOLDER

Built on aiosmtpd (Debian: python3-aiosmtpd), the maintained successor of the smtpd/asyncore modules that Python
3.12 removed.
"""
import os
import sys
import threading
import time

from aiosmtpd.controller import Controller


class Catcher:
    def __init__(self, folder):
        self.folder = folder

    async def handle_DATA(self, server, session, envelope):
        name = os.path.join(self.folder, "%d.eml" % time.time_ns())
        with open(name, "wb") as out:
            out.write(envelope.original_content or envelope.content)
        return "250 OK"


if __name__ == "__main__":
    os.makedirs(sys.argv[2], exist_ok=True)
    controller = Controller(Catcher(sys.argv[2]), hostname="127.0.0.1", port=int(sys.argv[1]))
    controller.start()  # serves on its own thread
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
