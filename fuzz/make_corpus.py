#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets: corpus/ws_receiver/ and corpus/utf8/.

A ws_receiver seed is: a limit byte (0 = default max_message_size), a count of chunk-size bytes,
those bytes, then client frames (masked with 11 22 33 44 unless a case says otherwise).
A utf8 seed is: a byte choosing where the text is cut in two, then the text.
"""
import os
import struct

KEY = bytes([0x11, 0x22, 0x33, 0x44])


def frame(first, payload=b"", masked=True, form=None):
    n = len(payload)
    mask_bit = 0x80 if masked else 0
    if form is None:
        form = 7 if n <= 125 else 16 if n <= 0xFFFF else 64
    if form == 7:
        head = bytes([first, mask_bit | n])
    elif form == 16:
        head = bytes([first, mask_bit | 126]) + struct.pack(">H", n)
    else:
        head = bytes([first, mask_bit | 127]) + struct.pack(">Q", n)
    if not masked:
        return head + payload
    return head + KEY + bytes(b ^ KEY[i % 4] for i, b in enumerate(payload))


def close(code, reason=b""):
    return frame(0x88, struct.pack(">H", code) + reason)


def seed(limit=0, chunks=(), wire=b""):
    return bytes([limit, len(chunks)]) + bytes(chunks) + wire


SEEDS = {
    "text_hello": seed(wire=frame(0x81, b"Hello")),
    "fragmented_with_ping": seed(chunks=(0, 2, 5), wire=frame(0x01, b"he") + frame(0x89, b"p") + frame(0x80, b"llo")),
    "utf8_split_across_fragments": seed(chunks=(1,), wire=frame(0x01, b"\xF0\x9D") + frame(0x80, b"\x84\x9E")),
    "binary_16bit": seed(chunks=(7, 200), wire=frame(0x82, bytes(range(256)) * 2)),
    "binary_64bit": seed(chunks=(255,), wire=frame(0x82, b"x" * 300, form=64)),
    "close_with_reason": seed(wire=close(1000, b"reason") + frame(0x81, b"late")),
    "close_empty": seed(wire=frame(0x88)),
    "bad_utf8": seed(wire=frame(0x81, b"\xFF\xFE")),
    "bad_close_code": seed(wire=close(1005)),
    "unmasked": seed(wire=frame(0x81, b"Hello", masked=False)),
    "rsv_and_reserved_opcode": seed(wire=frame(0xC1, b"a") + frame(0x83, b"")),
    "huge_length": seed(wire=bytes([0x82, 0xFF, 0x40, 0, 0, 0, 0, 0, 0, 0]) + KEY),
    "fragment_over_limit": seed(limit=3, wire=frame(0x02, b"a" * 40) + frame(0x80, b"b" * 40)),
    "non_minimal_lengths": seed(wire=frame(0x81, b"Hi", form=16) + frame(0x89, b"", form=64)),
    "continuation_first": seed(wire=frame(0x80, b"x")),
}

UTF8_SEEDS = {
    "ascii": b"\x05" + b"Hello, world! " * 3,
    "mixed": b"\x07" + "a\u00e9b\u20acc\U0001F600d".encode() * 2,
    "kosme": b"\x03" + "\u03ba\u1f79\u03c3\u03bc\u03b5".encode(),
    "boundaries": b"\x02" + "\u0080\u07ff\u0800\uffff\U00010000\U0010FFFF".encode(),
    "surrogate": b"\x01" + b"ab\xED\xA0\x80",
    "too_big": b"\x04" + b"\xF4\x90\x80\x80",
    "overlong": b"\x01" + b"\xC0\xAF\xE0\x80\xAF",
    "truncated": b"\x09" + b"0123456789abcdef\xE2\x82",
}


def write(directory, seeds):
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", directory)
    os.makedirs(out, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print(f"{len(seeds)} seeds written to {out}")


if __name__ == "__main__":
    write("ws_receiver", SEEDS)
    write("utf8", UTF8_SEEDS)
