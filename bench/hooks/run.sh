#!/bin/bash
# What each way of hooking syscalls costs, side by side in one run.  loop
# opens, reads, closes and stats /etc/hostname HOOK_ITERATIONS times; for
# each variant of hooks.bpf.c, in HOOK_ROUNDS interleaved rounds, it is
# timed with no program attached, and, under one attachment, once
# untraced and once traced (the loader marks that loop's pid).  The times
# compared are CPU times of the fastest tenth of each loop (see loop.c).
# Then one more pass per variant with kernel.bpf_stats_enabled=1 for the
# programs' run counts and run times (not during the timed rounds: the
# stats add two clock reads to every run).  See README.md.
#
# Needs root.  Holds /tmp/probe-bench.lock while measuring, and within it
# mounts tracefs on /sys/kernel/tracing if it is not mounted (the
# per-syscall tracepoint variants find their events there), unmounting it
# again before letting go of the lock.  HOOK_RESULTS=FILE keeps the raw
# timings.
#
# usage: bench/hooks/run.sh [VARIANT...]
#   (default: tp_btf raw_tp raw_tp_pair tp_recorded tp_file tp_btf_nop;
#   `build/bench/hooks/hooks --list` has them all)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$root/build/bench/hooks
rounds=${HOOK_ROUNDS:-5}
# About 0.6 s per loop on the project's 2-core VMs: short, so that a
# variant's three loops of a round share the state of a noisy machine;
# a multiple of loop.c's CHUNKS.
iterations=${HOOK_ITERATIONS:-100000}
syscalls_per_iteration=4 # openat, read, close, newfstatat
lock=/tmp/probe-bench.lock
tracefs=/sys/kernel/tracing
if (($#)); then
	variants=("$@")
else
	variants=(tp_btf raw_tp raw_tp_pair tp_recorded tp_file tp_btf_nop)
fi

tmp=
mounted_tracefs=0
stats_old=
declare -A loop_pids=() loop_fds=()
hooks_pid=
lock_pid=
our_progs=
disturbed=0

die() {
	echo "hooks/run.sh: $*" >&2
	exit 2
}

# Runs on every exit: stop what we started, put the machine back.
cleanup() {
	local pid
	for pid in $lock_pid $hooks_pid "${loop_pids[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	if [[ -n $stats_old ]]; then
		sysctl -q -w kernel.bpf_stats_enabled="$stats_old" || true
	fi
	restore_tracefs
	if [[ -n $tmp ]]; then
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

check_environment() {
	local cmd
	((EUID == 0)) || die "needs root (BPF programs, tracefs, sysctl)"
	[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "HOOK_ROUNDS is not a count: $rounds"
	[[ $iterations =~ ^[1-9][0-9]*0$ ]] ||
		die "HOOK_ITERATIONS is not a multiple of 10: $iterations"
	for cmd in make bpftool flock sysctl python3; do
		command -v "$cmd" >/dev/null || die "$cmd not found: make deps"
	done
}

check_variants() {
	local v
	for v in "${variants[@]}"; do
		"$out/hooks" --list | grep -qx -- "$v" ||
			die "unknown variant $v (try: $out/hooks --list)"
	done
}

# The tp_* variants attach perf-event tracepoints, which libbpf finds by
# their tracefs ids; nothing mounts tracefs on this machine by default.
ensure_tracefs() {
	[[ -d $tracefs/events ]] && return
	echo "note: mounting tracefs on $tracefs (unmounted at the end)"
	mount -t tracefs nodev "$tracefs" || die "cannot mount tracefs on $tracefs"
	mounted_tracefs=1
	[[ -d $tracefs/events/syscalls ]] ||
		die "no syscall events in $tracefs: kernel without CONFIG_FTRACE_SYSCALLS"
}

restore_tracefs() {
	if ((mounted_tracefs)); then
		mounted_tracefs=0
		umount "$tracefs" ||
			echo "hooks/run.sh: note: could not unmount $tracefs" >&2
	fi
}

# Waits in the background, so that a signal still ends the script.
take_lock() {
	exec {lock_fd}>"$lock"
	flock -n "$lock_fd" && return
	echo "waiting for $lock (another benchmark holds it)"
	flock "$lock_fd" &
	lock_pid=$!
	wait "$lock_pid"
	lock_pid=
}

# How many syscall hooks other than ours are attached.  Someone else's
# program on sys_enter/sys_exit (a probe-bpf recording, say) runs in our
# loop's syscalls and puts every task on the syscall slow path, the
# "no program" loops included; the lock only keeps out those who take it.
foreign_hooks() {
	bpftool link show | awk -v ours=" $our_progs " '
		/^[0-9]+:/ { prog = $4; mine = index(ours, " " prog " ") > 0 }
		/^[0-9]+: perf_event/ && !mine { n++ }
		/tp .sys_(enter|exit)./ && !mine { n++ }
		END { print n + 0 }'
}

note_foreign_hooks() {
	if (($(foreign_hooks))); then
		disturbed=1
	fi
}

# Gives another tool's syscall hooks up to 30 s to go away.
wait_for_quiet() {
	local deadline=$((SECONDS + 30))
	while (($(foreign_hooks))) && ((SECONDS < deadline)); do
		sleep 0.5
	done
}

# start_loop NAME: a loop that waits, blocked on the open of its fifo and
# then on its go line, so that its pid is known (and can be marked
# traced) before it runs a single timed syscall.
start_loop() {
	local name=$1 fd
	"$out/loop" "$iterations" <"$tmp/$name.in" >"$tmp/$name.out" &
	loop_pids[$name]=$!
	exec {fd}>"$tmp/$name.in"
	loop_fds[$name]=$fd
}

# run_loop NAME: lets the loop go and watches for foreign hooks while it
# runs; its times are then in $tmp/NAME.out.
run_loop() {
	local name=$1 pid=${loop_pids[$1]} fd=${loop_fds[$1]}
	note_foreign_hooks
	echo >&"$fd"
	exec {fd}>&-
	while kill -0 "$pid" 2>/dev/null; do
		sleep 0.5
		note_foreign_hooks
	done
	wait "$pid" || die "loop failed"
	unset "loop_pids[$name]" "loop_fds[$name]"
}

# start_hooks VARIANT [PID]: returns once the programs are attached.
start_hooks() {
	local deadline=$((SECONDS + 30))
	: >"$tmp/hooks.out"
	"$out/hooks" "$@" <"$tmp/hooks.in" >"$tmp/hooks.out" 2>"$tmp/hooks.err" &
	hooks_pid=$!
	exec {hooks_fd}>"$tmp/hooks.in"
	until grep -qx ready "$tmp/hooks.out"; do
		if ! kill -0 "$hooks_pid" 2>/dev/null || ((SECONDS > deadline)); then
			cat "$tmp/hooks.err" >&2
			die "hooks $* did not get ready"
		fi
		sleep 0.02
	done
	our_progs=$(loaded_progs | cut -d' ' -f1 | tr '\n' ' ')
}

# The "prog ID NAME" lines of the running loader, as "ID NAME".
loaded_progs() {
	sed -n 's/^prog \([0-9]*\) \(.*\)/\1 \2/p' "$tmp/hooks.out"
}

# Closing its stdin makes the loader detach and print its counters.
stop_hooks() {
	exec {hooks_fd}>&-
	wait "$hooks_pid" || {
		cat "$tmp/hooks.err" >&2
		die "hooks failed"
	}
	hooks_pid=
	our_progs=
	# Its notes (skipped tracepoints) come every time: say them once.
	grep '^hooks: note:' "$tmp/hooks.err" >>"$tmp/notes" || true
	grep -v '^hooks: note:' "$tmp/hooks.err" >&2 || true
}

# Of the two loops, only the traced one may have been counted, and by
# each program for each of its opens and closes: else the timings
# measured the wrong path.  The controls count nothing.
check_counted() {
	local variant=$1 progs open close
	progs=$(loaded_progs | wc -l)
	case $variant in
	tp_btf_nop | tp_unused) return ;;
	esac
	read -r open close < <(sed -n \
		's/^counted open=\([0-9]*\) close=\([0-9]*\).*/\1 \2/p' \
		"$tmp/hooks.out") || die "$variant: hooks printed no counters"
	((open >= progs * iterations && open < 2 * progs * iterations &&
		close >= progs * iterations && close < 2 * progs * iterations)) ||
		die "$variant: its $progs programs counted open=$open close=$close for one traced loop of $iterations"
}

# The loop's "CPU_NS WALL_NS BEST_NS" as a results line.
record() {
	local round=$1 variant=$2 mode=$3
	echo "$round $variant $mode $(cat "$tmp/$mode.out") $disturbed" \
		>>"$tmp/results"
}

# attached_pair VARIANT FIRST SECOND: the untraced and the traced loop
# under one attachment of VARIANT, in the order given.
attached_pair() {
	local variant=$1 first=$2 second=$3
	start_loop untraced
	start_loop traced
	start_hooks "$variant" "${loop_pids[traced]}"
	run_loop "$first"
	run_loop "$second"
	stop_hooks
	check_counted "$variant"
}

unattached() {
	start_loop none
	run_loop none
}

# One round of one variant.  Odd rounds run the three loops in reverse,
# so that a steady drift of the machine's speed cancels out over a pair
# of rounds.  Loops that another tool's syscall hooks overlapped are run
# again, up to three times, and kept (flagged) if need be.
measure() {
	local round=$1 variant=$2 try mode
	for try in 1 2 3; do
		wait_for_quiet
		disturbed=0
		if ((round % 2)); then
			attached_pair "$variant" traced untraced
			unattached
		else
			unattached
			attached_pair "$variant" untraced traced
		fi
		((disturbed)) || break
		echo "note: another tool's syscall hook overlapped $variant (try $try)"
	done
	for mode in none untraced traced; do
		record "$round" "$variant" "$mode"
	done
}

# The variants in a different order each round, so that none of them
# always runs first in a round.
round_order() {
	local round=$1 n=${#variants[@]} i
	for ((i = 0; i < n; i++)); do
		echo "${variants[(i + round) % n]}"
	done
}

timed_rounds() {
	local round variant
	: >"$tmp/results"
	if [[ $(sysctl -n kernel.bpf_stats_enabled) != 0 ]]; then
		echo "note: kernel.bpf_stats_enabled is on (someone else's):" \
			"the timings include the stats' clock reads"
	fi
	for ((round = 0; round < rounds; round++)); do
		echo "round $((round + 1))/$rounds"
		for variant in $(round_order "$round"); do
			measure "$round" "$variant"
		done
	done
}

# The cumulative "NAME RUN_CNT RUN_TIME_NS" of each of our programs.
prog_stats() {
	local id name
	while read -r id name; do
		echo "$name" "$(bpftool prog show id "$id" |
			sed -n 's/.*run_time_ns \([0-9]*\) run_cnt \([0-9]*\).*/\2 \1/p')"
	done < <(loaded_progs)
}

# stats_run VARIANT: the untraced then the traced loop under one
# attachment; prints "VARIANT MODE NAME RUN_CNT RUN_TIME_NS" per program
# and loop (the traced loop's share is the difference of the totals).
stats_run() {
	local variant=$1
	start_loop untraced
	start_loop traced
	start_hooks "$variant" "${loop_pids[traced]}"
	run_loop untraced
	prog_stats >"$tmp/stats.untraced"
	run_loop traced
	prog_stats >"$tmp/stats.traced"
	stop_hooks
	check_counted "$variant"
	awk -v v="$variant" '
		NR == FNR { cnt[$1] = $2; ns[$1] = $3;
			    print v, "untraced", $1, $2, $3; next }
		{ print v, "traced", $1, $2 - cnt[$1], $3 - ns[$1] }' \
		"$tmp/stats.untraced" "$tmp/stats.traced"
}

stats_pass() {
	local variant
	stats_old=$(sysctl -n kernel.bpf_stats_enabled)
	sysctl -q -w kernel.bpf_stats_enabled=1
	echo "stats pass"
	for variant in "${variants[@]}"; do
		wait_for_quiet
		stats_run "$variant" >>"$tmp/stats"
	done
	sysctl -q -w kernel.bpf_stats_enabled="$stats_old"
	stats_old=
}

print_stats() {
	echo
	echo "Program runs during one loop of $iterations iterations" \
		"(bpftool prog show, kernel.bpf_stats_enabled=1;"
	echo "ns/run includes the stats' own two clock reads):"
	printf '%-12s %-9s %-16s %10s %14s %8s\n' variant loop program \
		run_cnt run_time_ns ns/run
	awk '{ printf "%-12s %-9s %-16s %10d %14d %8.1f\n", $1, $2, $3, $4, $5,
	       $4 ? $5 / $4 : 0 }' "$tmp/stats"
}

main() {
	check_environment
	make -s -C "$here"
	check_variants
	tmp=$(mktemp -d /tmp/hooks-bench.XXXXXX)
	mkfifo "$tmp/none.in" "$tmp/untraced.in" "$tmp/traced.in" \
		"$tmp/hooks.in"

	take_lock
	ensure_tracefs
	echo "$rounds rounds of ${#variants[@]} variants x 3 loops of" \
		"$iterations iterations ($syscalls_per_iteration syscalls each)"
	: >"$tmp/stats"
	: >"$tmp/notes"
	timed_rounds
	stats_pass
	restore_tracefs
	flock -u "$lock_fd"

	sort -u "$tmp/notes"
	echo
	python3 "$here/report.py" "$tmp/results" "$iterations" \
		"$syscalls_per_iteration"
	print_stats
	if [[ -n ${HOOK_RESULTS:-} ]]; then
		cp "$tmp/results" "$HOOK_RESULTS"
	fi
}

main
