#!/usr/bin/env python3
"""Writes the vocabulary-parity fixtures: real tokenizer vocabularies other than SmolLM2's
(Llama 3 BPE, Qwen2 BPE, Llama 2 SentencePiece) with llama.cpp's ids and decoded text.

Setup: the reference venv of make_fixtures.py (llama-cpp-python + gguf). The vocab-only GGUF files
ship inside llama-cpp-python's source distribution (vendor/llama.cpp/models/):
    pip download --no-deps --no-binary :all: llama-cpp-python==0.3.36 && tar xzf llama_cpp_python-0.3.36.tar.gz
Run:
    .venv-ref/bin/python scripts/engine/make_tokenizer_fixtures.py --models PATH/TO/vendor/llama.cpp/models

Outputs (Tests/RewardEngineTests/Fixtures/vocab/):
    <name>.gguf.gz          the vocab-only GGUF, gzip-compressed (the tests inflate it in-process)
    <name>.tokenize.json    {"plain": [...], "special": [...], "cases": [...]}, each entry
                            {"text", "ids", "decoded"} (+ "decodedSpecial" for "special"):
                            plain: ≥1,000 strings (make_fixtures.py's generator, extra edge
                            cases, random code points), special=False; special: strings with the vocab's
                            special tokens, special=True; cases: llama.cpp's own .inp/.out test cases.
"decoded" is llama-cpp-python's `detokenize(ids, special=...)`: the token pieces concatenated, minus
one leading space when the first id is BOS (invalid UTF-8 replaced by U+FFFD).
"""
import argparse, gzip, json, os, random, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(ROOT, "Tests", "RewardEngineTests", "Fixtures", "vocab")
sys.path.insert(0, HERE)
from make_fixtures import tokenization_strings  # noqa: E402

VOCABS = ["llama-bpe", "qwen2", "llama-spm"]

# Extra strings that stress what differs between these vocabularies.
EXTRA = [
    "IT'S", "WE'LL", "THEY'VE", "I'M", "YOU'D", "SHE'S", "DON'T", "It'S", "we'Re", "'S'LL'VE",
    "12345678901234567890", "1 22 333 4444 55555", "3.14 2.718 1,234,567", "٣٤٥ ١٢", "Ⅻ ⅷ ½ ¾ ²³",
    " ", "  ", "   ", "    ", "\t\t", "\n \n", " \n\n \t x", "a\r\nb\rc\nd", "   \n   \n", "x \n", "end   ",
    "\u2581", "\u2581\u2581word", "a\u2581b", "<0x41>", "<0x0A>", "<unk>", "<s>", "</s>", "<s> x </s>",
    "<|begin_of_text|>", "<|eot_id|>", "<|endoftext|>", "<|im_start|>", "[PAD151646]", "x[PAD151650]y",
    "\u00e9\u0301", "\U0001F600\U0001F601\U0001F602", "𝕳𝖊𝖑𝖑𝖔", "\U00010000\U0010FFFD", "\u0378\u0379 unassigned",
    "ﷺ", "ẞ", "İstanbul", "ǅ", "Σίσυφος", "ﬀﬁﬂ", "\u3000ideographic space", "tab\u000bvt\u000cff",
    # Unassigned in llama.cpp's Unicode tables (some assigned in newer Unicode): "other", not letter/digit.
    "a\uffef's", "\u0378'll x", "\U00010D40\U00010D41 x'S", "\u1c89\u1c8a'S", "\U00016130\U00016131 9",
    "\u0897\u1acf ok", "\u2028\u2029\u00a0\u3000\u1680x\u0085y", "\u200b\u2060\ufeff z",
    "x" * 300, "ab" * 200, " " * 100 + "x", "\n" * 50, "9" * 100, "😀" * 40, "中文" * 60,
]

SPECIAL = {
    "llama-bpe": [
        "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi there!<|eot_id|>",
        "<|start_header_id|>assistant<|end_header_id|>\n\n Sure.<|eot_id|><|end_of_text|>",
        "<|begin_of_text|>Hello", "<|begin_of_text|> Hello", "a<|eot_id|>b", " <|eot_id|> ",
        "<|reserved_special_token_0|>x<|reserved_special_token_250|>", "<|begin_of_text|><|begin_of_text|>",
        "<|eot_id|>\n\n<|eot_id|>", "not <|special|> at all <|eot_id",
    ],
    "qwen2": [
        "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
        "<|endoftext|>", "<|endoftext|> Hello", "a<|im_end|>b", " <|im_start|> ", "[PAD151646]<|im_end|>",
        "<|im_start|><|im_start|>", "x<|endoftext|>\n\ny", "<|im_end|>\n", "not <|special|> at all <|im_end",
    ],
    "llama-spm": [
        "<s>[INST] Hi there [/INST] Hello!</s>", "<s>Hello", "<s> Hello", "a</s>b", " </s> ", "<unk>",
        "x<unk>y", "<s><s>", "</s>\n\n<s>", "not <special> at all </s",
    ],
}


# Code-point ranges for random strings: scripts, combining marks, CJK, emoji, symbols, private use,
# unassigned and supplementary planes — where Unicode tables and byte fallback can disagree.
RANGES = [(0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x370, 0x52F), (0x590, 0x6FF), (0x900, 0xDFF),
          (0x1100, 0x11FF), (0x1E00, 0x1FFF), (0x2000, 0x2BFF), (0x3000, 0x30FF), (0x4E00, 0x9FFF),
          (0xAC00, 0xD7A3), (0xE000, 0xE0FF), (0xFB00, 0xFFFD), (0x10000, 0x1034F), (0x1D400, 0x1D7FF),
          (0x1F300, 0x1FAFF), (0x20000, 0x2A6DF), (0xE0000, 0xE007F), (0x10FF00, 0x10FFFD)]


def random_strings(rng, n):
    out = []
    for _ in range(n):
        chars = []
        for _ in range(rng.randint(1, 16)):
            lo, hi = rng.choice(RANGES)
            chars.append(chr(rng.randint(lo, hi)))
            if rng.random() < 0.3:
                chars.append(rng.choice([" ", "  ", "\n", "\t", "'s", "'LL", "1", "42", "x"]))
        out.append("".join(chars))
    return out


def read_cases(models, name):
    with open(os.path.join(models, f"ggml-vocab-{name}.gguf.inp"), encoding="utf-8") as fh:
        inp = fh.read().split("\n__ggml_vocab_test__\n")
    with open(os.path.join(models, f"ggml-vocab-{name}.gguf.out"), encoding="utf-8") as fh:
        out = fh.read().split("\n")
    if inp and inp[-1] == "":
        inp = inp[:-1]
    return [(t, [int(x) for x in o.split()]) for t, o in zip(inp, out)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default="/tmp/sdist/llama_cpp_python-0.3.36/vendor/llama.cpp/models")
    args = ap.parse_args()
    import llama_cpp
    from llama_cpp import Llama
    os.makedirs(OUT, exist_ok=True)
    for vi, name in enumerate(VOCABS):
        path = os.path.join(args.models, f"ggml-vocab-{name}.gguf")
        llm = Llama(path, vocab_only=True, verbose=False)
        vocab = llm._model.vocab
        bos = llm.token_bos()

        def piece(t, special):
            # llama-cpp-python reads pieces into a 32-byte buffer; ask for the size first so long
            # tokens are not truncated.
            n = llama_cpp.llama_token_to_piece(vocab, t, None, 0, 0, special)
            size = max(-n, n, 0)
            buf = (llama_cpp.ctypes.c_char * max(size, 1))()
            m = llama_cpp.llama_token_to_piece(vocab, t, buf, size, 0, special)
            return bytes(buf[:m]) if m > 0 else b""

        def detok(ids, special):
            out = b"".join(piece(t, special) for t in ids)
            if ids and ids[0] == bos and out[:1] == b" ":
                out = out[1:]
            ref = llm.detokenize(ids, special=special)
            if ref != out and all(len(piece(t, special)) <= 32 for t in ids):
                raise SystemExit(f"{name}: detokenize disagrees with piece concatenation for {ids}")
            return out.decode("utf-8", errors="replace")

        def tok(s, special):
            return llm.tokenize(s.encode("utf-8"), add_bos=False, special=special)

        rng = random.Random(4321 + vi)
        strs = list(dict.fromkeys(tokenization_strings(rng) + EXTRA + random_strings(rng, 500)))
        plain = [{"text": s, "ids": (ids := tok(s, False)), "decoded": detok(ids, False)} for s in strs]
        special = [{"text": s, "ids": (ids := tok(s, True)), "decoded": detok(ids, False),
                    "decodedSpecial": detok(ids, True)} for s in SPECIAL[name]]
        cases = []
        for text, want in read_cases(args.models, name):
            ids = tok(text, False)
            if ids != want:
                raise SystemExit(f"{name}: llama-cpp-python disagrees with the .out file on {text!r}")
            cases.append({"text": text, "ids": ids, "decoded": detok(ids, False)})
        with open(os.path.join(OUT, f"{name}.tokenize.json"), "w") as fh:
            # ASCII escapes: Foundation's JSON reader drops a raw U+FEFF inside strings.
            json.dump({"vocab": name, "plain": plain, "special": special, "cases": cases}, fh,
                      ensure_ascii=True, separators=(",", ":"))
        with open(path, "rb") as src, open(os.path.join(OUT, f"{name}.gguf.gz"), "wb") as dst:
            # mtime=0: byte-identical output on every run.
            dst.write(gzip.compress(src.read(), compresslevel=9, mtime=0))
        print(f"{name}: {len(plain)} plain, {len(special)} special, {len(cases)} cases")


if __name__ == "__main__":
    main()
