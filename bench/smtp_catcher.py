"""A minimal SMTP server that writes every message it receives to a folder (one .eml per message).

    python3 bench/smtp_catcher.py PORT FOLDER

Python 3.11's smtpd module (deprecated, still shipped) keeps this free of extra packages.
"""
import asyncore
import os
import sys
import time
import warnings

warnings.simplefilter("ignore", DeprecationWarning)
import smtpd  # noqa: E402


class Catcher(smtpd.SMTPServer):
    def __init__(self, port, folder):
        super().__init__(("127.0.0.1", port), None, decode_data=False)
        self.folder = folder

    def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
        name = os.path.join(self.folder, "%d.eml" % time.time_ns())
        with open(name, "wb") as out:
            out.write(data)


if __name__ == "__main__":
    os.makedirs(sys.argv[2], exist_ok=True)
    Catcher(int(sys.argv[1]), sys.argv[2])
    asyncore.loop()
