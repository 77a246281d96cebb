#!/usr/bin/env python3
"""Builds the tokenizer.json / chat-template parity fixtures in Tests/RewardEngineTests/Fixtures/hf.

Run from the repository root in a git-ignored venv (no torch needed):
    python3 -m venv .venv-hf && .venv-hf/bin/pip install transformers tokenizers jinja2
    .venv-hf/bin/python scripts/hf/make_tokenizer_fixtures.py

Writes:
  qwen-tok/    tiny byte-level BPE trained here, Qwen2/Qwen3 pipeline (NFC, Qwen split regex,
               ByteLevel), merges stored as "a b" strings, special + non-special added tokens.
  llama-tok/   same corpus, Llama-3 pipeline (no normalizer, Llama-3 regex, ignore_merges,
               TemplateProcessing BOS), merges stored as [a, b] pairs, lstrip/rstrip tokens.
  qwen-ids.json, llama-ids.json   ~1,000 strings each with transformers' input_ids.
  templates.json                  renders of the real templates in templates/ by
                                  transformers' apply_chat_template(tokenize=False).
The templates in templates/ are the real ones (see templates/SOURCES.md); this script never edits them.
"""
import json
import os
import random
import struct
import sys
import tempfile

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import PreTrainedTokenizerFast

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "RewardEngineTests", "Fixtures", "hf")
OUT = os.path.normpath(OUT)
TEMPLATES = os.path.join(OUT, "templates")

QWEN_RE = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
LLAMA_RE = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""

FRAGMENTS = [
    "Hello, world!", "The quick brown fox jumps over the lazy dog.", "I'm", "don't", "WE'LL", "it'S", "they've", "you'd",
    "She said 'hi'", "rock'n'roll", "12345", "3.14159", "1,000,000", "year 2024", "0x1F", "v1.2.3", "42nd", "٣٤٥", "१२३",
    "line1\r\nline2", "\r\n\r\n", "a\n\n\nb", "trailing   ", "   leading", "\ttab\tbed", "x \n y", " \n\n ", "\n",
    "a\u00a0b", "\u00a0\u00a0x", "em\u2003space", "thin\u2009space", "你好，世界", "日本語のテキストです。", "한국어 문장",
    "😀", "👍🏽", "👨‍👩‍👧", "🇺🇸🇫🇷", "e\u0301", "Åström", "A\u030angstro\u0308m", "a\u0308\u0304", "ﬁ ligature", "Ｆｕｌｌｗｉｄｔｈ",
    "Ελληνικά", "русский текст", "עברית", "العربية", "हिन्दी", "ไทย", "Tiếng Việt", "naïve café",
    "def f(x):\n    return x**2", "if (a && b) { c++; }", "print(\"hi\")", "<div class=\"x\">", "https://example.com/a?b=c",
    "user@example.com", "!!!???", "...", "--", "$100.00", "50%", "#hashtag", "@mention", "C++", "x_y_z", "CamelCaseWord",
    "ALL CAPS", "MiXeD", "   ", "\t\t", "a  b   c", "end.", "(parenthetical)", "[bracket]", "{brace}", "2+2=4", "√2 ≈ 1.414",
    "∑ x_i", "α β γ", "½ ¾", "Ⅻ", "²³", "x²", "…", "—", "“quotes”", "‘single’", "«guillemets»",
]
QWEN_SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
QWEN_ADDED = ["<think>", "</think>", "<tool_call>", "</tool_call>", "<extra_0>"]
LLAMA_SPECIALS = ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>",
                  "<|eom_id|>", "<|python_tag|>"]


def corpus(rng):
    """Training text: the fragments in many combinations plus this machine's Python stdlib docs text."""
    lines = []
    for _ in range(20000):
        k = rng.randint(1, 6)
        lines.append(rng.choice([" ", "", "\n", ", "]).join(rng.choice(FRAGMENTS) for _ in range(k)))
    import pydoc
    for mod in ["json", "random", "os", "re", "string", "textwrap", "collections", "itertools"]:
        try:
            lines.append(pydoc.render_doc(mod, renderer=pydoc.plaintext))
        except Exception:
            pass
    return lines


def test_strings(rng, specials, n=1000):
    out = list(FRAGMENTS)
    for s in specials:
        out += [s, f"a{s}b", f" {s} ", f"{s}{s}", f"x {s}\n", s[:-1], s[1:], f"{s[:3]} {s[3:]}"]
    pool = FRAGMENTS + specials
    while len(out) < n:
        k = rng.randint(1, 5)
        out.append(rng.choice(["", " ", "\n", "  ", "\r\n", "\u00a0"]).join(rng.choice(pool) for _ in range(k)))
    return out[:n]


def train(rng, pre, normalizer, specials, vocab_size=1000):
    tok = Tokenizer(models.BPE())
    if normalizer:
        tok.normalizer = normalizer
    tok.pre_tokenizer = pre
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=specials, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(corpus(rng), trainer)
    return tok


def save_fast(tok_json, directory, template, **special):
    """Writes tokenizer.json, wraps it in PreTrainedTokenizerFast and saves it as transformers does."""
    os.makedirs(directory, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(tok_json, f, ensure_ascii=False)
        path = f.name
    fast = PreTrainedTokenizerFast(tokenizer_file=path, **special)
    os.unlink(path)
    with open(os.path.join(TEMPLATES, template)) as f:
        fast.chat_template = f.read()
    fast.save_pretrained(directory)
    # Keep our hand-edited tokenizer.json exactly (save_pretrained may re-serialise merges as pairs).
    with open(os.path.join(directory, "tokenizer.json"), "w") as f:
        json.dump(tok_json, f, ensure_ascii=False, indent=1)
    return PreTrainedTokenizerFast.from_pretrained(directory)


def build_qwen(rng):
    pre = pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(QWEN_RE), behavior="isolated", invert=False),
                                   pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok = train(rng, pre, normalizers.NFC(), QWEN_SPECIALS)
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    tok.add_tokens([AddedToken(t, special=False, normalized=False) for t in QWEN_ADDED])
    j = json.loads(tok.to_str())
    j["model"]["merges"] = [m if isinstance(m, str) else m[0] + " " + m[1] for m in j["model"]["merges"]]
    d = os.path.join(OUT, "qwen-tok")
    fast = save_fast(j, d, "Qwen-Qwen3-0.6B.jinja", eos_token="<|im_end|>", pad_token="<|endoftext|>")
    return fast, d


def build_llama(rng):
    pre = pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(LLAMA_RE), behavior="isolated", invert=False),
                                   pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok = train(rng, pre, None, LLAMA_SPECIALS)
    tok.add_special_tokens([AddedToken("<LSTRIP>", lstrip=True, special=True, normalized=False),
                            AddedToken("<RSTRIP>", rstrip=True, special=True, normalized=False)])
    bos = tok.token_to_id("<|begin_of_text|>")
    tok.post_processor = processors.Sequence([
        processors.ByteLevel(trim_offsets=False),
        processors.TemplateProcessing(single="<|begin_of_text|> $A:0", pair="<|begin_of_text|> $A:0 <|begin_of_text|>:1 $B:1",
                                      special_tokens=[("<|begin_of_text|>", bos)]),
    ])
    j = json.loads(tok.to_str())
    j["model"]["ignore_merges"] = True
    j["model"]["merges"] = [m.split(" ", 1) if isinstance(m, str) else m for m in j["model"]["merges"]]
    d = os.path.join(OUT, "llama-tok")
    fast = save_fast(j, d, "meta-llama-Llama-3.2-3B-Instruct.jinja", bos_token="<|begin_of_text|>", eos_token="<|eot_id|>")
    return fast, d


def ids_fixture(fast, strings, name, add_special):
    cases = []
    for s in strings:
        ids = fast(s, add_special_tokens=add_special)["input_ids"]
        cases.append({"text": s, "ids": ids})
    # A few decodes (skip_special_tokens both ways) to pin decode behaviour.
    decodes = []
    for c in cases[:60]:
        decodes.append({"ids": c["ids"], "text": fast.decode(c["ids"], skip_special_tokens=False),
                        "skip": fast.decode(c["ids"], skip_special_tokens=True)})
    with open(os.path.join(OUT, name), "w") as f:
        json.dump({"add_special_tokens": add_special, "cases": cases, "decodes": decodes}, f, ensure_ascii=False, separators=(",", ":"))


def smollm2_template():
    """SmolLM2-135M-Instruct's template, read from the GGUF's tokenizer.chat_template (copied from its
    tokenizer_config.json by the converter) when the model is in the cache; else the committed copy."""
    path = os.path.join(TEMPLATES, "HuggingFaceTB-SmolLM2-135M-Instruct.jinja")
    gguf = os.path.expanduser("~/.cache/rewardkit/models/SmolLM2-135M-Instruct.Q4_1.gguf")
    if os.path.exists(gguf):
        t = gguf_string(gguf, "tokenizer.chat_template")
        if t is not None:
            with open(path, "w") as f:
                f.write(t)
    return path


def gguf_string(path, key):
    with open(path, "rb") as f:
        assert f.read(4) == b"GGUF"
        _version, _nt, nkv = struct.unpack("<IQQ", f.read(20))
        sizes = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}

        def rstr():
            (n,) = struct.unpack("<Q", f.read(8))
            return f.read(n).decode("utf-8")

        def skip(t):
            if t == 8:
                rstr()
            elif t == 9:
                et, n = struct.unpack("<IQ", f.read(12))
                for _ in range(n):
                    skip(et)
            else:
                f.read(sizes[t])

        for _ in range(nkv):
            k = rstr()
            (t,) = struct.unpack("<I", f.read(4))
            if k == key and t == 8:
                return rstr()
            skip(t)
    return None


TOOLS = [{"type": "function", "function": {
    "name": "get_weather", "description": "Get the weather — in °C, for a city like 東京",
    "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "City \"name\""},
                                                    "days": {"type": "integer"}}, "required": ["city"]}}}]

CONVS = {
    "user": [{"role": "user", "content": "Hello, how are you?"}],
    "system_user": [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "What is 2+2?"}],
    "multi": [{"role": "user", "content": "Hi!"}, {"role": "assistant", "content": "  Hello! How can I help?  "},
              {"role": "user", "content": "Tell me a joke 😀 about 日本."}],
    "ends_assistant": [{"role": "system", "content": "Be kind."}, {"role": "user", "content": "1+1?"},
                       {"role": "assistant", "content": "2"}],
    "think": [{"role": "user", "content": "Solve x+1=2"},
              {"role": "assistant", "content": "<think>\nx = 2 - 1\n</think>\n\nx = 1"},
              {"role": "user", "content": "And x+2=5?"}],
    "think_last": [{"role": "user", "content": "Solve x+1=2"},
                   {"role": "assistant", "content": "<think>\nsubtract\n</think>\n\nx = 1"}],
    "tool_calls": [{"role": "user", "content": "Weather in Paris?"},
                   {"role": "assistant", "content": "", "tool_calls": [
                       {"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris", "days": 2}}}]},
                   {"role": "tool", "content": "{\"temp\": 21}"},
                   {"role": "assistant", "content": "It is 21 °C."}],
    "steps": [{"role": "system", "content": "Please reason step by step, and put your final answer within \\boxed{}."},
              {"role": "user", "content": "What is 3*4?"},
              {"role": "assistant", "content": "Step 1: 3*4 = 12.<extra_0>Step 2: \\boxed{12}<extra_0>"}],
}

# (template file, tokenizer kind, conversation, add_generation_prompt, tools?, extra kwargs)
RENDERS = []
for tpl, kind in [("Qwen-Qwen2.5-7B-Instruct.jinja", "qwen"), ("Qwen-Qwen3-0.6B.jinja", "qwen"),
                  ("HuggingFaceTB-SmolLM2-135M-Instruct.jinja", "qwen"),
                  ("meta-llama-Llama-3.1-8B-Instruct.jinja", "llama"), ("meta-llama-Llama-3.2-3B-Instruct.jinja", "llama")]:
    llama = kind == "llama"
    pin = {"date_string": "26 Jul 2024"} if "3.2" in tpl else {}
    for conv in ["user", "system_user", "multi", "ends_assistant", "steps"]:
        for agp in [True, False]:
            RENDERS.append((tpl, kind, conv, agp, False, dict(pin)))
    if "Qwen3" in tpl:
        for conv in ["think", "think_last", "user"]:
            RENDERS.append((tpl, kind, conv, True, False, {"enable_thinking": False}))
            RENDERS.append((tpl, kind, conv, False, False, {"enable_thinking": True}))
    if "SmolLM2" not in tpl:
        RENDERS.append((tpl, kind, "user", True, True, dict(pin)))
        RENDERS.append((tpl, kind, "system_user", True, True, dict(pin)))
    if "Qwen" in tpl:
        RENDERS.append((tpl, kind, "tool_calls", True, True, {}))
    if llama:
        RENDERS.append((tpl, kind, "system_user", True, False, {"date_string": "01 Jan 2025"}))
        RENDERS.append((tpl, kind, "system_user", True, True, {"date_string": "01 Jan 2025", "tools_in_user_message": False}))


def main():
    rng = random.Random(1234)
    qwen, qdir = build_qwen(rng)
    llama, ldir = build_llama(rng)
    ids_fixture(qwen, test_strings(random.Random(1), QWEN_SPECIALS + QWEN_ADDED), "qwen-ids.json", True)
    ids_fixture(llama, test_strings(random.Random(2), LLAMA_SPECIALS + ["<LSTRIP>", "<RSTRIP>"]), "llama-ids.json", True)

    smollm2_template()
    renders = []
    for tpl, kind, conv, agp, tools, extra in RENDERS:
        tok = qwen if kind == "qwen" else llama
        with open(os.path.join(TEMPLATES, tpl)) as f:
            tok.chat_template = f.read()
        try:
            text = tok.apply_chat_template(CONVS[conv], tools=TOOLS if tools else None, tokenize=False,
                                           add_generation_prompt=agp, **extra)
            err = None
        except Exception as e:  # templates may raise_exception; the Swift side must raise too
            text, err = None, str(e)
        renders.append({"template": tpl, "tokenizer": kind, "conversation": conv, "add_generation_prompt": agp,
                        "tools": tools, "extra": extra, "special_tokens": tok.special_tokens_map,
                        "expected": text, "error": err})
    with open(os.path.join(OUT, "templates.json"), "w") as f:
        json.dump({"conversations": CONVS, "tools": TOOLS, "renders": renders}, f, ensure_ascii=False, indent=1)
    print("wrote", len(renders), "renders")


if __name__ == "__main__":
    sys.exit(main())
