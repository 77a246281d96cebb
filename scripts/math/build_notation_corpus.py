#!/usr/bin/env python3
"""Builds the notation corpus (issue 15 categories 1-9, issue 16 false positives) and records
math-verify 0.9.0's verdicts next to the intended verdict.

Every pair below was written by hand for this project (no third-party cases copied). Each
output line: {"id", "category", "gold", "pred", "truth", "mv"}; "truth" is the verdict a
careful grader gives (the one `MathNotationTests` asserts), "mv" is
math_verify.verify(parse(gold), parse(pred)) with defaults, recorded for the agreement table.

    python3 -m venv .venv-math && .venv-math/bin/pip install math-verify==0.9.0
    .venv-math/bin/python scripts/math/build_notation_corpus.py \
        --out Tests/RewardVerifiersTests/Fixtures/math/notation.jsonl
"""
import argparse
import json

T, F = True, False

PAIRS = {
    # 1. Several \boxed{} in one answer: a list of values.
    "1-multi-boxed": [
        ("$1, 2$", r"The roots are \boxed{1} and \boxed{2}.", T),
        (r"\boxed{1,2}", r"\boxed{1}, \boxed{2}", T),
        (r"$\{1,2\}$", r"So $x=\boxed{2}$ or $x=\boxed{1}$.", T),
        ("$(1,2), (3,4)$", r"\boxed{(1,2)} and \boxed{(3,4)}", T),
        ("$-5, 3$", r"\boxed{3} \quad \boxed{-5}", T),
        ("$7, 11, 13$", r"\boxed{7}, \boxed{11}, \boxed{13}", T),
        (r"$\frac{1}{2}, -1$", r"Both work: \boxed{\frac12}; \boxed{-1}", T),
        ("5", r"First we get \boxed{4}. Checking again, the total is \boxed{5}.", T),
        ("$1, 2$", r"\boxed{1}, \boxed{3}", F),
        ("1", r"\boxed{1} and \boxed{2}", F),
        ("$1, 2$", r"\boxed{1}", F),
        ("4", r"First we get \boxed{4}. Checking again, the total is \boxed{5}.", F),
    ],
    # 2. Labelled answers, equation chains, \approx tails.
    "2-labelled": [
        ("$(3,2)$", "$(p,q)=(3,2)$", T),
        ("$(p,q)=(3,2)$", "$(3,2)$", T),
        ("$4, 5$", "$AB=4, CD=5$", T),
        ("$AB=4, CD=5$", "$4, 5$", T),
        ("1", "$f(x)=1$", T),
        ("7", "$g(2) = 7$", T),
        ("1", "$|AB|=1$", T),
        ("$2, 3$", r"$x_1=2,\quad x_2=3$", T),
        (r"$x_1=2,\ x_2=3$", "$2, 3$", T),
        ("5", "$x = 2 + 3 = 5$", T),
        ("12", r"$S = 3 \cdot 4 = 12$", T),
        (r"$\frac{1}{3}$", r"$\frac{1}{3} \approx 0.333$", T),
        (r"$\pi$", r"$\pi \approx 3.14$", T),
        (r"$2\sqrt{2}$", r"$2\sqrt{2} \approx 2.83$", T),
        ("$(3,2)$", "$(p,q)=(2,3)$", F),
        ("1", "$f(x)=2$", F),
        ("2", "$g(2) = 7$", F),
        ("3.14", r"$\pi \approx 3.14$", F),
        ("$2, 3$", r"$x_1=2,\quad x_2=4$", F),
    ],
    # 3. Ratios.
    "3-ratio": [
        (r"$\frac{7}{32}$", "$7:32$", T),
        ("$7:32$", "7/32", T),
        ("$11:21$", "$V_1:V_2 = 11:21$", T),
        (r"$\frac{11}{21}$", "$V_1 : V_2 = 11 : 21$", T),
        ("$1:2$", "$2:4$", T),
        ("$3:4$", r"3 \colon 4", T),
        ("$7:32$", "$32:7$", F),
        ("$3:4$", "$3$", F),
        ("$11:21$", "$V_1:V_2 = 21:11$", F),
    ],
    # 4. Inequalities and intervals.
    "4-inequality": [
        ("$[-2,7]$", r"$-2 \le x \le 7$", T),
        (r"$-2 \le x \le 7$", r"$x \in [-2,7]$", T),
        ("$(0,1)$", "$0<f(x)<1$", T),
        (r"$(-\infty,-1] \cup [3,\infty)$", r"$|x-1| \ge 2$", T),
        (r"$(-\infty,-1) \cup (3,\infty)$", r"$x < -1 \text{ or } x > 3$", T),
        (r"$(-2,-1) \cup (1,2)$", r"$1 < |x| < 2$", T),
        ("$(-3,3)$", r"$|x| < 3$", T),
        (r"$[5,\infty)$", r"$x \geq 5$", T),
        ("$[-2,7]$", r"$-2 < x \le 7$", F),
        (r"$[3,\infty)$", "$x>3$", F),
        (r"$(-\infty,-1] \cup [3,\infty)$", r"$|x-1| \le 2$", F),
        ("$(-3,3)$", r"$|x| \le 3$", F),
    ],
    # 5. Number formats: decimal comma, TeX thousands separators, currency and unit words.
    "5-number-format": [
        ("1000.99", "1000,99", T),
        ("2.74", r"2,74 $", T),
        ("1000", r"$1\!000$", T),
        ("1000000", r"$1\,000\,000$", T),
        ("25000", "$25{,}000$", T),
        ("1500", r"\$1,500", T),
        ("25", "25 euros", T),
        ("30", "USD 30", T),
        ("12.5", "12.5 dollars", T),
        ("40", r"$40 \text{ km/h}$", T),
        ("0.5", "0,5", T),
        ("1.5", "1,500", F),
        ("1000.99", "1000,98", F),
        ("25", "26 euros", F),
    ],
    # 6. Bare LaTeX without $ delimiters.
    "6-bare-latex": [
        ("10/9", r"\frac{10}{9}", T),
        (r"$-\frac{10}{9}$", r"-\frac{10}{9}", T),
        (r"$\frac{\sqrt{2}}{2}$", r"\sqrt{2}/2", T),
        (r"$2\sqrt{3}$", r"2\sqrt{3}", T),
        ("0.75", r"\dfrac{3}{4}", T),
        (r"$\pi/2$", r"\frac{\pi}{2}", T),
        ("9", r"\frac{10}{9}", F),
        ("3", r"2\sqrt{3}", F),
        ("2", r"\sqrt{2}", F),
    ],
    # 7. Percent words.
    "7-percent-words": [
        (r"$28\%$", "28 pct", T),
        (r"$28\%$", "28 percent", T),
        (r"$28\%$", "28 percentage", T),
        ("28%", "The answer is 28 percent.", T),
        (r"$12.5\%$", "12.5 percent", T),
        (r"$28\%$", "29 percent", F),
        (r"$28\%$", "2.8 pct", F),
    ],
    # 8. The value after a phrase, not the variable named in math mode; final matrix.
    "8-final-phrase": [
        ("34", "Final answer: the largest $n$ is 34.", T),
        ("7", "Final answer: the smallest possible value of $k$ is $7$.", T),
        ("12", "The final answer is that $x$ equals 12.", T),
        (r"$\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}$",
         r"$A + B = \begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}$", T),
        ("34", "Final answer: the largest $n$ is 35.", F),
        (r"$\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}$",
         r"$A + B = \begin{pmatrix} 1 & 2 \\ 3 & 5 \end{pmatrix}$", F),
    ],
    # 9. Over-escaped LaTeX; unknown commands on one side of a chain.
    "9-escaped-chain": [
        ("1/2", r"\\frac{1}{2}", T),
        ("$(1,2)$", r"$\\left(1,2\\right)$", T),
        (r"$\sqrt{2}$", r"$\\sqrt{2}$", T),
        (r"$\frac{3}{4}$", r"\\boxed{\\frac{3}{4}}", T),
        ("6", r"$\operatorname{area}(ABC) = 6$", T),
        ("30", r"$\angle ABC = 30^\circ$", T),
        (r"$\frac{1}{2}$", r"$\int_0^1 x\,dx = \frac{1}{2}$", T),
        ("60", r"$\angle ABC = 30^\circ$", F),
        ("0", r"$\int_0^1 x\,dx = \frac{1}{2}$", F),
        ("1/3", r"\\frac{1}{2}", F),
    ],
    # Issue 16: notation the verifier does not model must never verify against an unrelated answer.
    "fp-unsupported": [
        (r"$\int_0^1 x\,dx$", "0", F),
        (r"$\int_0^1 x\,dx$", "1", F),
        (r"\int_0^1 x\,dx", "0", F),
        ("0", r"\int_0^1 x\,dx", F),
        (r"$\{x \mid x>0\}$", "$x = 0$", F),
        (r"$\{x \mid x>0\}$", "0", F),
        (r"$\{x : x > 0\}$", "0", F),
        (r"$\sum_{k=1}^{n} k$", "$n$", F),
        (r"$\sum_{k=1}^{10} k$", "10", F),
        (r"$\prod_{i=1}^{3} i$", "3", F),
        (r"$\lim_{x \to 0} \frac{\sin x}{x}$", "0", F),
        (r"$\gcd(4,6)$", "$(4,6)$", F),
        (r"$\operatorname{lcm}(2,3)$", "$(2,3)$", F),
        (r"$\mathrm{gcd}(4,6)$", "$(4,6)$", F),
        (r"$\text{max}(3,5)$", "$(3,5)$", F),
        (r"$\max(3, 5)$", "$(3,5)$", F),
        (r"$\min\{1,2\}$", r"$\{1,2\}$", F),
        ("gcd(4,6)", "(4,6)", F),
        (r"$1, 2, \ldots, 10$", "10", F),
        ("1, 2, ..., 10", "10", F),
        (r"$\overline{z}$", "$z$", F),
        (r"$\bar{x}$", "$x$", F),
        (r"$\dot{x}$", "$x$", F),
        ("$f'(x)$", "$x f$", F),
        ("$y'$", "$y$", F),
        (r"$\det(A)$", "$a$", F),
        (r"$5 \bmod 3$", "5", F),
        (r"$\frac{d}{dx} x^2$", "$x^2$", F),
        ("2α", "2", F),
        ("∫ x dx", "x", F),
        (r"$\nabla f$", "$f$", F),
        (r"$\log_2 8$", "8", F),
    ],
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    from math_verify import parse, verify
    rows = []
    for cat, pairs in PAIRS.items():
        for gold, pred, truth in pairs:
            try:
                mv = bool(verify(parse(gold), parse(pred)))
            except Exception:
                mv = False
            rows.append({"id": len(rows), "category": cat, "gold": gold, "pred": pred, "truth": truth, "mv": mv})
    with open(args.out, "w") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    by = {}
    for r in rows:
        a = by.setdefault(r["category"], [0, 0])
        a[0] += 1
        a[1] += r["mv"] == r["truth"]
    for c, (n, ok) in by.items():
        print(f"{c:18s} {n:3d} pairs, math-verify right on {ok}")


if __name__ == "__main__":
    main()
