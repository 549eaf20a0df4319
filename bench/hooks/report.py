"""Summarise bench/hooks/run.sh's timings as tables.

usage: report.py RESULTS ITERATIONS SYSCALLS_PER_ITERATION

RESULTS holds one line per timed loop: ROUND VARIANT MODE CPU_NS WALL_NS
BEST_NS DISTURBED (see loop.c for the times), MODE being none, untraced or
traced, and DISTURBED 1 when another tool's syscall hooks were attached
during the loop.  A variant's three loops of a round ran back to back, so
each round's ratios compare neighbours.
"""
import statistics
import sys

MODES = ("none", "untraced", "traced")
CLOCKS = {"cpu": 0, "wall": 1, "best": 2}


def load(path):
    """{variant: {mode: {round: (cpu, wall, best)}}} and the disturbed
    loops, variants in the order of the first round."""
    runs, disturbed = {}, []
    with open(path) as f:
        for line in f:
            rnd, variant, mode, cpu, wall, best, dist = line.split()
            modes = runs.setdefault(variant, {m: {} for m in MODES})
            modes[mode][int(rnd)] = (int(cpu), int(wall), int(best))
            if dist != "0":
                disturbed.append(f"{variant}/{mode} in round {int(rnd) + 1}")
    return runs, disturbed


def per_iteration(modes, mode, clock, iterations):
    """{round: ns per iteration} of one mode on one clock."""
    return {r: t[CLOCKS[clock]] / iterations for r, t in modes[mode].items()}


def cells(modes, mode, clock, iterations, per_sc):
    """Median ns, then the median, min and max of the per-round ratios to
    the round's own baseline and the median per-round ns added per
    syscall: pairing within a round keeps out the machine's slow swings."""
    base = per_iteration(modes, "none", clock, iterations)
    runs = per_iteration(modes, mode, clock, iterations)
    ratios = [ns / base[r] for r, ns in runs.items()]
    added = [(ns - base[r]) / per_sc for r, ns in runs.items()]
    return (f"{statistics.median(runs.values()):8.0f} "
            f"{statistics.median(ratios):6.3f} "
            f"{min(ratios):5.3f}..{max(ratios):5.3f} "
            f"{statistics.median(added):+7.0f}")


def table(runs, clock, iterations, per_sc):
    print(f"{'':12} {'none':>8} {'---------- untraced ----------':>36}"
          f"  {'----------- traced -----------':>36}")
    half = f"{'ns/it':>8} {'ratio':>6} {'min..max':>12} {'+ns/sc':>7}"
    print(f"{'variant':<12} {'ns/it':>8} {half}  {half}")
    for variant, modes in runs.items():
        base = statistics.median(
            per_iteration(modes, "none", clock, iterations).values())
        print(f"{variant:<12} {base:8.0f} " +
              cells(modes, "untraced", clock, iterations, per_sc) + "  " +
              cells(modes, "traced", clock, iterations, per_sc))


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: report.py RESULTS ITERATIONS SYSCALLS_PER_ITERATION")
    runs, disturbed = load(sys.argv[1])
    iterations, per_sc = int(sys.argv[2]), int(sys.argv[3])
    rounds = max(len(m["none"]) for m in runs.values())
    print(f"ns/it: ns per loop iteration ({per_sc} syscalls), median of"
          f" {rounds} rounds.  ratio: median of the per-round")
    print("ratios to the same round's no-program loop, min..max their range;"
          " +ns/sc: median ns added per syscall.")
    for clock, what in (("best", "CPU time, fastest tenth of each loop"
                         " (the number to compare)"),
                        ("cpu", "CPU time, whole loop")):
        print(f"\n{what}:")
        table(runs, clock, iterations, per_sc)
    if disturbed:
        print("\nstill overlapped by another tool's syscall hooks after"
              " 3 tries (kept): " + ", ".join(disturbed))


if __name__ == "__main__":
    main()
