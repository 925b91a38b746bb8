#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets, one directory of corpus/ per target.

A ws_receiver seed is: a limit byte (0 = default max_message_size), a count of chunk-size bytes,
those bytes, then client frames (masked with 11 22 33 44 unless a case says otherwise).
A utf8 seed is: a byte choosing where the text is cut in two, then the text.
A request_parser seed is: five limit bytes (URL, field name, field value, field count, body;
0x80 and up = unlimited), a count of read-size bytes, those bytes, then the wire.
A ws_handshake seed is HTTP request bytes.
An express_router seed is an options byte (1 sensitive, 2 strict, 4 not ending, 0x10 << i: route
i takes POST), then up to four route lines and the request target.
A query_string seed is a query string (or path); the target tries it with every traits type.
A linear_regex seed is a flags byte (1 ignore case, 2 raw), then either the grammar's choice
bytes, 0xFF and a subject, or (raw) a pattern taken as it is.
A tls13_records seed is a suite byte, then records: a kind byte (0x80 corrupt, 0x40 long,
0x20 a header alone, then its 5 bytes), a content type, a length, a padding length, the content.
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

UNLIMITED = 0xFF


def http_seed(wire, url=UNLIMITED, name=UNLIMITED, value=UNLIMITED, count=UNLIMITED, body=UNLIMITED,
              reads=()):
    return bytes([url, name, value, count, body, len(reads)]) + bytes(reads) + wire


GET = b"GET /a/b?x=1&y=%20#f HTTP/1.1\r\nHost: h\r\nUser-Agent: t\r\n\r\n"
POST = b"POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
CHUNKED = (b"POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
           b"3\r\nabc\r\n10;ext=1\r\n0123456789abcdef\r\n0\r\nX-Sum: 19\r\n\r\n")
UPGRADE = (b"GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")

REQUEST_PARSER_SEEDS = {
    "get": http_seed(GET),
    "get_byte_by_byte": http_seed(GET, reads=(0,)),
    "post": http_seed(POST, reads=(20, 3)),
    "chunked": http_seed(CHUNKED, reads=(7, 1, 30)),
    "pipelined": http_seed(GET + POST + CHUNKED + GET, reads=(50, 11)),
    "pipelined_after_close": http_seed(b"GET /1 HTTP/1.1\r\nConnection: close\r\n\r\n" + GET),
    "http10_keep_alive": http_seed(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" + GET),
    "expect_continue": http_seed(b"PUT /u HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
                                 b"Content-Length: 3\r\n\r\nabc", reads=(40,)),
    "upgrade_with_frame": http_seed(UPGRADE + b"\x81\x85\x11\x22\x33\x44hello" + GET, reads=(100,)),
    "url_limit": http_seed(GET + b"GET /" + b"x" * 40 + b" HTTP/1.1\r\n\r\n", url=20),
    "name_limit": http_seed(b"GET / HTTP/1.1\r\nA-Very-Long-Field-Name: v\r\n\r\n", name=10, reads=(3,)),
    "value_limit": http_seed(b"GET / HTTP/1.1\r\nX: " + b"v" * 30 + b"\r\n\r\n", value=16),
    "count_limit": http_seed(b"GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", count=2),
    "trailer_count_limit": http_seed(CHUNKED, count=2),
    "body_limit_length": http_seed(POST, body=4),
    "body_limit_chunks": http_seed(CHUNKED, body=10, reads=(9,)),
    "all_limits_met": http_seed(GET + POST, url=16, name=14, value=10, count=2, body=5),
    "http2_preface": http_seed(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
    "http09": http_seed(b"GET /\r\n"),
    "lf_only": http_seed(b"GET / HTTP/1.1\nHost: h\n\n"),
    "length_and_chunked": http_seed(b"POST / HTTP/1.1\r\nContent-Length: 3\r\n"
                                    b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
    "duplicate_length": http_seed(b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"),
    "bad_chunk_size": http_seed(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
    "huge_chunk_size": http_seed(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                                 b"ffffffffffffffff\r\nab", body=0x7F),
    "obs_fold": http_seed(b"GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n"),
    "space_before_colon": http_seed(b"GET / HTTP/1.1\r\nHost : h\r\n\r\n"),
    "methods": http_seed(b"DELETE /d HTTP/1.1\r\n\r\nOPTIONS * HTTP/1.1\r\n\r\n"
                         b"HEAD / HTTP/1.1\r\n\r\nCONNECT h:443 HTTP/1.1\r\n\r\n"),
    # Found by the fuzzer: a field name over its limit and malformed got 431 or 400 by split.
    "limit_and_malformed_name": http_seed(b"GET / HTTP/1.1\r\nA-Very-Long-Field-Nam\x9b\xc7 v\r\n\r\n",
                                          name=10, reads=(3,)),
    # Found by the fuzzer: an empty field name was let through.
    "empty_field_name": http_seed(b"GET / HTTP/1.1\r\nA: b\r\n: x\r\n\r\n"),
}


def upgrade_request(method=b"GET", version=b"1.1", upgrade=b"websocket", key=b"dGhlIHNhbXBsZSBub25jZQ==",
                    ws_version=b"13", extra=b""):
    fields = [(b"Host", b"h"), (b"Connection", b"Upgrade")]
    for name, value in ((b"Upgrade", upgrade), (b"Sec-WebSocket-Key", key), (b"Sec-WebSocket-Version", ws_version)):
        if value is not None:
            fields.append((name, value))
    return (method + b" /chat HTTP/" + version + b"\r\n" + b"".join(n + b": " + v + b"\r\n" for n, v in fields)
            + extra + b"\r\n")


WS_HANDSHAKE_SEEDS = {
    "rfc_example": upgrade_request(),
    "with_protocol": upgrade_request(extra=b"Sec-WebSocket-Protocol: chat, superchat\r\n"),
    "upgrade_list": upgrade_request(upgrade=b"h2c, WebSocket ,foo"),
    "key_with_spaces": upgrade_request(key=b"  x3JJHMbDL1EzLkh9GBhXDw==\t"),
    "post": upgrade_request(method=b"POST"),
    "http10": upgrade_request(version=b"1.0"),
    "no_upgrade": upgrade_request(upgrade=None),
    "upgrade_h2c": upgrade_request(upgrade=b"h2c"),
    "no_key": upgrade_request(key=None),
    "short_key": upgrade_request(key=b"dGhlIHNhbXBsZQ=="),
    "key_not_base64": upgrade_request(key=b"dGhlIHNhbXBsZSBub25jZ*=="),
    "key_one_pad": upgrade_request(key=b"dGhlIHNhbXBsZSBub25jZQ0="),
    "version_8": upgrade_request(ws_version=b"8"),
    "no_version": upgrade_request(ws_version=None),
    "two_keys": upgrade_request(extra=b"Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==\r\n"),
    "plain_get_then_upgrade": b"GET / HTTP/1.1\r\nHost: h\r\n\r\n" + upgrade_request(),
}


def router_seed(routes, target, flags=0):
    return bytes([flags]) + b"".join(r + b"\n" for r in routes) + target


EXPRESS_ROUTER_SEEDS = {
    "named": router_seed([b"/users/:id", b"/users/:id/posts/:post"], b"/users/42/posts/7?x=1"),
    "pattern": router_seed([b"/chat/:id(\\d+)", b"/chat/:name"], b"/chat/123"),
    "pattern_no_match": router_seed([b"/chat/:id(\\d+)", b"/chat/:name"], b"/chat/abc"),
    "optional": router_seed([b"/files/:dir/:name?"], b"/files/a/"),
    "repeat": router_seed([b"/a/:path+", b"/b/:path*"], b"/b/x/y/z"),
    "unnamed": router_seed([b"/(\\d+)/:x/(.+)"], b"/12/ab/c/d"),
    "partial": router_seed([b"/:file.:ext", b"/:a-:b"], b"/archive.tar.gz"),
    "escaped": router_seed([b"/a\\:b/\\(c\\)"], b"/a:b/(c)"),
    "percent": router_seed([b"/~user/:name"], b"/%7Euser/%41%2F%zz"),
    "sensitive": router_seed([b"/Chat"], b"/chat", flags=1),
    "strict": router_seed([b"/chat/"], b"/chat", flags=2),
    "not_ending": router_seed([b"/api"], b"/api/v1/x", flags=4),
    "post_route": router_seed([b"/x", b"/x"], b"/x", flags=0x10),
    "bad_routes": router_seed([b"/a/(", b"/b/)", b"/c/:x()", b"/d/:x((y))"], b"/d/y"),
    "noncapturing": router_seed([b"/n/:x((?:a|b)c)"], b"/n/bc"),
    "first_wins": router_seed([b"/:a", b"/x"], b"/x#frag"),
    # Found by the fuzzer: a pattern starting with '?' shifted the parameters' groups.
    "pattern_starts_with_question": router_seed([b"/:a(?:x)/:b", b"/(?=x)x"], b"/x/z"),
    # Found by the fuzzer: repetitions without a prefix backtracked exponentially.
    "repeat_without_prefix": router_seed([b":path+", b"/x-:p*"], b"/x-" + b"a" * 30 + b"//"),
    # std::regex backtracks over every split of the dashes; the router's engine does not.
    "many_params": router_seed([b"/:a-:b-:c-:d", b"/:a:b:c:d:e:f"], b"/" + b"-" * 120 + b"/"),
}

def regex_seed(choices, subject, flags=0):
    return bytes([flags]) + bytes(choices) + b"\xff" + subject


def raw_regex_seed(pattern, flags=0):
    return bytes([flags | 2]) + pattern


LINEAR_REGEX_SEEDS = {
    # Choice bytes pick alternatives, terms, atoms and quantifiers (see the generator).
    "literals": regex_seed([0, 3, 0, 0, 0, 1, 0, 4], b"ab/"),
    "group_star": regex_seed([0, 1, 3, 1, 0, 2, 0, 0, 8, 0, 0], b"aaab"),
    "alternation": regex_seed([2, 1, 0, 0, 1, 1, 0, 2, 1, 4, 1, 0, 3, 2], b"-b1"),
    "lookahead": regex_seed([0, 2, 0, 4, 2, 5], b"a/", flags=1),
    "lazy": regex_seed([0, 2, 0, 7, 0, 0, 0, 0, 3, 0, 2], b"aaaa-"),
    "route_chat": raw_regex_seed(b"^\\/chat\\/(\\d+)(?:\\/)?$"),
    "route_three": raw_regex_seed(b"^\\/([^\\/]+?)-([^\\/]+?)-([^\\/]+?)(?:\\/)?$", flags=1),
    "route_ends_with": raw_regex_seed(b"^\\/a(?:\\/(?=#|\\.json|$))?(?=\\/|#|\\.json|$)"),
    "classes": raw_regex_seed(b"^[\\w.-]+[^\\d\\s]{2,3}?\\b\\x41[]|[^]"),
    "refused": raw_regex_seed(b"^(a)\\1(?<=b)(?=a+)"),
}

QUERY_STRING_SEEDS = {
    "simple": b"a=1&b=x%20y",
    "plus": b"q=a+b&r=%2B",
    "semicolons": b"a=1;b=2",
    "tag": b"web-beacon",
    "tag_escaped": b"%7Etag",
    "empty_value": b"a=&b=",
    "empty_name": b"=v",
    "empty_items": b"a=1&&b=2&",
    "name_only": b"a&b=2",
    "equals_in_value": b"a=b=c",
    "javascript": b"f=(x)!*'",
    "bad_escape": b"a=%zz",
    "short_escape": b"a=%4",
    "raw_space": b"a=b c",
    "utf8": b"name=%D0%BF%D1%80%D0%B8",
    "path_like": b"/%7Euser/%2F%41/%%41",
}


def tls_record(content_type, content=b"", padding=0, kind=0):
    return bytes([kind, content_type, len(content), padding]) + content


TLS13_RECORDS_SEEDS = {
    "data": b"\x00" + tls_record(23, b"hello") + tls_record(23, b"", 3),
    "key_update_requested": b"\x01" + tls_record(22, bytes([24, 0, 0, 1, 1])) + tls_record(23, b"after"),
    "key_update_in_pieces": b"\x02" + tls_record(22, bytes([24, 0])) + tls_record(22, bytes([0, 1, 0]))
                            + tls_record(23, b"x"),
    "close_notify": b"\x00" + tls_record(23, b"bye") + tls_record(21, bytes([1, 0])),
    "fatal_alert": b"\x01" + tls_record(21, bytes([2, 40])),
    "user_canceled": b"\x02" + tls_record(21, bytes([1, 90])) + tls_record(23, b"more"),
    "corrupted": b"\x00" + tls_record(23, b"corrupt me", kind=0x85),
    "long": b"\x01" + tls_record(23, bytes(255), kind=0x40),
    "all_padding": b"\x02" + tls_record(0, b"", 5),
    "headers": b"\x00" + bytes([0x20, 22, 3, 3, 0, 40]) + bytes([0x20, 23, 3, 1, 0, 40])
               + bytes([0x20, 23, 3, 3, 0x41, 0x01]) + bytes([0x20, 23, 3, 3, 0, 16]),
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
    write("request_parser", REQUEST_PARSER_SEEDS)
    write("ws_handshake", WS_HANDSHAKE_SEEDS)
    write("express_router", EXPRESS_ROUTER_SEEDS)
    write("query_string", QUERY_STRING_SEEDS)
    write("linear_regex", LINEAR_REGEX_SEEDS)
    write("tls13_records", TLS13_RECORDS_SEEDS)
