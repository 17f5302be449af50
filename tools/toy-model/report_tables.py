"""Markdown tables for REPORT.md from the evaluation JSON that `analyse.py eval` writes (eval.json).

  /usr/bin/python3 tools/toy-model/report_tables.py tools/toy-model/report/v13/eval.json

Prints the per-prompt adherence table, the aggregate against the issue's targets and the word-swap
table, so the report's figures are copied from the measurement, never typed by hand.
"""
from __future__ import annotations

import json
import sys

TARGETS = dict(colour=0.90, shape=0.80, position=0.80)


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def adherence_tables(res: dict) -> str:
    rows = ["| prompt | colour | shape | stated position |", "| --- | --- | --- | --- |"]
    for prompt, r in res["prompts"].items():
        rows.append(f"| `{prompt}` | {pct(r['colour'])} | {pct(r['shape'])} | "
                    f"{pct(r['position']) if 'position' in r else '—'} |")
    a = res["adherence"]
    n_all, n_pos = len(res["prompts"]), sum("position" in r for r in res["prompts"].values())
    agg = ["", "| aggregate | measured | target |", "| --- | --- | --- |"]
    for key, label in (("colour", f"colour ({n_all} prompts)"), ("shape", f"shape ({n_all} prompts)"),
                       ("position", f"stated position ({n_pos} prompts)")):
        ok = "✔" if a[key] >= TARGETS[key] else "✘"
        agg.append(f"| {label} | **{pct(a[key])}** | ≥ {TARGETS[key] * 100:.0f}% {ok} |")
    return "\n".join(rows + agg)


def swap_table(res: dict) -> str:
    rows = ["| swap | selfMaxQuery | median shift P2P (px) | median shift no controller (px) | "
            "mean P2P / no ctrl (px) | edit shape rate P2P / no ctrl | source shape rate |",
            "| --- | --- | --- | --- | --- | --- | --- |"]
    for swap, entry in res["swaps"].items():
        for key, e in entry.items():
            smq = key.split("=")[1]
            rows.append(
                f"| `{swap}` | {smq} | **{e['median_shift_p2p_px']:.2f}** | **{e['median_shift_no_controller_px']:.2f}** | "
                f"{e['mean_shift_p2p_px']:.2f} / {e['mean_shift_no_controller_px']:.2f} | "
                f"{pct(e['edit_shape_rate_p2p'])} / {pct(e['edit_shape_rate_no_controller'])} | "
                f"{pct(e['source_shape_rate'])} |")
    return "\n".join(rows)


def main():
    res = json.load(open(sys.argv[1]))
    print(f"<!-- {sys.argv[1]}: {res['seeds']} seeds, {res['scheduler']} {res['steps']} steps, "
          f"guidance {res['guidance']} -->\n")
    print(adherence_tables(res))
    print()
    print(swap_table(res))


if __name__ == "__main__":
    main()
