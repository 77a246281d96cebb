#!/usr/bin/env python3
"""math-verify the way users call it: one process, import once, then
`verify(parse(gold), parse(pred))` per line, writing each record back with `correct`.

    python math_verify_user.py IN.jsonl OUT.jsonl [LIMIT]
"""
import json
import sys

from math_verify import parse, verify

src, dst = sys.argv[1], sys.argv[2]
limit = int(sys.argv[3]) if len(sys.argv) > 3 else None
n = 0
with open(src) as f, open(dst, "w") as out:
    for line in f:
        if limit is not None and n >= limit:
            break
        o = json.loads(line)
        try:
            o["correct"] = bool(verify(parse(str(o["gold"])), parse(o["pred"])))
        except Exception:
            o["correct"] = False
        out.write(json.dumps(o, ensure_ascii=False) + "\n")
        n += 1
