"""A raw MLLP sender for the window's monitor tests, run as a separate process or called in a thread.

``python -m tests.ui.mllp_client PORT`` reads one hex-encoded chunk of bytes per line on stdin, sends each on one
loopback connection as it is (framed or not), reads the acknowledgements that come back, and prints one JSON line
per acknowledgement: MSA-1, MSA-2 and MSA-3.
"""

from __future__ import annotations

import json
import socket
import sys

from norepi_gui.monitor.mllp import Frame, MllpDecoder

SB, EB, CR = b"\x0b", b"\x1c", b"\r"


def framed(payload: bytes) -> bytes:
    return SB + payload + EB + CR


def msa(ack: bytes) -> dict[str, str]:
    """MSA-1, -2, -3 of one acknowledgement (split by hand: this client trusts nothing it receives)."""
    for segment in ack.decode("utf-8", "replace").split("\r"):
        if segment.startswith("MSA|"):
            parts = [*segment.split("|"), "", "", ""]
            return {"code": parts[1], "control_id": parts[2], "text": parts[3]}
    return {"code": "?", "control_id": "", "text": ""}


def send(port: int, chunks: list[bytes], *, expect: int, timeout: float = 10.0, half_close: bool = False,
         ) -> list[dict[str, str]]:
    """Send ``chunks`` on one connection and read up to ``expect`` acknowledgements (fewer if it is closed, or
    none arrives for ``timeout`` s). ``half_close``: say "no more bytes" after sending (the listener then closes)."""
    decoder = MllpDecoder(max_frame_bytes=1 << 20, max_junk_bytes=1 << 20)
    acks: list[bytes] = []
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            for chunk in chunks:
                sock.sendall(chunk)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
            while len(acks) < expect or half_close:
                data = sock.recv(65536)
                if not data:
                    break
                acks.extend(i.payload for i in decoder.feed(data) if isinstance(i, Frame))
        except (TimeoutError, ConnectionError):
            pass
    return [msa(a) for a in acks]


def main(argv: list[str]) -> int:
    port = int(argv[0])
    chunks = [bytes.fromhex(line.strip()) for line in sys.stdin if line.strip()]
    for ack in send(port, chunks, expect=len(chunks)):
        print(json.dumps(ack), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
