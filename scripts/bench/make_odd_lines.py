#!/usr/bin/env python3
"""Issue 15: real JSONL lines made odd, for math_diff.sh (the JSON reader's edge cases on real data).

    make_odd_lines.py IN.jsonl OUT.jsonl [N]

Takes the first N lines (default 3000) of IN and rewrites each with one of the edits below, in
turn: invalid UTF-8 in a skipped, a built and a stubbed value and in a key; non-ASCII and escaped
text; a key the scorer adds (`reward`) or a duplicate key; a Kelvin-sign key (canonically equal to
"K"); a label of the wrong type; a truncated line; a blank line; CRLF; a JSON array line. The
edits are deterministic, so two binaries see the same bytes.
"""
import sys

src, dst = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 3000
lines = []
with open(src, 'rb') as f:
    for i, raw in enumerate(f):
        if i >= n:
            break
        lines.append(raw.rstrip(b'\n'))

def edits(b):
    return [
        b.replace(b'"model": "', b'"model": "\xc3\x28', 1),             # bad UTF-8, skipped field
        b.replace(b'"answer": "', b'"answer": "\xed\xa0\x80', 1),       # surrogate in a built field
        b.replace(b'"response": "', b'"response": "\xf8', 1),           # bad byte in a stubbed field
        b.replace(b'"model"', b'"mo\xffdel"', 1),                       # bad UTF-8 in a key
        b.replace(b'"answer": "', b'"answer": "caf\xc3\xa9 \\u00e9 \\ud83d\\ude00 \\"q\\" ', 1),
        b.replace(b'"id": "', b'"id": "\xf0\x9f\x98\x80 x', 1),         # valid 4-byte UTF-8
        b[:-1] + b', "reward": 0.5}',                                   # a key the scorer adds
        b[:-1] + b', "is_correct": 3}',                                 # duplicate key, last wins
        b[:-1] + b', "\xe2\x84\xaa": 1, "K": 2}',                        # Kelvin sign and K
        b.replace(b'"is_correct": ', b'"is_correct": "yes", "x": ', 1),  # label of the wrong type
        b[: len(b) // 2],                                               # truncated
        b'   ',                                                          # blank
        b + b'\r',                                                      # CRLF
        b'[1, 2]',                                                      # not an object
        b.replace(b'"answer": "', b'"answer": 1e400, "a2": "', 1),       # out-of-range number
        b,
    ]

with open(dst, 'wb') as f:
    for i, b in enumerate(lines):
        e = edits(b)
        f.write(e[i % len(e)] + b'\n')
