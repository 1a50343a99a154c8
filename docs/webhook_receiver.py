"""A webhook receiver that verifies Byline's signatures (Standard Webhooks), using only the
Python standard library. Run: BYLINE_WEBHOOK_SECRET=whsec_... python3 webhook_receiver.py 9000
"""
import base64, hashlib, hmac, json, os, sys, time
from http.server import BaseHTTPRequestHandler, HTTPServer

KEY = base64.b64decode(os.environ["BYLINE_WEBHOOK_SECRET"].removeprefix("whsec_"))

def verified(headers, body):
    msg_id, ts = headers["webhook-id"], headers["webhook-timestamp"]
    if abs(time.time() - int(ts)) > 300:  # refuse replays of old deliveries
        return False
    signed = f"{msg_id}.{ts}.".encode() + body
    expected = base64.b64encode(hmac.new(KEY, signed, hashlib.sha256).digest()).decode()
    # The header may carry several space-separated signatures (during secret rotation).
    return any(hmac.compare_digest(f"v1,{expected}", s) for s in headers["webhook-signature"].split())

class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["content-length"]))
        if not verified(self.headers, body):
            self.send_response(401); self.end_headers(); return
        event = json.loads(body)
        print(event["type"], event.get("article"), flush=True)
        self.send_response(204); self.end_headers()

HTTPServer(("127.0.0.1", int(sys.argv[1])), Receiver).serve_forever()
