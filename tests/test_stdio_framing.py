"""The stdio reader's framing: bad frames are skipped, the next good one is found."""

from __future__ import annotations

from streamlit_lsp.lsp.stdio import Framer, content_length


def frame(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def test_frames_split_anywhere_are_joined():
    data = frame(b'{"a": 1}') + b"Content-Type: x\r\n" + frame(b"[2]")
    framer = Framer()
    bodies = [body for index in range(len(data)) for body in framer.feed(data[index : index + 1])]
    assert bodies == [b'{"a": 1}', b"[2]"]


def test_a_non_numeric_length_is_skipped_and_the_next_frame_found():
    bodies = Framer().feed(b"Content-Length: abc\r\n\r\n{}" + frame(b"[1]"))
    assert bodies == [b"[1]"]


def test_a_length_shorter_than_the_body_loses_only_that_frame():
    bodies = Framer().feed(b'Content-Length: 2\r\n\r\n{}{"jsonrpc": "2.0"}' + frame(b"[1]"))
    assert bodies == [b"{}", b"[1]"]


def test_garbage_between_frames_is_skipped():
    data = b"garbage \x00\xff\r\n\r\nX-Nonsense: 1\r\n\r\n" + frame(b"[1]")
    assert Framer().feed(data) == [b"[1]"]


def test_a_long_run_without_a_header_end_is_dropped():
    framer = Framer()
    assert framer.feed(b"x" * 200_000) == []
    assert framer.feed(b"\r\n\r\n" + frame(b"[1]")) == [b"[1]"]


def test_content_length_is_case_insensitive():
    assert content_length(b"content-length:  12 ") == 12
    assert content_length(b"Content-Type: a\r\nCONTENT-LENGTH: 3") == 3
    assert content_length(b"Content-Length: -1") is None
