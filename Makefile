# probe-bpf: `make demo` sets up a fresh machine and records a demo,
# `make test` runs every test.  See README.md.

CLANG ?= clang-16
LLVM_STRIP ?= llvm-strip-16
BPFTOOL ?= bpftool
CC ?= gcc
PYTHON ?= /usr/bin/python3

BUILD := build
PROG := probe-bpf
ARCH := x86

CFLAGS ?= -O2 -g
# override: a CFLAGS given on the command line (make sanitize's) keeps these
override CFLAGS += -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE \
	  -Ischemas -Iuser -I$(BUILD)
LDLIBS := -lbpf -lelf -lz -lm
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) \
	      -Wall -Werror -Ivmlinux -Ischemas -Ibpf

# The Debian packages the build, the tests and the benchmarks need.
DEB_PACKAGES := make gcc clang-16 llvm-16 libbpf-dev bpftool libelf-dev \
	zlib1g-dev libcmocka-dev pkg-config python3 python3-jsonschema procps \
	strace python3-prov graphviz liburing-dev libclang-rt-16-dev

CORE_SRCS := user/util.c user/output.c user/text.c user/names.c user/syscalls.c user/json.c user/log.c user/merge.c \
	     user/records.c user/strset.c user/export_jsonl.c \
	     user/model.c user/hb.c user/idmap.c user/export_tree.c \
	     user/diff_files.c user/dataflow.c user/export_prov.c \
	     user/export_dot.c user/export_hb_dot.c user/dot.c user/filter.c \
	     user/view.c user/who_report.c user/summary.c user/hash.c \
	     user/sha256.c
CLI_SRCS := user/main.c user/cli.c user/record.c user/loader.c user/info.c user/export.c \
	    user/snapshot.c user/diff.c user/lineage.c user/who.c
CORE_OBJS := $(CORE_SRCS:user/%.c=$(BUILD)/%.o)
CLI_OBJS := $(CLI_SRCS:user/%.c=$(BUILD)/%.o)
HEADERS := $(wildcard user/*.h) schemas/probe_abi.h

UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
SCENARIOS := $(patsubst tests/scenarios/%.c,$(BUILD)/scenarios/%,$(wildcard tests/scenarios/*.c))

.PHONY: all deps deb-packages demo test unit integration sanitize fuzz fuzz-bins \
	bench vmlinux clean format

all: $(PROG)

$(PROG): $(CORE_OBJS) $(CLI_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/probe.bpf.o: bpf/probe.bpf.c $(wildcard bpf/*.h) schemas/probe_abi.h vmlinux/vmlinux.h | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(LLVM_STRIP) -g $@

$(BUILD)/probe.skel.h: $(BUILD)/probe.bpf.o
	$(BPFTOOL) gen skeleton $< name probe > $@

$(BUILD)/loader.o: $(BUILD)/probe.skel.h

$(BUILD)/%.o: user/%.c $(HEADERS) | $(BUILD)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD) $(BUILD)/tests $(BUILD)/scenarios:
	mkdir -p $@

# Regenerate the committed vmlinux.h from this machine's kernel BTF.
vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux/vmlinux.h

# Install what building and testing need (Debian 12), as root.
deps:
	@if ! command -v $(CLANG) >/dev/null || ! command -v $(BPFTOOL) >/dev/null || \
	    ! test -f /usr/include/bpf/libbpf.h || ! test -f /usr/include/cmocka.h || \
	    ! $(PYTHON) -c 'import jsonschema' 2>/dev/null || ! command -v strace >/dev/null || \
	    ! $(PYTHON) -c 'import prov' 2>/dev/null || ! command -v dot >/dev/null || \
	    ! test -f /usr/include/liburing.h || \
	    ! test -f /usr/lib/llvm-16/lib/clang/16/lib/linux/libclang_rt.fuzzer-x86_64.a; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $(DEB_PACKAGES); \
	fi

deb-packages:
	@echo $(DEB_PACKAGES)

# README command 1: set up, build, record the demo pipeline and summarise it.
demo: deps
	$(MAKE) --no-print-directory all
	rm -f demo.probe
	./probe-bpf record -o demo.probe -- sh tests/demo/pipeline.sh $(CURDIR)/demo-out
	./probe-bpf info --files demo.probe
	./probe-bpf lineage demo.probe demo-out/counts.txt
	@echo "log: $(CURDIR)/demo.probe (try: ./probe-bpf lineage --tree demo.probe demo-out/counts.txt; who demo.probe demo-out/words; export dot --png demo.probe -o demo.png)"

# README command 2 (and what .ci/run calls): the tests, then the same
# tests built with ASan and UBSan, then the readers fuzzed for FUZZ_TIME
# seconds from the seed corpus.
test: deps
	$(MAKE) --no-print-directory all unit-bins scenarios
	$(MAKE) --no-print-directory unit integration
	$(MAKE) --no-print-directory sanitize
	$(MAKE) --no-print-directory fuzz

unit-bins: $(UNIT_TESTS)
scenarios: $(SCENARIOS)

$(BUILD)/tests/%: tests/unit/%.c $(CORE_OBJS) tests/unit/helpers.h | $(BUILD)/tests
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(CORE_OBJS) -lcmocka -lm

$(BUILD)/scenarios/%: tests/scenarios/%.c $(wildcard tests/scenarios/*.h) | $(BUILD)/scenarios
	$(CC) -O1 -g -Wall -Wextra -Werror -D_GNU_SOURCE -pthread -o $@ $<

# io_uring through liburing.
$(BUILD)/scenarios/io_uring_%: tests/scenarios/io_uring_%.c $(wildcard tests/scenarios/*.h) | $(BUILD)/scenarios
	$(CC) -O1 -g -Wall -Wextra -Werror -D_GNU_SOURCE -o $@ $< -luring

# A static binary: nothing for a preloaded library to interpose.
$(BUILD)/scenarios/static_%: tests/scenarios/static_%.c | $(BUILD)/scenarios
	$(CC) -O1 -g -Wall -Wextra -Werror -static -o $@ $<

unit: unit-bins
	@set -e; for t in $(UNIT_TESTS); do echo "== $$t"; $$t; done

integration: all scenarios
	$(PYTHON) tests/integration/run.py

# The unit and integration tests once more, built with AddressSanitizer and
# UndefinedBehaviorSanitizer in a directory of their own (the normal build
# stays as it is): a failed test or any sanitizer report fails it.
SAN_BUILD := build-san
SAN_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all
SAN_REPORTS := $(CURDIR)/$(SAN_BUILD)/reports
SAN_ENV := ASAN_OPTIONS=log_path=$(SAN_REPORTS)/asan:detect_leaks=1 \
	UBSAN_OPTIONS=log_path=$(SAN_REPORTS)/ubsan:print_stacktrace=1

sanitize: deps scenarios
	$(MAKE) --no-print-directory BUILD=$(SAN_BUILD) PROG=$(SAN_BUILD)/probe-bpf \
		CC=$(CLANG) CFLAGS="$(SAN_CFLAGS)" $(SAN_BUILD)/probe-bpf unit-bins
	@rm -rf $(SAN_REPORTS) && mkdir -p $(SAN_REPORTS); failed=0; \
	for t in $(SAN_BUILD)/tests/test_*; do echo "== $$t"; \
		$(SAN_ENV) $$t || failed=1; done; \
	$(SAN_ENV) PROBE_BPF=$(CURDIR)/$(SAN_BUILD)/probe-bpf \
		$(PYTHON) tests/integration/run.py || failed=1; \
	if ls $(SAN_REPORTS) | grep -q .; then cat $(SAN_REPORTS)/*; \
		echo "sanitizer reports: see above"; failed=1; fi; \
	exit $$failed

# The readers fuzzed with libFuzzer (clang-16), ASan and UBSan, in a
# directory of their own: every command reads each input as a log
# (tests/fuzz/fuzz_readers.c), starting from the logs tests/fuzz/seeds.c
# writes and the inputs that once broke a reader (tests/fuzz/found/), for
# FUZZ_TIME seconds.  A crash, a leak, an input that takes more
# than 10 s or an allocation of more than 2 GB fails it, and leaves the
# input in $(FUZZ_BUILD)/ (crash-*, timeout-*, oom-*, leak-*).
FUZZ_BUILD := build-fuzz
FUZZ_TIME ?= 60
FUZZ_CFLAGS := -O1 -g -fno-omit-frame-pointer \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
FUZZ_OBJS = $(CORE_OBJS) $(BUILD)/cli.o $(BUILD)/info.o $(BUILD)/lineage.o

fuzz: deps
	$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(CLANG) \
		CFLAGS="$(FUZZ_CFLAGS)" fuzz-bins
	rm -rf $(FUZZ_BUILD)/seeds && mkdir -p $(FUZZ_BUILD)/seeds $(FUZZ_BUILD)/corpus
	$(FUZZ_BUILD)/fuzz/seeds $(FUZZ_BUILD)/seeds
	$(FUZZ_BUILD)/fuzz/fuzz_readers -max_total_time=$(FUZZ_TIME) \
		-timeout=10 -rss_limit_mb=2048 -max_len=65536 -close_fd_mask=3 \
		-print_final_stats=1 -artifact_prefix=$(FUZZ_BUILD)/ \
		$(FUZZ_BUILD)/corpus $(FUZZ_BUILD)/seeds tests/fuzz/found

fuzz-bins: $(BUILD)/fuzz/fuzz_readers $(BUILD)/fuzz/seeds

$(BUILD)/fuzz:
	mkdir -p $@

$(BUILD)/fuzz/fuzz_readers: tests/fuzz/fuzz_readers.c $(FUZZ_OBJS) | $(BUILD)/fuzz
	$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJS) -lm

$(BUILD)/fuzz/seeds: tests/fuzz/seeds.c $(CORE_OBJS) tests/unit/helpers.h | $(BUILD)/fuzz
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(CORE_OBJS) -lcmocka -lm

bench: all scenarios
	bench/run.sh

format:
	clang-format -i bpf/*.c bpf/*.h user/*.c user/*.h schemas/*.h tests/unit/*.c tests/unit/*.h tests/scenarios/*.c tests/fuzz/*.c

clean:
	rm -rf $(BUILD) $(SAN_BUILD) $(FUZZ_BUILD) probe-bpf demo.probe demo-out
