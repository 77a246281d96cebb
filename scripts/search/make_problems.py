#!/usr/bin/env python3
"""Seeded multi-step integer arithmetic word problems at graded difficulty (issue 11 evaluation).

Difficulty d in {1,2,3} = number of operations after the start value (so 2-4 numbers); small numbers
so SmolLM2-135M solves some and not others. The reference is the exact integer result.

usage: make_problems.py --count 60 --seed 0 > problems.jsonl
"""
import argparse, json, random

NAMES = ["Tom", "Ana", "Sam", "Lee", "Mia", "Raj", "Eva", "Ben"]
ITEMS = ["apples", "pens", "marbles", "stickers", "books", "coins", "cards", "shells"]


def problem(rng, d):
    name, item = rng.choice(NAMES), rng.choice(ITEMS)
    value = rng.randint(2, 9)
    text = [f"{name} has {value} {item}."]
    for _ in range(d):
        op = rng.choice(["buy", "give", "double"] if value <= 20 else ["give"])
        if op == "buy":
            k = rng.randint(2, 9)
            text.append(f"{name} buys {k} more {item}.")
            value += k
        elif op == "give" and value > 2:
            k = rng.randint(1, value - 1)
            text.append(f"{name} gives {k} {item} to a friend.")
            value -= k
        else:
            text.append(f"Then the number of {item} {name} has doubles.")
            value *= 2
    text.append(f"How many {item} does {name} have now?")
    return " ".join(text), value


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=60)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    for i in range(a.count):
        d = 1 + i % 3
        q, v = problem(rng, d)
        prompt = q + " Solve it step by step, then give the final answer as \\boxed{N}."
        print(json.dumps({"id": f"arith-{a.seed}-{i}", "prompt": prompt, "reference": str(v), "difficulty": d}))


if __name__ == "__main__":
    main()
