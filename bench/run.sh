#!/usr/bin/env bash
# probe-bpf's benchmark (`make bench`): what recording costs, as ratios to
# the same workload run natively.  See bench/README.md for what each number
# means.
#
# These VMs are noisy, so a number is only ever compared with one measured
# in the same run: every round runs native, probe-bpf and strace back to
# back (in a rotating order, so no variant always goes first), and the
# report gives the median of each and the ratio of the medians, plus the
# spread of the per-round ratios.
#
# Environment: BENCH_ROUNDS (default 5), BENCH_SYSCALL_ITERATIONS and
# BENCH_FORK_ITERATIONS (default: the programs' own defaults).
# Needs root (probe-bpf does), bash, coreutils, gcc and strace.
set -euo pipefail

readonly LOCK=/tmp/probe-bench.lock
SCRIPT=$(realpath "${BASH_SOURCE[0]}")
readonly SCRIPT
ROOT=$(dirname "$(dirname "$SCRIPT")")
readonly ROOT
readonly OUT=build/bench
readonly PROBE=./probe-bpf

# strace stops the tracee twice per syscall: about 40 times slower on the
# syscall loop, so it runs 1/10 of the iterations there (against a native
# run of the same size) to keep a default run under three minutes.  The
# fork+exec loop is dominated by exec and page faults, which strace does
# not stop on, so it runs in full.
readonly SYSCALL_STRACE_DIVISOR=10
readonly FORK_STRACE_DIVISOR=1

# Targets, as ratios in hundredths and the start-up cost in ms.
readonly SYSCALL_TARGET=130 FORK_TARGET=120 UNTRACED_TARGET=110
readonly STARTUP_TARGET_MS=300

# Start-up pairs per round: one pair takes ~0.15 s, and more samples steady
# a difference that is small next to the noise.
readonly STARTUP_PAIRS=3

# How long the background recording gets to settle once its command runs.
readonly SETTLE_S=0.3

die() {
	echo "bench: $*" >&2
	exit 2
}

progress() {
	echo "$*" >&2
}

# Measurements must not overlap with another engineer's test or bench run:
# run the whole script again under the shared lock.
take_lock() {
	if [[ ${PROBE_BENCH_LOCKED:-} == "$LOCK" ]]; then
		return
	fi
	if ! command -v flock >/dev/null; then
		progress "bench: flock not found: measuring without $LOCK"
		return
	fi
	export PROBE_BENCH_LOCKED=$LOCK
	if ! flock -n "$LOCK" true; then
		progress "bench: waiting for $LOCK (another run holds it)"
	fi
	exec flock "$LOCK" "$BASH" "$SCRIPT" "$@"
}

check_environment() {
	[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] ||
		die "BENCH_ROUNDS=$ROUNDS: want a positive whole number"
	((EUID == 0)) || die "probe-bpf needs root: run as root (sudo make bench)"
	[[ -x $PROBE ]] || die "$ROOT/probe-bpf is missing: run 'make all' first"
	RECORD=("$PROBE" record -q --overwrite)
	# Under sudo, probe-bpf runs the command as the user who ran sudo; run
	# it as root like the native runs, and able to write to our temp dir.
	if [[ -n ${SUDO_UID:-} ]]; then
		RECORD+=(--user 0)
	fi
	command -v gcc >/dev/null || die "gcc not found: run 'make deps'"
	if command -v strace >/dev/null; then
		HAVE_STRACE=1
	else
		HAVE_STRACE=0
		progress "bench: strace not found ('make deps' installs it): no strace column"
	fi
}

# Compile the workloads and the timer when their source is newer.
build_helpers() {
	local p
	mkdir -p "$OUT"
	for p in syscall_loop fork_exec_loop elapsed; do
		if [[ ! -x $OUT/$p || bench/$p.c -nt $OUT/$p ]]; then
			gcc -O2 -g -Wall -Wextra -Werror -std=gnu11 \
				-o "$OUT/$p" "bench/$p.c" ||
				die "cannot compile bench/$p.c"
		fi
	done
}

# A workload's default iteration count, read from its source so that the
# program run by hand and this script agree.
default_iterations() {
	local n
	n=$(sed -n 's/^#define DEFAULT_ITERATIONS \([0-9]\+\).*/\1/p' "$1")
	[[ -n $n ]] || die "$1: no '#define DEFAULT_ITERATIONS N' line"
	echo "$n"
}

# ---- arithmetic: integers only (no awk or bc on a minimal system) ----

median() {
	local -a s
	mapfile -t s < <(printf '%s\n' "$@" | sort -n)
	local n=${#s[@]}
	if ((n % 2)); then
		echo "${s[n / 2]}"
	else
		echo $(((s[n / 2 - 1] + s[n / 2]) / 2))
	fi
}

min_of() {
	printf '%s\n' "$@" | sort -n | head -n 1
}

max_of() {
	printf '%s\n' "$@" | sort -n | tail -n 1
}

# A / B in hundredths, rounded.
ratio100() {
	echo $((($1 * 100 + $2 / 2) / $2))
}

# Hundredths as "1.23".
fmt_hundredths() {
	printf '%d.%02d' $(($1 / 100)) $(($1 % 100))
}

# Microseconds as milliseconds with one decimal, rounded.
fmt_ms() {
	local us=$1 sign=""
	if ((us < 0)); then
		sign=-
		us=$((-us))
	fi
	local tenths=$(((us + 50) / 100))
	printf '%s%d.%d' "$sign" $((tenths / 10)) $((tenths % 10))
}

# ---- running and timing ----

# Run a command under the C timer; print its wall time in microseconds.
# Any failure is a broken benchmark, not a slow one.
time_us() {
	local us status=0
	us=$("$OUT/elapsed" "$@") || status=$?
	((status == 0)) || die "'$*' failed (status $status)"
	echo "$us"
}

# One timed run of a workload (an array name) as VARIANT:
#   native          the workload alone
#   probe           under probe-bpf record
#   strace          under strace -f, at 1/DIVISOR of the iterations
#   strace_native   the workload alone at strace's iteration count
run_variant() {
	local -n cmd=$1
	local variant=$2 divisor=$3 log=$TMP/$1.probe
	local -a small=("${cmd[0]}" $((cmd[1] / divisor)) "${cmd[@]:2}")
	case $variant in
	native) time_us "${cmd[@]}" ;;
	probe) time_us "${RECORD[@]}" -o "$log" -- "${cmd[@]}" ;;
	strace) time_us strace -f -qq -o /dev/null "${small[@]}" ;;
	strace_native) time_us "${small[@]}" ;;
	esac
}

# Which variants a round of a workload runs, rotated by the round number.
round_variants() {
	local round=$1 divisor=$2
	local -a v=(native probe)
	if ((HAVE_STRACE)); then
		v+=(strace)
		# At the full count strace compares with the native run itself.
		((divisor == 1)) || v+=(strace_native)
	fi
	local first=$((round % ${#v[@]}))
	echo "${v[@]:first}" "${v[@]:0:first}"
}

# One round of a traced workload: append each variant's time to the arrays
# NAME_native, NAME_probe, NAME_strace and NAME_strace_native.
traced_round() {
	local name=$1 round=$2 divisor=$3 variant us
	for variant in $(round_variants "$round" "$divisor"); do
		us=$(run_variant "$name" "$variant" "$divisor")
		local -n samples=${name}_$variant
		samples+=("$us")
		unset -n samples
	done
}

# ---- the background recording for the untraced-process workload ----

BG_PID=""      # probe-bpf record, our child
BG_CMD_PID=""  # the sleep it records

is_running() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[[ ${stat%% *} != Z ]]
}

# Start recording a sleep and return once it is attached.  The recorded
# command only runs once probe-bpf has attached its programs and marked it
# traced, so the pid file it writes is the sign that the recording is live;
# the settle time lets the collector's start-up work die down.
start_background() {
	local pidfile=$TMP/bg.pid
	rm -f "$pidfile"
	# shellcheck disable=SC2016 # $$ and $1 are the recorded shell's
	"${RECORD[@]}" -o "$TMP/background.probe" -- \
		/bin/sh -c 'echo $$ >"$1" && exec sleep 1000' sh "$pidfile" &
	BG_PID=$!
	local waited=0
	until [[ -s $pidfile ]]; do
		is_running "$BG_PID" || die "the background recording failed to start"
		((waited++ < 200)) || die "the background recording did not start in 10 s"
		sleep 0.05
	done
	BG_CMD_PID=$(<"$pidfile")
	sleep "$SETTLE_S"
}

# Wait up to TENTHS tenths of a second for a process to end.
wait_gone() {
	local pid=$1 tenths=$2
	while is_running "$pid"; do
		((tenths-- > 0)) || return 1
		sleep 0.1
	done
}

# End the recorded sleep; probe-bpf then finishes its log and exits.  The
# sleep ignores SIGINT (bash starts background jobs with it ignored), so
# it gets SIGTERM; if probe-bpf still lingers, two SIGINTs stop it (the
# first one it would pass on to its command), and SIGKILL is the last word.
stop_background() {
	[[ -n $BG_PID ]] || return 0
	if [[ -n $BG_CMD_PID ]]; then
		kill -TERM "$BG_CMD_PID" 2>/dev/null || true
	fi
	if ! wait_gone "$BG_PID" 50; then
		kill -INT "$BG_PID" 2>/dev/null || true
		sleep 0.1
		kill -INT "$BG_PID" 2>/dev/null || true
		wait_gone "$BG_PID" 50 || kill -KILL "$BG_PID" 2>/dev/null || true
	fi
	wait "$BG_PID" 2>/dev/null || true
	if [[ -n $BG_CMD_PID ]] && is_running "$BG_CMD_PID"; then
		kill -KILL "$BG_CMD_PID" 2>/dev/null || true
	fi
	BG_PID=""
	BG_CMD_PID=""
}

cleanup() {
	stop_background
	if [[ -n ${TMP:-} ]]; then
		rm -rf "$TMP"
	fi
}

# One round of the untraced-process workload: the syscall loop run outside
# any recording, once with no recording active and once while another
# command is being recorded, in alternating order.
untraced_round() {
	local round=$1 mode us
	local -a modes=(idle recording)
	((round % 2)) && modes=(recording idle)
	for mode in "${modes[@]}"; do
		if [[ $mode == recording ]]; then
			start_background
			us=$(time_us "${syscall_loop[@]}")
			stop_background
			untraced_recording+=("$us")
		else
			us=$(time_us "${syscall_loop[@]}")
			untraced_idle+=("$us")
		fi
	done
}

# One round of start-up pairs: `true` alone, then recorded.
startup_round() {
	local i t p
	for ((i = 0; i < STARTUP_PAIRS; i++)); do
		t=$(time_us /bin/true)
		p=$(time_us "${RECORD[@]}" -o "$TMP/startup.probe" -- /bin/true)
		startup_true+=("$t")
		startup_probe+=("$p")
		startup_diff+=($((p - t)))
	done
}

# Fill the page cache and load the BPF object once before anything counts.
warm_up() {
	time_us "${syscall_loop[@]}" >/dev/null
	time_us "${fork_exec_loop[@]}" >/dev/null
	time_us "${RECORD[@]}" -o "$TMP/startup.probe" -- /bin/true >/dev/null
	if ((HAVE_STRACE)); then
		time_us strace -f -qq -o /dev/null /bin/true >/dev/null
	fi
}

# The `lost` line of `probe-bpf info` for a workload's last log: lost
# records would make probe-bpf look cheaper than it is.
# The output is read whole: a reader that stopped at the line would leave
# probe-bpf info running on after this script.
lost_of() {
	local info key rest
	info=$("$PROBE" info "$TMP/$1.probe") || die "probe-bpf info $1.probe failed"
	while read -r key rest; do
		if [[ $key == lost ]]; then
			echo "$rest"
			return
		fi
	done <<<"$info"
	echo unknown
}

# ---- the report ----

# The commit measured, "+dirty" if the tree has changes: numbers are only
# comparable for the same sources.  "unknown" outside git.
source_version() {
	local head
	if ! command -v git >/dev/null ||
		! head=$(git rev-parse --short HEAD 2>/dev/null); then
		echo unknown
		return
	fi
	if [[ -n $(git status --porcelain --untracked-files=no 2>/dev/null) ]]; then
		head+=+dirty
	fi
	echo "$head"
}

verdict() {
	if (($1)); then echo "meets target"; else echo "MISSES target"; fi
}

yes_no() {
	if (($1)); then echo yes; else echo no; fi
}

# Summarise a traced workload: one table row, key=value results, target.
# Sets ROW, RESULTS (appended) and TARGETS (appended).
summarise_traced() {
	local name=$1 label=$2 divisor=$3 target=$4
	local -n nat=${name}_native pro=${name}_probe
	local -n str=${name}_strace str_nat=${name}_strace_native
	local -n cmd=$name
	((divisor == 1)) && str_nat=("${nat[@]}")
	local n_med p_med r i line lost
	local -a per_round=()
	n_med=$(median "${nat[@]}")
	p_med=$(median "${pro[@]}")
	r=$(ratio100 "$p_med" "$n_med")
	lost=$(lost_of "$name")
	for i in "${!nat[@]}"; do
		per_round+=("$(ratio100 "${pro[i]}" "${nat[i]}")")
	done
	local lo hi
	lo=$(min_of "${per_round[@]}")
	hi=$(max_of "${per_round[@]}")
	local strace_cell="-" strace_ratio="-"
	RESULTS+="${name}_iterations=${cmd[1]}
${name}_native_ms=$(fmt_ms "$n_med")
${name}_probe_ms=$(fmt_ms "$p_med")
${name}_ratio=$(fmt_hundredths "$r")
${name}_ratio_min=$(fmt_hundredths "$lo")
${name}_ratio_max=$(fmt_hundredths "$hi")
${name}_probe_lost=$lost
"
	if ((HAVE_STRACE)); then
		local s_med sn_med sr
		s_med=$(median "${str[@]}")
		sn_med=$(median "${str_nat[@]}")
		sr=$(ratio100 "$s_med" "$sn_med")
		strace_ratio="$(fmt_hundredths "$sr")x"
		# The column shows strace's time for the full count: scaled
		# (marked ~) when it ran fewer iterations.
		if ((divisor == 1)); then
			strace_cell="$(fmt_ms "$s_med") ms"
		else
			strace_cell="~$(fmt_ms $((s_med * divisor))) ms"
		fi
		RESULTS+="${name}_strace_iterations=$((cmd[1] / divisor))
${name}_strace_native_ms=$(fmt_ms "$sn_med")
${name}_strace_ms=$(fmt_ms "$s_med")
${name}_strace_ratio=$(fmt_hundredths "$sr")
"
	fi
	local ok=$((r <= target))
	RESULTS+="${name}_target=$(fmt_hundredths "$target")
${name}_meets_target=$(yes_no $ok)
"
	printf -v ROW '%-18s %10s %10s %7sx  (%s..%s) %12s %8s' "$label" \
		"$(fmt_ms "$n_med") ms" "$(fmt_ms "$p_med") ms" \
		"$(fmt_hundredths "$r")" "$(fmt_hundredths "$lo")" \
		"$(fmt_hundredths "$hi")" "$strace_cell" "$strace_ratio"
	printf -v line '  %-18s %7sx  target <= %sx   %s' "$label" \
		"$(fmt_hundredths "$r")" "$(fmt_hundredths "$target")" "$(verdict $ok)"
	TARGETS+="$line"$'\n'
	# What the ratio would be without probe-bpf's fixed start-up cost.
	local steady
	steady=$(ratio100 $((p_med - STARTUP_DIFF_MED)) "$n_med")
	NOTES+="  $label: $(fmt_hundredths "$steady")x once the $(fmt_ms "$STARTUP_DIFF_MED") ms start-up is taken out; records lost in the last log: $lost"$'\n'
	RESULTS+="${name}_ratio_without_startup=$(fmt_hundredths "$steady")
"
}

report() {
	local rows="" ROW line
	RESULTS="date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
commit=$(source_version)
kernel=$(uname -r)
ncpus=$(nproc)
rounds=$ROUNDS
"
	TARGETS=""
	NOTES=""
	STARTUP_DIFF_MED=$(median "${startup_diff[@]}")

	summarise_traced syscall_loop "syscall loop" "$SYSCALL_STRACE_DIVISOR" "$SYSCALL_TARGET"
	rows+="$ROW"$'\n'
	summarise_traced fork_exec_loop "fork+exec loop" "$FORK_STRACE_DIVISOR" "$FORK_TARGET"
	rows+="$ROW"$'\n'

	# Untraced: "native" is no recording, "probe-bpf" is another recording.
	local i_med r_med ur lo hi i
	local -a per_round=()
	i_med=$(median "${untraced_idle[@]}")
	r_med=$(median "${untraced_recording[@]}")
	ur=$(ratio100 "$r_med" "$i_med")
	for i in "${!untraced_idle[@]}"; do
		per_round+=("$(ratio100 "${untraced_recording[i]}" "${untraced_idle[i]}")")
	done
	lo=$(min_of "${per_round[@]}")
	hi=$(max_of "${per_round[@]}")
	printf -v ROW '%-18s %10s %10s %7sx  (%s..%s) %12s %8s' "untraced process" \
		"$(fmt_ms "$i_med") ms" "$(fmt_ms "$r_med") ms" "$(fmt_hundredths "$ur")" \
		"$(fmt_hundredths "$lo")" "$(fmt_hundredths "$hi")" - -
	rows+="$ROW"$'\n'
	local ok=$((ur <= UNTRACED_TARGET))
	printf -v line '  %-18s %7sx  target <= %sx   %s' "untraced process" \
		"$(fmt_hundredths "$ur")" "$(fmt_hundredths "$UNTRACED_TARGET")" "$(verdict $ok)"
	TARGETS+="$line"$'\n'
	RESULTS+="untraced_iterations=${syscall_loop[1]}
untraced_idle_ms=$(fmt_ms "$i_med")
untraced_recording_ms=$(fmt_ms "$r_med")
untraced_ratio=$(fmt_hundredths "$ur")
untraced_ratio_min=$(fmt_hundredths "$lo")
untraced_ratio_max=$(fmt_hundredths "$hi")
untraced_target=$(fmt_hundredths "$UNTRACED_TARGET")
untraced_meets_target=$(yes_no $ok)
"

	# Start-up: the median of the per-pair differences.
	local t_med p_med d_lo d_hi
	t_med=$(median "${startup_true[@]}")
	p_med=$(median "${startup_probe[@]}")
	d_lo=$(min_of "${startup_diff[@]}")
	d_hi=$(max_of "${startup_diff[@]}")
	printf -v ROW '%-18s %10s %10s %9s (%s..%s ms)' "start-up" \
		"$(fmt_ms "$t_med") ms" "$(fmt_ms "$p_med") ms" \
		"+$(fmt_ms "$STARTUP_DIFF_MED") ms" "$(fmt_ms "$d_lo")" "$(fmt_ms "$d_hi")"
	rows+="$ROW"$'\n'
	ok=$((STARTUP_DIFF_MED < STARTUP_TARGET_MS * 1000))
	printf -v line '  %-18s %8s  target < %s ms    %s' "start-up" \
		"$(fmt_ms "$STARTUP_DIFF_MED") ms" "$STARTUP_TARGET_MS" "$(verdict $ok)"
	TARGETS+="$line"$'\n'
	RESULTS+="startup_true_ms=$(fmt_ms "$t_med")
startup_probe_ms=$(fmt_ms "$p_med")
startup_ms=$(fmt_ms "$STARTUP_DIFF_MED")
startup_ms_min=$(fmt_ms "$d_lo")
startup_ms_max=$(fmt_ms "$d_hi")
startup_target_ms=$STARTUP_TARGET_MS
startup_meets_target=$(yes_no $ok)
"

	echo
	echo "probe-bpf benchmark ($(source_version)): $ROUNDS rounds, $(nproc) CPUs, Linux $(uname -r)"
	echo
	printf '%-18s %10s %10s %8s  %-12s %12s %8s\n' workload native probe-bpf \
		ratio "(range)" strace ratio
	printf '%s' "$rows"
	echo
	echo "targets:"
	printf '%s' "$TARGETS"
	echo
	echo "notes:"
	printf '%s' "$NOTES"
	echo "  syscall loop: ${syscall_loop[1]} x open/read/close/stat of ${syscall_loop[2]}; fork+exec loop: ${fork_exec_loop[1]} x fork, exec ${fork_exec_loop[2]}, wait"
	if ((HAVE_STRACE && SYSCALL_STRACE_DIVISOR > 1)); then
		echo "  ~: strace ran 1/$SYSCALL_STRACE_DIVISOR of the syscall loop (ratio against a native run of that size); time scaled up"
	fi

	printf '%s' "$RESULTS" >"$OUT/results.txt.tmp"
	mv "$OUT/results.txt.tmp" "$OUT/results.txt"
	echo
	echo "results: $ROOT/$OUT/results.txt"
}

main() {
	take_lock "$@"
	cd "$ROOT"
	ROUNDS=${BENCH_ROUNDS:-5}
	check_environment
	build_helpers

	syscall_loop=("$OUT/syscall_loop"
		"${BENCH_SYSCALL_ITERATIONS:-$(default_iterations bench/syscall_loop.c)}"
		/etc/hostname)
	fork_exec_loop=("$OUT/fork_exec_loop"
		"${BENCH_FORK_ITERATIONS:-$(default_iterations bench/fork_exec_loop.c)}"
		/bin/true)
	local n
	for n in "${syscall_loop[1]}" "${fork_exec_loop[1]}"; do
		[[ $n =~ ^[1-9][0-9]*$ ]] || die "iteration count $n: want a positive whole number"
	done
	((syscall_loop[1] >= SYSCALL_STRACE_DIVISOR)) ||
		die "BENCH_SYSCALL_ITERATIONS: want at least $SYSCALL_STRACE_DIVISOR"

	TMP=$(mktemp -d "${TMPDIR:-/tmp}/probe-bench.XXXXXX")
	trap cleanup EXIT
	trap 'progress "bench: interrupted"; exit 130' INT
	trap 'progress "bench: terminated"; exit 143' TERM

	# Samples, in microseconds; the traced workloads' arrays are filled
	# and read through namerefs (traced_round, summarise_traced).
	# shellcheck disable=SC2034
	declare -ga syscall_loop_native=() syscall_loop_probe=() \
		syscall_loop_strace=() syscall_loop_strace_native=() \
		fork_exec_loop_native=() fork_exec_loop_probe=() \
		fork_exec_loop_strace=() fork_exec_loop_strace_native=() \
		untraced_idle=() untraced_recording=() \
		startup_true=() startup_probe=() startup_diff=()

	progress "bench: warming up"
	warm_up
	local round
	for ((round = 0; round < ROUNDS; round++)); do
		progress "bench: round $((round + 1))/$ROUNDS"
		traced_round syscall_loop "$round" "$SYSCALL_STRACE_DIVISOR"
		traced_round fork_exec_loop "$round" "$FORK_STRACE_DIVISOR"
		untraced_round "$round"
		startup_round
	done
	report
}

main "$@"
