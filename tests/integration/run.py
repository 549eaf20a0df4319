#!/usr/bin/python3
"""Integration tests: record real programs with the real BPF side, as root,
and check the operations the log holds against what the programs did and
against stat(2) of the same files.

Run from the repository root after `make all scenarios`:
    /usr/bin/python3 tests/integration/run.py [-k NAME]
Ends with the line "N passed, N failed".
"""

import contextlib
import datetime
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import traceback

import jsonschema
import prov
import prov.constants
import prov.model

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# make sanitize points PROBE_BPF at its build of the same program
PROBE = os.environ.get("PROBE_BPF") or os.path.join(ROOT, "probe-bpf")
SCENARIOS = os.path.join(ROOT, "build", "scenarios")
SCHEMA = json.load(open(os.path.join(ROOT, "schemas", "ops.schema.json")))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
PROV_VALIDATOR = jsonschema.Draft202012Validator(
    json.load(open(os.path.join(ROOT, "schemas", "prov-json.schema.json"))))
LINEAGE_VALIDATOR = jsonschema.Draft202012Validator(
    json.load(open(os.path.join(ROOT, "schemas", "lineage.schema.json"))))

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


class Recording:
    """A finished recording: the recorder's exit status, stderr, the ops
    and the happens-before edges."""

    def __init__(self, log, proc, hb_warning=None):
        self.log = log
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.ops, self.edges = export_ops(log, hb=True, hb_warning=hb_warning)
        self.model = model_check(log)

    def edge_kinds(self, src, dst):
        """The kinds of the happens-before edges from op src to op dst."""
        return [e["kind"] for e in self.edges if e["from"] == src["id"] and e["to"] == dst["id"]]

    def where(self, **match):
        """The ops whose fields equal every given value."""
        return [op for op in self.ops if all(op.get(k) == v for k, v in match.items())]

    def one(self, **match):
        found = self.where(**match)
        assert len(found) == 1, "want one op %r, found %d: %r" % (match, len(found), found[:5])
        return found[0]


def no_duplicate_keys(pairs):
    keys = [k for k, _ in pairs]
    assert len(keys) == len(set(keys)), "a JSON line repeats a key: %r" % keys
    return dict(pairs)


def model_check(log):
    """The fd model's check of the log: it must never disagree with the
    kernel about which file an fd refers to."""
    info = subprocess.run([PROBE, "info", log], capture_output=True, text=True)
    assert info.returncode == 0, info.stderr
    line = [l for l in info.stdout.splitlines() if l.startswith("fd model")][0]
    uses, agree, disagree, unknown = (int(w) for w in line.replace(",", " ").split() if w.isdigit())
    assert disagree == 0, "the fd model disagrees with the kernel: " + line
    fs = [l for l in info.stdout.splitlines() if l.startswith("fs model")][0]
    checked, absolute, fs_agree, fs_disagree = (int(w) for w in fs.replace(",", " ").replace("(", " ").split() if w.isdigit())
    assert fs_disagree == 0 and fs_agree == checked, "the fs model disagrees with the kernel: " + fs
    return {"uses": uses, "agree": agree, "unknown": unknown, "fs_checked": checked, "root_checked": absolute}


def export_ops(log, hb=False, hb_warning=None, validate=True):
    """The ops of a log (and with hb, its happens-before edges, whose
    check must have found nothing wrong, or said hb_warning); validate
    checks each against the schema (slow for 100,000 ops)."""
    out = subprocess.run([PROBE, "export", "jsonl", log] + (["--hb"] if hb else []),
                         capture_output=True, text=True)
    assert out.returncode == 0, "export failed: %s" % out.stderr
    lines = [json.loads(line, object_pairs_hook=no_duplicate_keys) for line in out.stdout.splitlines()]
    for op in lines if validate else []:
        errors = list(VALIDATOR.iter_errors(op))
        assert not errors, "line does not match the schema: %r: %s" % (op, errors[0].message)
    ops = [op for op in lines if op["op"] != "hb_edge"]
    assert [op["id"] for op in ops] == list(range(len(ops))), "op ids are not 0, 1, 2..."
    if not hb:
        return ops
    if hb_warning:
        assert "happens-before graph: " in out.stderr and hb_warning in out.stderr, out.stderr
    else:
        assert "happens-before" not in out.stderr, out.stderr
    edges = [e for e in lines if e["op"] == "hb_edge"]
    assert lines[len(ops):] == edges, "edges must follow every op"
    assert all(e["from"] < len(ops) and e["to"] < len(ops) for e in edges), "an edge names no op"
    return ops, edges


def record(tmp, cmd, *options, env=None, name="run.probe", hb_warning=None, cwd=None):
    log = os.path.join(tmp, name)
    proc = subprocess.run([PROBE, "record", "-q", "-o", log, *options, "--", *cmd],
                          capture_output=True, text=True, env=env, timeout=60, cwd=cwd)
    return Recording(log, proc, hb_warning)


def write_file(path, text):
    with open(path, "w") as f:
        f.write(text)


def stdout_values(rec):
    """The "name number" lines a scenario printed, as a dict."""
    return dict((k, int(n)) for k, n in (line.split()[:2] for line in rec.stdout.splitlines()))


def wait_until_recording(log):
    """A recorder has attached once its log holds its header and more."""
    for _ in range(100):
        if os.path.exists(log) and os.path.getsize(log) > 600:
            break
        time.sleep(0.05)
    time.sleep(0.2)


def stat_id(path):
    st = os.stat(path)
    return st.st_dev, st.st_ino


def assert_file(op, path):
    """op opened path: its absolute path and identity match stat(2)."""
    assert op["path"] == os.path.realpath(path), (op["path"], path)
    dev, ino = stat_id(path)
    assert (op["dev"], op["ino"]) == (dev, ino), (op, dev, ino)


def reaches(rec, src, dst):
    """Whether op dst is reachable from op src along happens-before edges."""
    succ = {}
    for e in rec.edges:
        succ.setdefault(e["from"], []).append(e["to"])
    todo, seen = [src["id"]], {src["id"]}
    while todo:
        v = todo.pop()
        if v == dst["id"]:
            return True
        for w in succ.get(v, []):
            if w not in seen:
                seen.add(w)
                todo.append(w)
    return False


def processes_in_order(rec):
    """pid of each successful exec, in log order, with its argv[0]."""
    return [(op["pid"], os.path.basename(op["argv"][0])) for op in rec.where(op="exec") if "err" not in op]


# ---- recording a command ----


@test
def shell_pipeline(tmp):
    src = os.path.join(tmp, "in.txt")
    dst = os.path.join(tmp, "out.txt")
    write_file(src, "hello\nworld\n")
    rec = record(tmp, ["sh", "-c", "cat %s | tr a-z A-Z > %s" % (src, dst)])
    assert rec.rc == 0, rec.stderr
    assert open(dst).read() == "HELLO\nWORLD\n"

    first = rec.ops[0]
    assert first["op"] == "exec" and first["argv"] == ["sh", "-c", "cat %s | tr a-z A-Z > %s" % (src, dst)], first
    sh = first["pid"]
    execs = dict((name, pid) for pid, name in processes_in_order(rec))
    assert {"sh", "cat", "tr"} <= set(execs), execs
    # sh forked the two sides of the pipe; each is a process, not a thread
    children = {c["child_pid"] for c in rec.where(op="clone", pid=sh)}
    assert {execs["cat"], execs["tr"]} <= children, (children, execs)
    for c in rec.where(op="clone", pid=sh):
        assert not c["thread"] and not c["share_files"] and not c["share_fs"], c

    read = rec.one(op="open", pid=execs["cat"], path=src)
    assert read["access"] == "r" and read["flags"][0] == "O_RDONLY", read
    assert_file(read, src)
    # the shell opens the redirect in the child that becomes tr
    write = rec.one(op="open", path=dst)
    assert write["pid"] == execs["tr"], (write, execs)
    assert write["access"] == "w" and {"O_WRONLY", "O_CREAT", "O_TRUNC"} <= set(write["flags"]), write
    assert_file(write, dst)
    for pid in (sh, execs["cat"], execs["tr"]):
        exit_op = rec.one(op="exit", pid=pid, group_dead=True)
        assert exit_op.get("status") == 0, exit_op
    # happens-before: cat's write into the pipe -> tr's read from it
    wrote = rec.one(op="write", pid=execs["cat"], type="fifo")
    got = rec.one(op="read", pid=execs["tr"], type="fifo")
    assert wrote["ino"] == got["ino"] and rec.edge_kinds(wrote, got) == ["pipe"], (wrote, got)
    assert reaches(rec, read, rec.one(op="open", path=dst)) is False  # the two sides are not ordered
    assert reaches(rec, first, rec.one(op="exit", pid=sh, group_dead=True))


@test
def fork_exec_wait(tmp):
    src = os.path.join(tmp, "input")
    out = os.path.join(tmp, "result")
    write_file(src, "data\n")
    prog = os.path.join(SCENARIOS, "fork_exec_wait")
    rec = record(tmp, [prog, src, out])
    assert rec.rc == 3, (rec.rc, rec.stderr)  # the program's own status
    parent = rec.ops[0]
    assert parent["op"] == "exec" and parent["path"] == prog, parent
    assert (parent["exe_dev"], parent["exe_ino"]) == stat_id(prog), parent
    pid = parent["pid"]

    fork = rec.one(op="clone", pid=pid)
    assert fork["syscall"] in ("clone", "clone3", "fork"), fork
    assert not fork["thread"] and not fork["share_vm"] and not fork["share_files"], fork
    assert "CLONE_THREAD" not in fork["flags"], fork
    child = fork["child_pid"]
    cat = rec.one(op="exec", pid=child)
    assert cat["argv"] == ["cat", src], cat
    assert (cat["exe_dev"], cat["exe_ino"]) == stat_id("/bin/cat"), cat
    assert cat["start_ns"] == fork["child_start_ns"], (cat, fork)
    assert_file(rec.one(op="open", pid=child, path=src), src)
    assert_file(rec.one(op="open", pid=pid, path=out), out)

    # order: fork < child's exec < child's exit < parent's write < parent's exit
    seqs = [rec.ops.index(op) for op in (fork, cat, rec.one(op="exit", pid=child),
                                         rec.one(op="open", pid=pid, path=out),
                                         rec.one(op="exit", pid=pid))]
    assert seqs == sorted(seqs), seqs
    # happens-before: fork -> the child's first op; its exit -> the wait
    assert rec.edge_kinds(fork, rec.where(pid=child)[0]) == ["clone"]
    reaped = [op for op in rec.where(op="wait4", pid=pid) if op.get("ret") == child]
    assert len(reaped) == 1 and rec.edge_kinds(rec.one(op="exit", pid=child), reaped[0]) == ["wait"], reaped
    assert rec.edge_kinds(cat, rec.where(pid=child)[rec.where(pid=child).index(cat) + 1]) == ["exec"]
    assert reaches(rec, rec.one(op="open", pid=child, path=src), rec.one(op="open", pid=pid, path=out))
    assert rec.one(op="exit", pid=child)["status"] == 0
    assert rec.one(op="exit", pid=pid)["status"] == 3
    # a fork's child has a memory of its own; its exec starts an epoch
    # with another one still
    assert fork["mm"] == parent["mm"] and parent["epoch"] == 1, (fork, parent)
    before = [op for op in rec.where(pid=child) if rec.ops.index(op) < rec.ops.index(cat)]
    assert all(op["epoch"] == 0 and op["mm"] != parent["mm"] for op in before), before
    assert cat["epoch"] == 1 and cat["mm"] not in {parent["mm"]} | {op["mm"] for op in before}, cat
    ts = [op["ts_ns"] for op in rec.ops]
    assert ts == sorted(ts), "ops are not in timestamp order"


@test
def threads(tmp):
    rec = record(tmp, [os.path.join(SCENARIOS, "threads"), tmp])
    assert rec.rc == 0, rec.stderr
    pid = rec.ops[0]["pid"]
    clones = rec.where(op="clone", pid=pid)
    assert len(clones) == 3, clones
    tids = set()
    for c in clones:
        assert c["thread"] and c["share_files"] and c["share_fs"] and c["share_vm"], c
        assert c["child_pid"] == pid and c["child_tid"] != pid, c
        assert {"CLONE_VM", "CLONE_FS", "CLONE_FILES", "CLONE_THREAD", "CLONE_SIGHAND"} <= set(c["flags"]), c
        tids.add(c["child_tid"])
    opened = {}
    for i in range(3):
        path = os.path.join(tmp, "thread-%d" % i)
        op = rec.one(op="open", path=path)
        assert_file(op, path)
        assert op["pid"] == pid, op
        opened[op["tid"]] = path
    assert set(opened) == tids, (opened, tids)  # each thread opened its own file
    for tid in tids:
        ex = rec.one(op="exit", tid=tid)
        assert not ex["group_dead"], ex
    last = rec.one(op="exit", tid=pid)
    assert last["group_dead"] and last["status"] == 0, last
    # one address space for the process and its threads
    assert len({op["mm"] for op in rec.where(pid=pid)}) == 1


@test
def open_relative_to_dirfd(tmp):
    sub = os.path.join(tmp, "d", "sub")
    os.makedirs(sub)
    target = os.path.join(sub, "file.txt")
    write_file(target, "x")
    rec = record(tmp, [os.path.join(SCENARIOS, "dirfd_open"), os.path.join(tmp, "d"), "sub/file.txt"])
    assert rec.rc == 0, rec.stderr
    dirfd, fd, fd2 = map(int, rec.stdout.split())
    d = rec.one(op="open", fd=dirfd, path=os.path.join(tmp, "d"))
    assert "O_DIRECTORY" in d["flags"] and d["type"] == "directory", d
    assert_file(d, os.path.join(tmp, "d"))
    rel = rec.one(op="open", fd=fd, path_arg="sub/file.txt", dirfd=dirfd)
    assert_file(rel, target)
    cwd_rel = rec.one(op="open", fd=fd2, path_arg="sub/file.txt", dirfd=-100)
    assert cwd_rel["access"] == "rw", cwd_rel
    assert_file(cwd_rel, target)
    assert rec.where(op="close", fd=dirfd)


@test
def absolute_path_across_mounts(tmp):
    outer = os.path.join(tmp, "m")
    inner = os.path.join(outer, "deep", "inner")
    os.makedirs(outer)
    subprocess.run(["mount", "-t", "tmpfs", "probe-test", outer], check=True)
    try:
        os.makedirs(inner)
        subprocess.run(["mount", "-t", "tmpfs", "probe-test", inner], check=True)
        try:
            files = [os.path.join(outer, "a.txt"), os.path.join(inner, "b.txt")]
            for p in files:
                write_file(p, "x")
            rec = record(tmp, ["cat", *files])
            assert rec.rc == 0, rec.stderr
            for p in files:
                assert_file(rec.one(op="open", path_arg=p), p)
        finally:
            subprocess.run(["umount", inner], check=True)
    finally:
        subprocess.run(["umount", outer], check=True)


@test
def exec_of_a_script(tmp):
    script = os.path.join(tmp, "hello.sh")
    write_file(script, "#!/bin/sh\nexit 0\n")
    os.chmod(script, 0o755)
    rec = record(tmp, [script])
    assert rec.rc == 0, rec.stderr
    ex = rec.ops[0]
    assert ex["op"] == "exec" and ex["path"] == script and ex["interp"] == "/bin/sh", ex
    assert ex["argv"] == ["/bin/sh", script], ex
    # the kernel mapped the interpreter, not the script
    assert (ex["exe_dev"], ex["exe_ino"]) == stat_id("/bin/sh"), ex


@test
def first_read_and_write_once_per_description(tmp):
    rec = record(tmp, [os.path.join(SCENARIOS, "file_use"), tmp])
    assert rec.rc == 0, rec.stderr
    fds = [line.split() for line in rec.stdout.splitlines()]

    def uses(name):
        path = os.path.join(tmp, name)
        return [(op["op"], op["fd"], op["via"]) for op in rec.ops if op["op"] in ("read", "write")
                and op.get("path") == path]

    opens = [int(fd) for name, fd in fds if name == "in.txt"]
    # written once through the first fd; then the O_RDWR fd is only read,
    # once whatever the count and the syscall; then three fresh opens
    assert uses("in.txt") == [("write", opens[0], "write"), ("read", opens[1], "read")] + \
        [("read", fd, "read") for fd in opens[2:]], uses("in.txt")
    fd = dict((name, int(fd)) for name, fd in fds)
    assert uses("out.txt") == [("write", fd["out.txt"], "writev")], uses("out.txt")
    assert uses("send.txt") == [("write", fd["send.txt"], "sendfile")], uses("send.txt")
    assert uses("copy.txt") == [("write", fd["copy.txt"], "copy_file_range")], uses("copy.txt")
    assert uses("map.txt") == [("read", fd["map.txt"], "mmap"), ("write", fd["map.txt"], "mmap")], uses("map.txt")
    m = [op for op in rec.ops if op.get("via") == "mmap" and op.get("path") == os.path.join(tmp, "map.txt")]
    assert "MAP_SHARED" in m[1]["map_flags"] and "PROT_WRITE" in m[1]["prot"], m[1]
    for op in rec.ops:
        if op["op"] in ("read", "write") and op["path"].startswith(tmp):
            assert_file(op, op["path"])


@test
def read_again_after_the_file_changed(tmp):
    write_file(os.path.join(tmp, "log"), "old\n")
    write_file(os.path.join(tmp, "extra.txt"), "extra\n")
    rec = record(tmp, [os.path.join(SCENARIOS, "reread_after_change"), tmp])
    assert rec.rc == 0, rec.stderr
    assert open(os.path.join(tmp, "out.txt")).read() == "extra\n"
    log = os.path.join(tmp, "log")
    reads = [op for op in rec.ops if op["op"] == "read" and op["path"] == log]
    # the parent's first read, the child's append, the parent's second
    # read: recorded again because the file changed in between
    assert [op["pid"] for op in reads] == [rec.ops[0]["pid"]] * 2, reads
    assert reads[0]["fd"] == reads[1]["fd"], reads
    found = lineage(rec.log, os.path.join(tmp, "out.txt"))
    assert os.path.join(tmp, "extra.txt") in {f["path"] for f in found["files"]}, found


def copy_two_files(tmp, scenario):
    """Record a scenario that copies in1.txt, then in2.txt, into out.txt:
    the recording, the fds (or slots) it printed, and the three paths."""
    paths = tuple(os.path.join(tmp, n) for n in ("in1.txt", "in2.txt", "out.txt"))
    write_file(paths[0], "first\n")
    write_file(paths[1], "second\n")
    rec = record(tmp, [os.path.join(SCENARIOS, scenario), *paths])
    assert rec.rc == 0, rec.stderr
    assert open(paths[2]).read() == "first\nsecond\n"
    return rec, stdout_values(rec), paths


def made_of_both(rec, paths):
    """The lineage both ways: out.txt is made of in1.txt and of in2.txt
    (read before the second write, which is recorded again after that
    new read), and each input's descendants are out.txt."""
    in1, in2, out = paths
    assert files_in_lineage(rec.log, out) == {in1, in2}, files_in_lineage(rec.log, out)
    for src in (in1, in2):
        assert files_in_lineage(rec.log, src, "--descendants") == {out}, src


def uring_ops(rec):
    """The io_uring requests a recording holds, each of the command's
    process and submitted by its main thread, on the one ring."""
    pid = rec.ops[0]["pid"]
    ops = [op for op in rec.ops if op.get("via") == "io_uring"]
    assert all(op["pid"] == op["tid"] == pid and op["ring"] == 1 for op in ops), ops
    return ops


def uring_summary(ops, kind, key="fd"):
    return [(op["path"], op[key], op["opcode"]) for op in ops if op["op"] == kind]


@test
def io_uring_requests_are_opens_reads_writes_and_closes(tmp):
    rec, v, (in1, in2, out) = copy_two_files(tmp, "io_uring_copy")
    setup = rec.one(op="io_uring_setup")
    assert setup["cloexec"] and setup["fd"] == setup["ret"], setup
    ops = uring_ops(rec)
    opens = [op for op in ops if op["op"] == "open"]
    assert [(op["path"], op["fd"], op["opcode"], op["dirfd"]) for op in opens] == [
        (in1, v["in1"], "IORING_OP_OPENAT", -100), (out, v["out"], "IORING_OP_OPENAT", -100),
        (in2, v["in2"], "IORING_OP_OPENAT", -100)], opens
    for op, path in zip(opens, (in1, out, in2)):
        assert_file(op, path)
    assert {"O_CREAT", "O_TRUNC"} <= set(opens[1]["flags"]) and opens[1]["mode"] == 0o644, opens[1]
    assert uring_summary(ops, "read") == [(in1, v["in1"], "IORING_OP_READ"), (in2, v["in2"], "IORING_OP_READ")]
    # the second write comes after a new read: recorded again
    assert uring_summary(ops, "write") == [(out, v["out"], "IORING_OP_WRITE")] * 2
    closes = [op for op in ops if op["op"] == "close"]
    assert [(op["fd"], op["opcode"]) for op in closes] == [
        (v["in1"], "IORING_OP_CLOSE"), (v["in2"], "IORING_OP_CLOSE"), (v["out"], "IORING_OP_CLOSE")], closes
    assert not [op for op in closes if "err" in op or "syscall" in op], closes
    # the fd model knew each fd the ring made: the fds it did not know are
    # stdout's (glibc's fstat, and the write)
    assert rec.model["unknown"] == 2, rec.model
    made_of_both(rec, (in1, in2, out))


@test
def io_uring_worker_threads_do_the_requests(tmp):
    rec, v, (in1, in2, out) = copy_two_files(tmp, "io_uring_copy_async")
    pid = rec.ops[0]["pid"]
    ops = uring_ops(rec)
    clones = rec.where(op="clone", io_thread=True)
    workers = {c["child_tid"] for c in clones}
    assert clones and all(c["pid"] == c["child_pid"] == pid and c["thread"] and c["share_files"]
                          and "syscall" not in c and "CLONE_IO" in c["flags"] for c in clones), clones
    # IOSQE_ASYNC: a worker did each request, for the thread that
    # submitted it
    assert len(ops) == 10 and all(op.get("worker_tid") in workers for op in ops), ops
    assert uring_summary(ops, "read") == [(in1, v["in1"], "IORING_OP_READ"), (in2, v["in2"], "IORING_OP_READ")]
    assert uring_summary(ops, "write") == [(out, v["out"], "IORING_OP_WRITE")] * 2
    # each worker's exit has its clone before it: no orphan thread (and
    # the recording's export said nothing of the happens-before graph)
    for c in clones:
        assert reaches(rec, rec.ops[0], rec.one(op="exit", tid=c["child_tid"])), c
    assert rec.model["unknown"] == 2, rec.model
    made_of_both(rec, (in1, in2, out))


@test
def io_uring_registered_files(tmp):
    rec, v, (in1, in2, out) = copy_two_files(tmp, "io_uring_copy_fixed")
    ops = uring_ops(rec)
    assert not [op for op in ops if "fd" in op], ops
    opened = rec.one(op="open", via="io_uring")
    assert (opened["fixed_file"], opened["opcode"]) == (v["in2"], "IORING_OP_OPENAT"), opened
    assert_file(opened, in2)
    assert uring_summary(ops, "read", "fixed_file") == [
        (in1, v["in1"], "IORING_OP_READ"), (in2, v["in2"], "IORING_OP_READ")]
    assert uring_summary(ops, "write", "fixed_file") == [(out, v["out"], "IORING_OP_WRITE")] * 2
    closed = rec.one(op="close", via="io_uring")
    assert (closed["fixed_file"], closed["opcode"]) == (v["in2"], "IORING_OP_CLOSE"), closed
    # unknown: stdout's two uses, and the two slots io_uring_register(2)
    # filled (not in the log); the slot the ring opened into is known
    assert rec.model["unknown"] == 4, rec.model
    made_of_both(rec, (in1, in2, out))


@test
def linux_aio_reads_and_writes(tmp):
    rec, v, (in1, in2, out) = copy_two_files(tmp, "aio_copy")
    pid = rec.ops[0]["pid"]
    aio = [op for op in rec.ops if op.get("via") == "io_submit"]
    assert [(op["op"], op["path"], op["fd"], op["opcode"]) for op in aio] == [
        ("read", in1, v["in1"], "IOCB_CMD_PREAD"), ("write", out, v["out"], "IOCB_CMD_PWRITE"),
        ("read", in2, v["in2"], "IOCB_CMD_PREADV"), ("write", out, v["out"], "IOCB_CMD_PWRITEV")], aio
    assert all(op["tid"] == pid and op["ring"] == 1 for op in aio), aio
    assert rec.model["unknown"] == 2, rec.model
    made_of_both(rec, (in1, in2, out))


@test
def a_program_run_by_a_relative_path_is_named_absolute(tmp):
    prog = os.path.join(tmp, "prog")
    shutil.copy("/bin/true", prog)
    rec = record(tmp, ["sh", "-c", "cd %s && ./prog" % tmp])
    assert rec.rc == 0, rec.stderr
    who = run_cli("who", "--json", rec.log, prog)
    assert who.returncode == 0, who.stderr
    kinds = [a["kind"] for f in json.loads(who.stdout)["files"] for a in f["accesses"]]
    assert kinds == ["execute"], who.stdout


@test
def fd_table_operations(tmp):
    target = os.path.join(tmp, "f.txt")
    write_file(target, "x")
    rec = record(tmp, [os.path.join(SCENARIOS, "fd_ops"), target])
    assert rec.rc == 0, rec.stderr
    v = stdout_values(rec)
    fd = v["fd"]
    assert rec.one(op="dup", fd=fd)["newfd"] == v["dup"]
    d2 = rec.one(op="dup2", fd=fd)
    assert d2["newfd"] == v["other"] == v["dup2"] and d2["cloexec"] is False, d2
    d3 = rec.one(op="dup3", fd=fd)
    assert d3["newfd"] == 20 and d3["cloexec"] is True, d3
    f = rec.one(op="fcntl", cmd="F_DUPFD_CLOEXEC")
    assert f["fd"] == fd and f["min_fd"] == 30 and f["newfd"] == v["dupfd_cloexec"] and f["cloexec"], f
    assert rec.one(op="fcntl", cmd="F_SETFD")["cloexec"] is True
    assert rec.one(op="fcntl", cmd="F_SETFL")["flags"] == ["O_NONBLOCK"]
    p = rec.one(op="pipe2")
    assert p["fds"] == [v["pipe_r"], v["pipe_w"]] and p["cloexec"] and p["flags"] == ["O_CLOEXEC"], p
    # the first write into the pipe is a use of the pipe's write end
    w = [op for op in rec.where(op="write") if op["fd"] == v["pipe_w"]]
    assert len(w) == 1 and w[0]["type"] == "fifo" and w[0]["path"] == "pipe:[%d]" % w[0]["ino"], w
    c1 = rec.one(op="close_range", first=20)
    assert c1["last"] == 29 and c1["flags"] == ["CLOSE_RANGE_CLOEXEC"], c1
    c2 = rec.one(op="close_range", first=30)
    assert c2["flags"] == ["CLOSE_RANGE_UNSHARE"], c2
    bad = rec.one(op="dup", fd=999)
    assert bad["err"] == "EBADF" and "newfd" not in bad, bad


@test
def metadata_and_process_state(tmp):
    rec = record(tmp, [os.path.join(SCENARIOS, "meta_ops"), tmp])
    assert rec.rc == 0, rec.stderr
    v = stdout_values(rec)
    sub = os.path.join(tmp, "sub")
    f, g = os.path.join(sub, "f"), os.path.join(sub, "g")
    assert rec.one(op="mkdirat", path=sub)["dirfd"] == v["dir"]
    # the stat family: dev/ino as the kernel wrote them to the program
    st = rec.one(op="newfstatat", path=f)
    sx = rec.one(op="statx", path=f)
    assert (st["dev"], st["ino"]) == (sx["dev"], sx["ino"]) == stat_id(g), (st, sx)  # g: exchanged since
    ex = rec.one(op="renameat2", path=f)
    assert ex["path2"] == g and ex["flags"] == ["RENAME_EXCHANGE"], ex
    assert rec.one(op="linkat", path=f)["path2"] == os.path.join(sub, "h")
    assert rec.one(op="symlinkat", path=os.path.join(sub, "s"))["target"] == "f"
    assert rec.one(op="fchmodat", path=f)["mode"] == 0o600
    ft = rec.one(op="ftruncate", fd=v["fd"])
    assert ft["path"] == g and ft["length"] == 3 and (ft["dev"], ft["ino"]) == stat_id(g), ft
    assert rec.one(op="utimensat", fd=v["fd"])["path"] == g  # futimens: no path, the fd's file
    assert rec.where(op="unlinkat", path=os.path.join(sub, "h")) and rec.where(op="unlinkat", path=os.path.join(sub, "s"))
    assert rec.one(op="fchdir", fd=v["dir"])["path"] == tmp
    assert rec.one(op="chdir", path_arg="sub")["path"] == sub
    assert rec.one(op="access", path_arg="f")["path"] == f  # relative to the new cwd
    assert rec.one(op="umask", mask=0o027)
    assert rec.one(op="unshare")["flags"] == ["CLONE_FS"]
    sock = rec.one(op="socket", fd=v["socket"])
    assert sock["path"] == "socket:[%d]" % sock["ino"] and sock["cloexec"] is True, sock
    assert rec.one(op="eventfd2", fd=v["eventfd"])["cloexec"] is False
    mfd = rec.one(op="memfd_create", fd=v["memfd"])
    assert mfd["target"] == "probe-memfd" and mfd["cloexec"] is True, mfd
    assert rec.one(op="pidfd_open", fd=v["pidfd"])["cloexec"] is True


@test
def path_changes_name_their_inodes(tmp):
    rec = record(tmp, [os.path.join(SCENARIOS, "path_changes"), tmp])
    assert rec.rc == 0, rec.stderr
    v = stdout_values(rec)

    def acted_on(op, path, ino, ino2=None):
        found = rec.one(op=op, path=os.path.join(tmp, path))
        assert (found.get("dev"), found.get("ino")) == (v["dev"], ino), (found, ino)
        assert found.get("ino2") == ino2 and ("dev2" in found) == (ino2 is not None), (found, ino2)

    # a file with two names: whichever name the syscall used
    for op, path in [("chmod", "a"), ("fchownat", "b"), ("truncate", "a"), ("utimensat", "b")]:
        acted_on(op, path, v["a"])
    if v["setxattr"] == 0:  # user xattrs may be off on the test's filesystem
        acted_on("setxattr", "a", v["a"])
    acted_on("unlink", "a", v["a"])  # its dentry then was b's
    acted_on("rename", "b", v["a"], ino2=v["c"])  # over c: c's inode replaced
    acted_on("mkdir", "d", v["d"])
    acted_on("mkdir", "d/d", v["dd"])  # not its directory, also named d
    acted_on("rmdir", "d/d", v["dd"])
    acted_on("symlink", "s", v["s"])
    acted_on("mknod", "p", v["p"])
    acted_on("renameat2", "c", v["a"], ino2=v["p"])  # RENAME_EXCHANGE
    # info counts the touch records apart from the ops
    also = [l for l in run_cli("info", rec.log).stdout.splitlines() if l.startswith("also")]
    assert also and int(also[0].split()[1]) >= 14, also


@test
def root_per_fs_struct(tmp):
    jail = os.path.join(tmp, "jail")
    for d in ["jail/sub/deep"]:
        os.makedirs(os.path.join(tmp, d))
    for f in ["jail/f", "jail/sub/g", "jail/sub/h", "jail/sub/deep/g"]:
        write_file(os.path.join(tmp, f), f)
    rec = record(tmp, [os.path.join(SCENARIOS, "chroot"), tmp])
    assert rec.rc == 0, rec.stderr
    pid = rec.ops[0]["pid"]
    # paths from the namespace's root, whatever the task's root
    chroots = [(op["pid"] == pid, op["path"]) for op in rec.where(op="chroot")]
    assert chroots == [(True, jail), (False, jail + "/sub"), (False, jail + "/sub/deep")], chroots
    assert rec.one(op="open", path_arg="/f", pid=pid)["path"] == jail + "/f"
    st = rec.one(op="stat", path_arg="/sub/g")
    assert st["path"] == jail + "/sub/g" and (st["dev"], st["ino"]) == stat_id(jail + "/sub/g"), st
    # CLONE_FS: the child's chroot moved the parent's root too; the open's
    # path is the kernel's, the stat's the model's (root + "/h")
    assert rec.one(op="open", path_arg="/h", pid=pid)["path"] == jail + "/sub/h"
    st = rec.where(op="stat", path_arg="/h")  # the parent's, then the forked child's
    assert [(o["pid"] == pid, o["path"]) for o in st] == [(True, jail + "/sub/h"), (False, jail + "/sub/h")], st
    assert all((o["dev"], o["ino"]) == stat_id(jail + "/sub/h") for o in st), st
    # fork: the child's chroot did not
    for op in ("open", "stat"):
        found = [(o["pid"] == pid, o["path"]) for o in rec.where(op=op, path_arg="/g")]
        assert found == [(False, jail + "/sub/deep/g"), (True, jail + "/sub/g")], found
    for o in rec.where(op="stat", path_arg="/g"):
        assert (o["dev"], o["ino"]) == stat_id(o["path"]), o


@test
def mutex_handoff_orders_threads(tmp):
    out = os.path.join(tmp, "out")
    rec = record(tmp, [os.path.join(SCENARIOS, "mutex_handoff"), out])
    assert rec.rc == 0, rec.stderr
    thread = stdout_values(rec)["thread"]
    pid = rec.ops[0]["pid"]
    unlock = [op for op in rec.where(op="futex", tid=pid) if "FUTEX_WAKE" in op["futex_op"]]
    waited = [op for op in rec.where(op="futex", tid=thread) if "FUTEX_WAIT" in op["futex_op"]]
    assert len(unlock) == 1 and unlock[0]["ret"] == 1 and len(waited) == 1 and waited[0]["ret"] == 0, (unlock, waited)
    assert unlock[0]["key"] == waited[0]["key"] and unlock[0]["key"].startswith("mm:"), (unlock, waited)
    assert rec.edge_kinds(unlock[0], waited[0]) == ["futex"], rec.edges
    # so main's unlock happened before the thread's write under the lock
    assert reaches(rec, unlock[0], rec.one(op="open", path=out))
    # pthread_join: the thread's exit woke main's wait on its tid word
    exit_op = rec.one(op="exit", tid=thread)
    join = [op for op in rec.where(op="futex", tid=pid) if op["ts_ns"] > exit_op["ts_ns"]]
    assert join and rec.edge_kinds(exit_op, join[0]) == ["futex"], (join, rec.edges)
    also = [l.split() for l in run_cli("info", rec.log).stdout.splitlines() if l.startswith("also")]
    assert also and also[0][1] == "0" and int(also[0][-2]) >= 2, also  # no touches; the two wakeups


@test
def shared_semaphore_orders_processes(tmp):
    sem, out = os.path.join(tmp, "sem"), os.path.join(tmp, "out")
    rec = record(tmp, [os.path.join(SCENARIOS, "shared_sem"), sem, out])
    assert rec.rc == 0, rec.stderr
    child = stdout_values(rec)["child"]
    pid = rec.ops[0]["pid"]
    post = rec.one(op="futex", pid=child)
    wait = rec.one(op="futex", pid=pid)
    dev, ino = stat_id(sem)
    # one key for the two mappings: the file's inode and the offset
    assert post["uaddr"] != wait["uaddr"], (post, wait)
    assert post["key"] == wait["key"] == "inode:%d:%d:0" % (dev, ino), (post, wait)
    assert rec.edge_kinds(post, wait) == ["futex"], rec.edges
    assert reaches(rec, rec.one(op="open", pid=child, path=out), rec.one(op="open", pid=pid, path=out))


def lineage(log, path, *options):
    """lineage --json of path, checked against its schema: every edge
    joins two of its nodes."""
    out = subprocess.run([PROBE, "lineage", "--json", *options, log, path], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    found = json.loads(out.stdout, object_pairs_hook=no_duplicate_keys)
    errors = list(LINEAGE_VALIDATOR.iter_errors(found))
    assert not errors, "lineage does not match its schema: %s" % errors[0].message
    ids = {n["id"] for n in found["nodes"]}
    assert len(ids) == len(found["nodes"]) and found["root"] in ids, found["nodes"]
    assert all(e["from"] in ids and e["to"] in ids for e in found["edges"]), found["edges"]
    return found


@test
def lineage_of_a_compiled_object(tmp):
    src, hdr, obj = (os.path.join(tmp, n) for n in ("main.c", "local.h", "main.o"))
    write_file(hdr, "#define VALUE 42\n")
    write_file(src, '#include <stdio.h>\n#include "local.h"\nint main(void) { printf("%d", VALUE); }\n')
    rec = record(tmp, ["gcc", "-c", src, "-o", obj])
    assert rec.rc == 0, rec.stderr
    deps = subprocess.run(["gcc", "-M", src], capture_output=True, text=True, check=True).stdout
    headers = {os.path.realpath(w) for w in deps.replace("\\\n", " ").split()[1:]}
    assert src in headers and hdr in headers, headers
    found = lineage(rec.log, obj, "--no-fold")
    files = {f["path"] for f in found["files"]}
    # gcc reads the end of a pipe to learn that its child's exec worked:
    # no data, no input
    assert not [f for f in files if f.startswith("pipe:[")], files
    assert headers <= files, headers - files
    assert obj not in files  # the object is the root, not an input
    # the assembler made the object from the compiler's output, a file
    # in /tmp that no longer exists
    argv0 = {os.path.basename(p["argv"][0]) for p in found["processes"] if "argv" in p}
    assert {"as", "cc1", "gcc"} <= argv0, argv0
    # its edges say who did what, by op: as wrote the object, cc1 read
    # the source
    nodes = {n["id"]: n for n in found["nodes"]}

    def program(node_id):
        return os.path.basename(nodes[node_id].get("argv", ["?"])[0])

    made = [e for e in found["edges"] if e["kind"] == "generated" and e["to"] == found["root"]]
    assert [program(e["from"]) for e in made] == ["as"], made
    op = rec.ops[made[0]["op"]]
    assert (op["pid"], op["path"], op["ts_ns"]) == (nodes[made[0]["from"]]["pid"], obj, made[0]["ts_ns"]), op
    assert [program(e["to"]) for e in found["edges"]
            if e["kind"] == "used" and nodes[e["from"]].get("path") == src] == ["cc1"], found["edges"]
    # one writer away: as and what it read, cc1's output; not cc1 nor
    # what it read
    near = lineage(rec.log, obj, "--no-fold", "--depth", "1")
    near_files = {f["path"] for f in near["files"]}
    assert src not in near_files and hdr not in near_files, near_files
    assert [p for p in near_files if p.endswith(".s")], near_files
    assert "cc1" not in {os.path.basename(p["argv"][0]) for p in near["processes"] if "argv" in p}, near
    # and the other way: the header's descendants hold the object
    down = lineage(rec.log, hdr, "--descendants")
    assert obj in {f["path"] for f in down["files"]}, down
    # the text form: the object first, then its inputs, system headers
    # folded by directory
    text = run_cli("lineage", rec.log, obj)
    assert text.returncode == 0, text.stderr
    inputs = text.stdout.split("\ninputs:\n")[1].split("\n\n")[0].splitlines()
    procs = text.stdout.split("\nprocesses:\n")[1].split("\n\n")[0].splitlines()
    assert text.stdout.splitlines()[0] == "%s (version 1): made by %d processes from %d inputs" % (
        obj, len(procs), len(inputs)), text.stdout
    # the inputs: the two files of the project, and folders of system
    # files (no process, no file the build made)
    assert [l for l in inputs if l.startswith("  " + tmp + "/")] == ["  " + hdr, "  " + src], inputs
    assert all(l.startswith("  " + tmp + "/") or re.fullmatch(r"  /\S+/ \(\d+ files?\)", l) for l in inputs), inputs
    assert "  /usr/include/ (" in "\n".join(inputs), inputs
    # the processes, each once, by start: the driver, then what it ran
    assert [os.path.basename(l.split()[1]) for l in procs] == ["gcc", "cc1", "as"], procs
    bad = run_cli("lineage", rec.log, os.path.join(tmp, "never-used"))
    assert bad.returncode == 2 and "no process of the recording used" in bad.stderr, bad.stderr


# ---- lineage against an outside truth: what the shell, the programs and
# gcc's -MD say each output was made from ----


def project_files(found, root):
    """The paths under root of the files in a lineage (--json)."""
    return {f["path"] for f in found["files"] if f["path"].startswith(root + "/")}


def files_in_lineage(log, path, *options):
    """The files in path's directory in its lineage (--no-fold), but path
    itself (its earlier versions)."""
    return project_files(lineage(log, path, "--no-fold", *options), os.path.dirname(path)) - {path}


def inputs_ab(tmp):
    a, b = os.path.join(tmp, "a.txt"), os.path.join(tmp, "b.txt")
    write_file(a, "from a\n")
    write_file(b, "from b\n")
    return a, b


@test
def lineage_ends_at_truncation(tmp):
    a, b = inputs_ab(tmp)
    y = os.path.join(tmp, "y")
    z = os.path.join(tmp, "z")
    rec = record(tmp, ["sh", "-c", "cat a.txt > y; cat b.txt > y; cat y > z"], cwd=tmp)
    assert rec.rc == 0 and open(z).read() == "from b\n", rec.stderr
    # the second '>' truncated y: nothing of a.txt is left in it
    assert files_in_lineage(rec.log, y) == {b}, files_in_lineage(rec.log, y)
    # nor in what read y after it; nor what y held before the first '>'
    assert files_in_lineage(rec.log, z) == {b, y}, files_in_lineage(rec.log, z)
    versions = [f["version"] for f in lineage(rec.log, z)["files"] if f["path"] == y]
    assert versions and 0 not in versions, versions


@test
def lineage_not_through_a_character_device(tmp):
    a, b = inputs_ab(tmp)
    out = os.path.join(tmp, "out")
    # what cat wrote to /dev/null is not what the next cat read from it
    rec = record(tmp, ["sh", "-c", "cat a.txt > /dev/null; cat /dev/null b.txt > out"], cwd=tmp)
    assert rec.rc == 0 and open(out).read() == "from b\n", rec.stderr
    assert files_in_lineage(rec.log, out) == {b}, files_in_lineage(rec.log, out)
    null = [f for f in lineage(rec.log, out, "--no-fold")["files"] if f["path"] == "/dev/null"]
    assert [f["version"] for f in null] == [0], null
    # the shell's '>' did not truncate it (O_TRUNC does nothing to a
    # device): cat wrote it, the other cat read it, and that is all
    kinds = [a["kind"] for f in who(rec.log, "/dev/null")["files"] for a in f["accesses"]]
    assert kinds == ["write", "read"], kinds


@test
def lineage_of_a_file_only_read(tmp):
    a, b = inputs_ab(tmp)
    rec = record(tmp, ["sh", "-c", "cat a.txt > y"], cwd=tmp)
    assert rec.rc == 0, rec.stderr
    text = run_cli("lineage", rec.log, a)
    assert text.returncode == 0, text.stderr
    assert text.stdout == a + " is an input: the recording read it and never wrote it.\n", text.stdout
    found = lineage(rec.log, a)
    root = [n for n in found["nodes"] if n["id"] == found["root"]][0]
    assert root["input"] and root["version"] == 0 and not found["edges"], found


@contextlib.contextmanager
def private_ext4(tmp):
    """A fresh ext4 filesystem mounted at tmp/fs, where no other process
    makes files: the inode number an unlink frees goes to the next file
    made in the same directory (the lowest free one of its group)."""
    image, mnt = os.path.join(tmp, "fs.img"), os.path.join(tmp, "fs")
    os.mkdir(mnt)
    with open(image, "wb") as f:
        f.truncate(8 << 20)
    subprocess.run(["mkfs.ext4", "-q", "-F", image], check=True)
    subprocess.run(["mount", "-o", "loop", image, mnt], check=True)
    try:
        yield mnt
    finally:
        subprocess.run(["umount", mnt], check=True)


def inode_of(rec, path):
    """The (ino, gen) pairs of the files path named in the log's opens."""
    return {(op["ino"], op["gen"]) for op in rec.where(op="open", path=path) if "ino" in op}


@test
def lineage_across_a_reused_inode_number(tmp):
    with private_ext4(tmp) as fs:
        a, b = inputs_ab(fs)
        outs = {n: os.path.join(fs, n) for n in ("outA", "outB", "appA", "appB")}
        # t2 is made right after rm t1, on a filesystem of its own: it
        # gets t1's inode number (asserted below); the second script
        # appends, so only the generation tells t2 from t1's content
        rec = record(tmp, ["sh", "-c", "cat a.txt > t1; cat t1 > outA; rm t1; "
                           "cat b.txt > t2; cat t2 > outB; rm t2"], cwd=fs)
        assert rec.rc == 0, rec.stderr
        rec2 = record(tmp, ["sh", "-c", "cat a.txt >> t3; cat t3 > appA; rm t3; "
                            "cat b.txt >> t4; cat t4 > appB; rm t4"], cwd=fs, name="append.probe")
        assert rec2.rc == 0, rec2.stderr
        for r, first, second in ((rec, "t1", "t2"), (rec2, "t3", "t4")):
            one, two = (inode_of(r, os.path.join(fs, n)) for n in (first, second))
            assert len(one) == len(two) == 1, (one, two)
            (ino1, gen1), (ino2, gen2) = one.pop(), two.pop()
            assert ino1 == ino2 and gen1 != gen2, "inode number not reused: %r" % ((ino1, gen1, ino2, gen2),)
        t1, t2, t3, t4 = (os.path.join(fs, n) for n in ("t1", "t2", "t3", "t4"))
        assert files_in_lineage(rec.log, outs["outA"]) == {a, t1}
        assert files_in_lineage(rec.log, outs["outB"]) == {b, t2}
        assert files_in_lineage(rec2.log, outs["appA"]) == {a, t3}
        assert files_in_lineage(rec2.log, outs["appB"]) == {b, t4}
        # the other way: a.txt went into outA only
        down = project_files(lineage(rec2.log, a, "--descendants"), fs)
        assert down == {t3, outs["appA"]}, down


@test
def lineage_of_an_append(tmp):
    a, b = inputs_ab(tmp)
    y, new, old = (os.path.join(tmp, n) for n in ("y", "new", "old"))
    write_file(old, "before the recording\n")
    rec = record(tmp, ["sh", "-c", "cat a.txt > y; cat b.txt >> y; cat b.txt >> new; cat a.txt >> old"],
                 cwd=tmp)
    assert rec.rc == 0 and open(y).read() == "from a\nfrom b\n", rec.stderr
    # an append keeps what was there: a.txt is still in y
    assert files_in_lineage(rec.log, y) == {a, b}, files_in_lineage(rec.log, y)
    # a file that existed before holds its old content (an input); one
    # that '>>' created held nothing
    found = lineage(rec.log, old, "--no-fold")
    inputs = {n["path"] for n in found["nodes"] if n["type"] == "file" and n["input"]}
    assert {a, old} <= inputs and b not in inputs, inputs
    found = lineage(rec.log, new, "--no-fold")
    inputs = {n["path"] for n in found["nodes"] if n["type"] == "file" and n["input"]}
    assert b in inputs and new not in inputs and a not in inputs, inputs


@test
def lineage_after_truncate(tmp):
    a, b = inputs_ab(tmp)
    names = ("zero", "path_zero", "cut", "path_cut")
    y = {n: os.path.join(tmp, n) for n in names}
    cut = os.path.join(SCENARIOS, "truncate_by_path")
    # coreutils' truncate calls ftruncate; truncate_by_path truncate(2)
    rec = record(tmp, ["sh", "-c", "for f in %s; do cat a.txt > $f; done; "
                       "truncate -s 0 zero; %s path_zero 0; truncate -s 1 cut; %s path_cut 1; "
                       "for f in %s; do cat b.txt >> $f; done" % (" ".join(names), cut, cut, " ".join(names))],
                 cwd=tmp)
    assert rec.rc == 0 and open(y["cut"]).read() == "ffrom b\n", rec.stderr
    assert [op["length"] for op in rec.where(op="ftruncate")] == [0, 1], rec.where(op="ftruncate")
    assert [op["length"] for op in rec.where(op="truncate")] == [0, 1], rec.where(op="truncate")
    # to 0: what a.txt put there is gone; to 1: a byte of it is left
    for n in ("zero", "path_zero"):
        assert files_in_lineage(rec.log, y[n]) == {b}, (n, files_in_lineage(rec.log, y[n]))
    for n in ("cut", "path_cut"):
        assert files_in_lineage(rec.log, y[n]) == {a, b}, (n, files_in_lineage(rec.log, y[n]))


@test
def lineage_after_rename_over_a_file(tmp):
    a, b = inputs_ab(tmp)
    out, tmpfile = os.path.join(tmp, "out"), os.path.join(tmp, "tmp")
    rec = record(tmp, ["sh", "-c", "cat a.txt > out; cat b.txt > tmp; mv tmp out"], cwd=tmp)
    assert rec.rc == 0 and open(out).read() == "from b\n", rec.stderr
    # out is now the file tmp was, with tmp's inputs; the file it
    # replaced is gone, and a.txt with it
    found = lineage(rec.log, out)
    root = [n for n in found["nodes"] if n["id"] == found["root"]][0]
    assert (root["ino"], root["removed"]) == (os.stat(out).st_ino, False), root
    assert files_in_lineage(rec.log, out) == {b, tmpfile}, files_in_lineage(rec.log, out)
    assert project_files(lineage(rec.log, b, "--descendants"), tmp) == {out}


@test
def lineage_leaves_out_reads_after_the_last_write(tmp):
    early, out, later, after = (os.path.join(tmp, n) for n in ("early", "out", "later", "after"))
    write_file(early, "early\n")
    write_file(later, "later\n")
    rec = record(tmp, [os.path.join(SCENARIOS, "read_after_last_write"), early, out, later, after])
    assert rec.rc == 0, rec.stderr
    # the process read later only after it closed out; what it wrote
    # after that read holds both
    assert files_in_lineage(rec.log, out) == {early}, files_in_lineage(rec.log, out)
    assert files_in_lineage(rec.log, after) == {early, later}, files_in_lineage(rec.log, after)


@test
def lineage_of_a_write_after_a_new_read(tmp):
    first, second, out = (os.path.join(tmp, n) for n in ("first", "second", "out"))
    write_file(first, "first\n")
    write_file(second, "second\n")
    rec = record(tmp, [os.path.join(SCENARIOS, "read_between_writes"), first, second, out])
    assert rec.rc == 0 and open(out).read() == "first\nsecond\nend\n", rec.stderr
    # three writes through one fd: the one after the read of second is
    # recorded again, the third (no read since) is not
    writes = rec.where(op="write", path=out)
    assert len(writes) == 2 and writes[0]["fd"] == writes[1]["fd"], writes
    read = rec.one(op="read", path=second)
    assert writes[0]["id"] < read["id"] < writes[1]["id"], (writes, read)
    assert files_in_lineage(rec.log, out) == {first, second}, files_in_lineage(rec.log, out)


@test
def lineage_of_a_write_through_a_mapping(tmp):
    out, later = os.path.join(tmp, "out"), os.path.join(tmp, "later")
    write_file(later, "later\n")
    rec = record(tmp, [os.path.join(SCENARIOS, "write_through_mapping"), out, later])
    assert rec.rc == 0 and open(out).read(13) == "mapped\nlater\n", rec.stderr
    mapped = rec.one(op="write", path=out, via="mmap")
    assert rec.one(op="read", path=later)["id"] > mapped["id"]
    # stores through the mapping make no record: every read while it is
    # held can be in out
    assert files_in_lineage(rec.log, out) == {later}, files_in_lineage(rec.log, out)


def d_file_deps(path):
    """The files a gcc -MD .d file says its object was made from."""
    text = open(path).read().replace("\\\n", " ")
    return {os.path.normpath(os.path.join(os.path.dirname(path), w)) for w in text.split(":", 1)[1].split()}


@test
def lineage_of_a_parallel_build_matches_its_d_files(tmp):
    proj = os.path.join(tmp, "mdproj")
    # its sources only, whatever a build by hand left there
    shutil.copytree(os.path.join(ROOT, "tests", "scenarios", "mdproj"), proj,
                    ignore=shutil.ignore_patterns("*.o", "*.d", "app", "version.h*"))
    rec = record(tmp, ["make", "-s", "-j2"], cwd=proj)
    assert rec.rc == 0, rec.stderr
    app, makefile = os.path.join(proj, "app"), os.path.join(proj, "Makefile")
    objs = sorted(p for p in os.listdir(proj) if p.endswith(".o"))
    assert len(objs) == 5, objs
    deps = {os.path.join(proj, o): d_file_deps(os.path.join(proj, o[:-2] + ".d")) for o in objs}
    sources = set()
    for obj, listed in deps.items():
        found = lineage(rec.log, obj, "--no-fold")
        files = {f["path"] for f in found["files"]}
        # every file gcc says it read, system headers too, and of the
        # project's exactly those (and the Makefile: make read it
        # before it forked each compiler)
        assert listed <= files, (obj, listed - files)
        assert project_files(found, proj) == {f for f in listed if f.startswith(proj + "/")} | {makefile}, \
            (obj, project_files(found, proj) ^ listed)
        sources |= {f for f in listed if f.startswith(proj + "/")}
    assert os.path.join(proj, "version.h") in sources and len(sources) == 10, sources
    assert files_in_lineage(rec.log, app) == sources | set(deps) | {makefile}
    # the other way: each source and header reaches exactly the objects
    # whose .d files list it (and their .d files), and the program
    for src in sorted(sources):
        users = {o for o, listed in deps.items() if src in listed}
        want = users | {o[:-2] + ".d" for o in users} | {app}
        assert files_in_lineage(rec.log, src, "--descendants") == want, \
            (src, files_in_lineage(rec.log, src, "--descendants") ^ want)


def who(log, path):
    out = subprocess.run([PROBE, "who", "--json", log, path], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@test
def who_used_a_path(tmp):
    a, b = inputs_ab(tmp)
    y, t1 = os.path.join(tmp, "y"), os.path.join(tmp, "t1")
    script = "cat a.txt > t1; cat t1 > y; rm t1; cat b.txt >> y; cat b.txt > tmp; mv tmp y"
    rec = record(tmp, ["sh", "-c", script], cwd=tmp)
    assert rec.rc == 0, rec.stderr

    def accesses(found, kind):
        return [(a["kind"], a.get("argv")) for f in found["files"] for a in f["accesses"] if a["kind"] == kind]

    # who wrote y: the cats of t1 and of b.txt into the first file; the
    # mv put another file (tmp's) in its place, removing it
    found = who(rec.log, y)
    assert found["path"] == y and len(found["files"]) == 2, found
    old, new = found["files"]
    assert (old["ino"], new["ino"]) == (rec.where(op="write", path=y)[0]["ino"], os.stat(y).st_ino), found
    assert old["removed"] and not new["removed"], found
    # (the shell truncated each when it opened it for '>')
    assert [(a["kind"], a.get("argv")) for a in old["accesses"][1:]] == \
        [("write", ["cat", "t1"]), ("write", ["cat", "b.txt"]), ("remove", ["mv", "tmp", "y"])], old
    assert [(a["kind"], a.get("argv")) for a in new["accesses"][1:]] == \
        [("write", ["cat", "b.txt"]), ("rename", ["mv", "tmp", "y"])], new
    assert old["accesses"][0]["kind"] == new["accesses"][0]["kind"] == "truncate", found
    assert [a["path"] for a in new["accesses"]] == [os.path.join(tmp, "tmp")] * 2 + [y], new
    # each access is the op of that id in the log, at its time
    for f in found["files"]:
        for acc in f["accesses"]:
            op = rec.ops[acc["op"]]
            assert (op["pid"], op["ts_ns"]) == (acc["pid"], acc["ts_ns"]), (acc, op)
            assert acc["epoch"] in (0, 1) and acc["ts_ns"] >= found["start_ns"], acc
    # who read a.txt; who removed t1
    assert accesses(who(rec.log, a), "read") == [("read", ["cat", "a.txt"])]
    assert accesses(who(rec.log, t1), "remove") == [("remove", ["rm", "t1"])]
    assert accesses(who(rec.log, t1), "read") == [("read", ["cat", "t1"])]
    # the text: a line per access, with the time, op, what and who
    text = run_cli("who", rec.log, t1)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0] == t1 + ": 1 file", lines
    rm = [l for l in lines if " removed " in l]
    assert len(rm) == 1 and rm[0].endswith(" rm t1"), lines
    seconds, op = rm[0].split()[:2]
    assert rec.ops[int(op)]["op"] in ("unlink", "unlinkat"), rec.ops[int(op)]
    assert 0 < float(seconds) < 60, rm
    assert_one_line_error(run_cli("who", rec.log, os.path.join(tmp, "never")), 2,
                          "no process of the recording", os.path.join(tmp, "never"))
    usage = run_cli("who", "--help")
    assert usage.returncode == 0 and usage.stdout.startswith("usage: probe-bpf who"), usage


@test
def lineage_through_a_pipe(tmp):
    src, dst = os.path.join(tmp, "in"), os.path.join(tmp, "out")
    write_file(src, "abc\n")
    rec = record(tmp, ["sh", "-c", "cat %s | tr a-z A-Z > %s" % (src, dst)])
    assert rec.rc == 0, rec.stderr
    found = lineage(rec.log, dst)
    files = {f["path"] for f in found["files"]}
    pipes = [f for f in files if f.startswith("pipe:[")]
    assert src in files and len(pipes) == 1, files
    # cat wrote the pipe, tr read it: the input is behind the pipe
    cat = rec.one(op="write", type="fifo")
    assert pipes[0] == "pipe:[%d]" % cat["ino"], (pipes, cat)


@test
def unix_sockets_carry_data(tmp):
    unix_sockets_carry_data_in(tmp, [])


@test
def unix_sockets_carry_data_after_the_writer_exited(tmp):
    # the reader reaps the writer first: its sockets are closed, their
    # socks orphaned, when the reads ask for the peer
    unix_sockets_carry_data_in(tmp, ["after-exit"])


@test
def send_and_receive_family_carries_data(tmp):
    ins = [os.path.join(tmp, n) for n in ("a", "b", "c")]
    outs = [os.path.join(tmp, n) for n in ("out1", "out2", "out3")]
    for path in ins:
        write_file(path, "from %s\n" % os.path.basename(path))
    rec = record(tmp, [os.path.join(SCENARIOS, "send_recv_family"), *ins, *outs])
    assert rec.rc == 0, rec.stderr
    child, pid = stdout_values(rec)["child"], rec.ops[0]["pid"]
    # each send a write of its socket, each receive a read of the peer's,
    # ordered by the happens-before graph like a pipe's
    for send, receive in (("sendto", "recvfrom"), ("sendmsg", "recvmsg"), ("sendmmsg", "recvmmsg")):
        w = rec.one(op="write", pid=child, via=send)
        r = rec.one(op="read", pid=pid, via=receive)
        assert w["type"] == r["type"] == "socket" and r["peer_ino"] == w["ino"], (w, r)
        assert rec.edge_kinds(w, r) == ["pipe"], (w, r)
    # what each output holds came through its socket from the child's
    # input (and, per write, nothing the parent received after it)
    assert files_in_lineage(rec.log, outs[0]) == {ins[0]}, files_in_lineage(rec.log, outs[0])
    assert files_in_lineage(rec.log, outs[1]) == set(ins[:2]), files_in_lineage(rec.log, outs[1])
    assert files_in_lineage(rec.log, outs[2]) == set(ins), files_in_lineage(rec.log, outs[2])


@test
def fallocate_and_truncate_are_writes(tmp):
    src, out, plain, cut, cut2 = (os.path.join(tmp, n) for n in ("in", "out", "plain", "cut", "cut2"))
    write_file(src, "input\n")
    write_file(out, "x" * 8192)
    for path in (plain, cut, cut2):
        write_file(path, "before\n")
    script = "%s in out plain && truncate -s 2 cut && %s cut2 0" % (
        os.path.join(SCENARIOS, "fallocate_punch_hole"), os.path.join(SCENARIOS, "truncate_by_path"))
    rec = record(tmp, ["sh", "-c", script], cwd=tmp)
    assert rec.rc == 0 and open(out, "rb").read(4097) == b"\0" * 4096 + b"x", rec.stderr
    # a hole punched is a write; an allocation is not; truncations are
    punch, alloc = rec.where(op="fallocate")
    assert punch["path"] == out and punch["access"] == "w", punch
    assert punch["flags"] == ["FALLOC_FL_KEEP_SIZE", "FALLOC_FL_PUNCH_HOLE"], punch
    assert alloc["path"] == plain and alloc["flags"] == [] and "access" not in alloc, alloc
    assert rec.one(op="ftruncate")["access"] == rec.one(op="truncate")["access"] == "w"
    # out's new version is the punching process's: it holds what that
    # process had read, and what out held (a hole erases only a part)
    assert [a["kind"] for f in who(rec.log, out)["files"] for a in f["accesses"]] == ["write"]
    assert files_in_lineage(rec.log, out) == {src}, files_in_lineage(rec.log, out)
    found = lineage(rec.log, out)
    root = [n for n in found["nodes"] if n["id"] == found["root"]][0]
    assert root["version"] == 1 and [f["version"] for f in found["files"] if f["path"] == out] == [0], found
    # the run wrote out, cut and cut2; plain only grew
    info = info_json(rec.log, "--only", tmp)
    assert {e["path"] for e in info["outputs"]} == {out, cut, cut2} and info["written"] == 3, info


@test
def mprotect_makes_a_shared_mapping_a_write(tmp):
    out, src = os.path.join(tmp, "out"), os.path.join(tmp, "in")
    write_file(out, "." * 4096)
    write_file(src, "input\n")
    rec = record(tmp, [os.path.join(SCENARIOS, "mprotect_makes_writable"), out, src])
    assert rec.rc == 0 and open(out).read(7) == "input\n.", rec.stderr
    # the shared mapping of out, read-only when mapped, is a write once
    # mprotect made it writable; no fd names its file
    write = rec.one(op="write", path=out)
    assert write["via"] == "mprotect" and write["prot"] == ["PROT_READ", "PROT_WRITE"], write
    assert "fd" not in write and (write["dev"], write["ino"]) == stat_id(out), write
    assert rec.one(op="read", path=out)["via"] == "mmap"
    assert rec.one(op="read", path=src)["id"] > write["id"]
    # a private mapping made writable writes no file
    assert not rec.where(op="write", path=src), rec.where(op="write", path=src)
    # out's new version holds what the process read while it held the
    # mapping writable, after the mprotect too
    assert [a["kind"] for f in who(rec.log, out)["files"] for a in f["accesses"]] == ["read", "write"]
    assert files_in_lineage(rec.log, out) == {src}, files_in_lineage(rec.log, out)


@test
def fds_passed_by_scm_rights_are_known(tmp):
    in1, in2, out = (os.path.join(tmp, n) for n in ("in1", "in2", "out"))
    write_file(in1, "one\n")
    write_file(in2, "two\n")
    rec = record(tmp, [os.path.join(SCENARIOS, "fd_passed_by_scm_rights"), in1, in2, out])
    assert rec.rc == 0 and open(out).read() == "one\ntwo\n", rec.stderr
    fds = [int(w) for w in rec.stdout.split()[1:]]
    pid = rec.ops[0]["pid"]
    # each fd that arrived, at the number the program got, and its file
    # (Recording's model check: the reads of those fds agree with it)
    got = rec.where(op="scm_rights")
    assert [(a["syscall"], a["fd"], a["cloexec"]) for a in got] == \
        [("recvmsg", fds[0], False), ("recvmmsg", fds[1], True)], got
    receive = rec.one(op="read", pid=pid, type="socket")
    for arrival, path in zip(got, (in1, in2)):
        assert arrival["pid"] == pid and arrival["socket_fd"] == receive["fd"], (arrival, receive)
        assert_file(arrival, path)
        read = rec.one(op="read", pid=pid, path=path)
        assert read["fd"] == arrival["fd"] and read["id"] > arrival["id"], (read, arrival)
    assert rec.model["agree"] >= 4, rec.model
    assert files_in_lineage(rec.log, out) == {in1, in2}, files_in_lineage(rec.log, out)


@test
def fd_taken_by_pidfd_getfd_is_known(tmp):
    src, out = os.path.join(tmp, "in"), os.path.join(tmp, "out")
    write_file(src, "taken\n")
    rec = record(tmp, [os.path.join(SCENARIOS, "fd_taken_by_pidfd_getfd"), src, out])
    assert rec.rc == 0 and open(out).read() == "taken\n", rec.stderr
    fd = stdout_values(rec)["fd"]
    # the copy of the child's fd 100, and its file (Recording's model
    # check: the read of it agrees with it)
    taken = rec.one(op="pidfd_getfd")
    assert taken["fd"] == fd and taken["target_fd"] == 100 and taken["cloexec"] is True, taken
    assert_file(taken, src)
    assert rec.one(op="read", pid=taken["pid"], path=src)["fd"] == fd
    assert files_in_lineage(rec.log, out) == {src}, files_in_lineage(rec.log, out)


@test
def process_memory_copies_are_flows(tmp):
    src, src2, decoy, out1, out2 = (os.path.join(tmp, n) for n in ("in", "in2", "decoy", "out1", "out2"))
    for path in (src, src2, decoy):
        write_file(path, os.path.basename(path) + "\n")
    rec = record(tmp, [os.path.join(SCENARIOS, "process_memory_copied"), src, src2, decoy, out1, out2])
    assert rec.rc == 0 and open(out1).read() == "in\n" and open(out2).read() == "in2\n", rec.stderr
    child, pid = stdout_values(rec)["child"], rec.ops[0]["pid"]
    for name in ("process_vm_readv", "process_vm_writev"):
        op = rec.one(op=name)
        assert op["pid"] == pid and op["target_pid"] == child and op["ret"] == 64, op
    # out1: what the parent copied out of the child, which had read in
    # (the parent read in2 only after it wrote out1)
    assert files_in_lineage(rec.log, out1) == {src}, files_in_lineage(rec.log, out1)
    # out2: what the parent copied into the child, with all the parent
    # held then; not decoy, which the parent read after the copy
    assert files_in_lineage(rec.log, out2) == {src, src2}, files_in_lineage(rec.log, out2)
    # and down: in2 went into out2 only
    down = files_in_lineage(rec.log, src2, "--descendants")
    assert down == {out2}, down


@test
def a_program_run_through_an_fd_is_named_by_its_file(tmp):
    cat = os.path.realpath("/usr/bin/cat")
    ins = [os.path.join(tmp, "in%d" % n) for n in (1, 2, 3)]
    outs = [os.path.join(tmp, "out%d" % n) for n in (1, 2, 3)]
    for path in ins:
        write_file(path, os.path.basename(path) + "\n")
    rec = record(tmp, [os.path.join(SCENARIOS, "exec_through_fd"), cat, *ins, *outs])
    assert rec.rc == 0 and [open(p).read() for p in outs] == ["in1\n", "in2\n", "in3\n"], rec.stderr
    children = stdout_values(rec)
    # the kernel's "/dev/fd/N..." stays the path; the file the exec ran
    # is named by its own path, a memfd by its name
    fexecve, at_dirfd, memfd = (rec.one(op="exec", pid=children["child%d" % n]) for n in (1, 2, 3))
    assert re.fullmatch(r"/dev/fd/\d+", fexecve["path"]), fexecve
    assert re.fullmatch(r"/dev/fd/\d+/" + os.path.basename(cat), at_dirfd["path"]), at_dirfd
    assert re.fullmatch(r"/dev/fd/\d+", memfd["path"]), memfd
    for op in (fexecve, at_dirfd):
        assert op["exe_path"] == cat and (op["exe_dev"], op["exe_ino"]) == stat_id(cat), op
    assert memfd["exe_path"] == "memfd:probe-copy", memfd
    # a program named by its path has no other name
    assert "exe_path" not in rec.ops[0], rec.ops[0]
    # what was made with the program: the outputs of the three runs, and
    # the memfd the third ran, copied from it
    down = lineage(rec.log, cat, "--descendants", "--no-fold")
    assert project_files(down, tmp) == set(outs), down["files"]
    assert "memfd:probe-copy" in {f["path"] for f in down["files"]}, down["files"]
    assert files_in_lineage(rec.log, outs[0]) == {ins[0]}, files_in_lineage(rec.log, outs[0])
    # PROV names each run's program
    raw, doc = export_prov(rec.log, tmp)
    exes = sorted(prov_value(a, "probe:exe") for a in doc.get_records(prov.model.ProvActivity)
                  if a.get_attribute("probe:exe") and prov_value(a, "probe:epoch") == 1
                  and prov_value(a, "probe:pid") in children.values())
    assert exes == [cat, cat, "memfd:probe-copy"], exes


@test
def a_setuid_exec_shows_the_credentials_before_and_after(tmp):
    os.chmod(tmp, 0o755)
    prog = os.path.join(tmp, "print_ids")
    shutil.copy(os.path.join(SCENARIOS, "print_ids"), prog)
    os.chown(prog, 1, 1)  # daemon's
    os.chmod(prog, 0o6755)  # setuid and setgid
    rec = record(tmp, ["sh", "-c", "%s; true" % prog], "--user", "nobody")
    assert rec.rc == 0, rec.stderr
    assert stdout_values(rec) == {"uid": 65534, "euid": 1, "gid": 65534, "egid": 1}, rec.stdout
    nobody = {"uid": 65534, "euid": 65534, "gid": 65534, "egid": 65534,
              "cap_effective": "0" * 16, "cap_permitted": "0" * 16}
    # the shell: run as nobody, its exec changed nothing
    sh = rec.ops[0]
    assert sh["op"] == "exec" and sh["cred_before"] == sh["cred_after"] == nobody, sh
    # the setuid program: nobody before, daemon's euid and egid after
    run = rec.one(op="exec", path=prog)
    assert run["cred_before"] == nobody, run
    assert run["cred_after"] == dict(nobody, euid=1, egid=1), run
    # and in PROV, on the program's activity
    raw, doc = export_prov(rec.log, tmp)
    act = [a for a in doc.get_records(prov.model.ProvActivity)
           if a.get_attribute("probe:exe") and prov_value(a, "probe:exe") == prog]
    assert len(act) == 1, act
    got = {k: prov_value(act[0], "probe:" + k) for k in ("uid", "euid", "egid", "euid_before", "egid_before")}
    assert got == {"uid": 65534, "euid": 1, "egid": 1, "euid_before": 65534, "egid_before": 65534}, got


def unix_sockets_carry_data_in(tmp, mode):
    out = os.path.join(tmp, "out")
    rec = record(tmp, [os.path.join(SCENARIOS, "unix_socket"), tmp, out, *mode])
    assert rec.rc == 0, rec.stderr
    child = stdout_values(rec)["child"]
    pid = rec.ops[0]["pid"]
    writes = rec.where(op="write", pid=child, type="socket")
    reads = rec.where(op="read", pid=pid, type="socket")
    assert len(writes) == 2 and len(reads) == 2, (writes, reads)
    # socketpair: each end knows its peer; a named socket: the accepted
    # end knows the client (the client's peer had no socket yet)
    pair_w, named_w = writes
    pair_r, named_r = reads
    assert pair_w["peer_ino"] == pair_r["ino"] and pair_r["peer_ino"] == pair_w["ino"], (pair_w, pair_r)
    assert named_r["peer_ino"] == named_w["ino"], (named_w, named_r)
    for w, r in ((pair_w, pair_r), (named_w, named_r)):
        assert rec.edge_kinds(w, r) == ["pipe"], (w, r, rec.edges)
    # the output depends on what came through both sockets
    files = {f["path"] for f in lineage(rec.log, out)["files"]}
    assert {"socket:[%d]" % pair_w["ino"], "socket:[%d]" % named_w["ino"]} <= files, files


@test
def fd_tables_shared_and_copied(tmp):
    files = []
    for name in "ABCD":
        files.append(os.path.join(tmp, name))
        write_file(files[-1], name)
    rec = record(tmp, [os.path.join(SCENARIOS, "shared_fds"), *files])
    assert rec.rc == 0, rec.stderr
    pid = rec.ops[0]["pid"]
    clones = rec.where(op="clone", pid=pid)
    assert [c["share_files"] for c in clones] == [True, False, True], clones
    assert not any(c["share_vm"] for c in clones), clones
    # the parent's reads, each through an fd only the right model knows
    reads = [(op["path"], op["fd"]) for op in rec.where(op="read", pid=pid) if op["path"] in files]
    a = rec.where(op="open", pid=pid, path=files[0])[0]["fd"]
    assert reads == [(files[1], a + 1), (files[0], a + 2), (files[0], a + 3), (files[0], a + 4)], reads
    # every use was checked, none of them against an fd the model lacked
    assert rec.model["unknown"] == 0 and rec.model["agree"] == rec.model["uses"], rec.model


def elf_interpreter(path):
    """Whether an ELF64 file asks for a program interpreter (PT_INTERP)."""
    with open(path, "rb") as f:
        elf = f.read()
    phoff = int.from_bytes(elf[0x20:0x28], "little")
    phentsize = int.from_bytes(elf[0x36:0x38], "little")
    phnum = int.from_bytes(elf[0x38:0x3a], "little")
    return any(int.from_bytes(elf[phoff + i * phentsize:phoff + i * phentsize + 4], "little") == 3
               for i in range(phnum))


@test
def static_binary(tmp):
    src, dst = os.path.join(tmp, "in"), os.path.join(tmp, "out")
    write_file(src, "static\n")
    prog = os.path.join(SCENARIOS, "static_open")
    assert not elf_interpreter(prog), "not a static binary"
    rec = record(tmp, [prog, src, dst])
    assert rec.rc == 0, rec.stderr
    assert not [op for op in rec.ops if op.get("path", "").endswith(".so.6")], "a static binary loaded libc?"
    assert_file(rec.one(op="open", path=src), src)
    assert rec.one(op="read", path=src)["via"] == "read"
    assert rec.one(op="write", path=dst)["via"] == "write"


@test
def execvp_without_path(tmp):
    rec = record(tmp, [os.path.join(SCENARIOS, "exec_nopath"), "probe-no-such-command", "true"])
    assert rec.rc == 0, rec.stderr
    pid = rec.ops[0]["pid"]
    failed = [op["path"] for op in rec.where(op="exec", pid=pid) if op.get("err") == "ENOENT"]
    # glibc's default search path, each attempt an execve of its own
    assert failed == ["/bin/probe-no-such-command", "/usr/bin/probe-no-such-command"], failed
    last = rec.where(op="exec", pid=pid)[-1]
    assert "err" not in last and last["path"] == "/bin/true", last


@test
def open_in_a_signal_handler(tmp):
    target = os.path.join(tmp, "target")
    write_file(target, "x")
    rec = record(tmp, [os.path.join(SCENARIOS, "signal_open"), target])
    assert rec.rc == 0, rec.stderr
    r, w = map(int, rec.stdout.split()[1:3])
    pid = rec.ops[0]["pid"]
    opened = rec.one(op="open", path=target)
    assert opened["pid"] == opened["tid"] == pid, opened  # the main thread's
    wrote = [op for op in rec.where(op="write", fd=w) if op["path"].startswith("pipe:")][0]
    read = [op for op in rec.where(op="read", fd=r) if op["path"].startswith("pipe:")][0]
    assert wrote["ino"] == read["ino"], (wrote, read)
    # inside the blocked read: the handler opened, wrote, then read returned
    assert rec.ops.index(opened) < rec.ops.index(wrote) < rec.ops.index(read), (opened, wrote, read)


@test
def cwd_shared_by_clone_fs(tmp):
    os.makedirs(os.path.join(tmp, "sub"))
    for p in ("a", "sub/b", "sub/c"):
        open(os.path.join(tmp, p), "w").close()
    rec = record(tmp, [os.path.join(SCENARIOS, "clone_fs"), tmp])
    assert rec.rc == 0, rec.stderr
    pid = rec.ops[0]["pid"]
    assert [c["share_fs"] for c in rec.where(op="clone", pid=pid)] == [True, True, True]
    # the kernel's answers, which the model must have predicted
    assert rec.one(op="open", pid=pid, path_arg="b")["path"] == os.path.join(tmp, "sub", "b")
    assert rec.one(op="open", pid=pid, path_arg="c")["path"] == os.path.join(tmp, "sub", "c")
    # a, b, c and d in the cwd (the chdir set it), and d's mode by the umask
    assert rec.model["fs_checked"] - rec.model["root_checked"] == 5, rec.model
    d = rec.one(op="open", pid=pid, path_arg="d")
    assert d["perm"] == 0o600 == os.stat(os.path.join(tmp, "sub", "d")).st_mode & 0o777, d


@test
def vfork_shares_memory_until_exec(tmp):
    target = os.path.join(tmp, "in")
    write_file(target, "x")
    rec = record(tmp, [os.path.join(SCENARIOS, "spawn"), target])
    assert rec.rc == 0, rec.stderr
    parent = rec.ops[0]
    child = int(rec.stdout.split()[1])
    spawn = rec.one(op="clone", child_pid=child)
    assert spawn["share_vm"] and "CLONE_VFORK" in spawn["flags"], spawn
    opened = rec.one(op="open", pid=child, path=target)  # the file action
    ex = rec.where(op="exec", pid=child)[-1]
    assert rec.ops.index(opened) < rec.ops.index(ex)
    # the child ran in the parent's memory until its exec
    assert opened["mm"] == parent["mm"] and opened["epoch"] == 0, (opened, parent)
    assert ex["mm"] != parent["mm"] and ex["epoch"] == 1, ex


@test
def raw_clone3_and_vfork(tmp):
    a, b = os.path.join(tmp, "a"), os.path.join(tmp, "b")
    write_file(a, "a")
    write_file(b, "b")
    rec = record(tmp, [os.path.join(SCENARIOS, "raw_clone"), a, b])
    assert rec.rc == 0, rec.stderr
    v = stdout_values(rec)
    parent = rec.ops[0]
    c3 = rec.one(op="clone", child_pid=v["clone3_child"])
    assert c3["syscall"] == "clone3" and c3["share_files"] and not c3["share_vm"], c3
    assert c3["flags"] == ["CLONE_FILES"], c3
    # the child's open, the parent's read through it: one table
    opened = rec.one(op="open", pid=v["clone3_child"], path=a)
    assert opened["fd"] == v["fd"] and opened["mm"] != parent["mm"], opened
    assert_file(rec.one(op="read", pid=parent["pid"], fd=v["fd"], via="read", path=a), a)
    vf = rec.one(op="clone", child_pid=v["vfork_child"])
    assert vf["syscall"] == "vfork" and vf["share_vm"] and not vf["share_files"], vf
    child_open = rec.one(op="open", pid=v["vfork_child"], path=b)
    assert child_open["mm"] == parent["mm"] and child_open["epoch"] == 0, child_open
    ex = rec.one(op="exec", pid=v["vfork_child"])
    assert ex["mm"] != parent["mm"] and ex["epoch"] == 1 and ex["argv"] == ["true"], ex
    # the model knew the fd the parent read through: its only unknown uses
    # are stdout's fstat and first write, an fd from before the recording
    assert rec.model["unknown"] == 2, rec.model


@test
def interrupted_tmpfile_and_socketpair(tmp):
    fifo = os.path.join(tmp, "fifo")
    os.mkfifo(fifo)
    rec = record(tmp, [os.path.join(SCENARIOS, "interrupted"), fifo, tmp])
    assert rec.rc == 0, rec.stderr
    v = stdout_values(rec)
    pid = rec.ops[0]["pid"]
    # at sys_exit the kernel's restart code; the signal op says what the
    # program got: EINTR without SA_RESTART, the open again with it
    mine = [op for op in rec.ops if op["pid"] == pid and
            (op["op"] == "signal" or (op["op"], op.get("path_arg")) in (("open", fifo), ("access", tmp)))]
    seq = [(op["op"], op.get("err"), op.get("signal"), op.get("outcome"), op.get("fd")) for op in mine]
    assert seq == [("open", "ERESTARTSYS", None, None, None),
                   ("signal", None, "SIGALRM", "eintr", None),
                   ("open", "ERESTARTSYS", None, None, None),
                   ("signal", None, "SIGUSR1", "restart", None),
                   ("access", None, None, None, None),  # in the handler
                   ("open", None, None, None, v["fifo"])], seq
    sigs = [op for op in mine if op["op"] == "signal"]
    assert all(s["interrupted"] == mine[0]["syscall"] and s["action"] == "handler" for s in sigs), sigs
    kill = rec.one(op="kill", signal="SIGUSR1")
    assert kill["target_pid"] == pid and sigs[1]["sender_pid"] == kill["pid"] != pid, (kill, sigs)
    assert rec.edge_kinds(kill, sigs[1]) == ["signal"], rec.edges
    t = rec.one(op="open", fd=v["tmpfile"], path_arg=tmp)
    assert "__O_TMPFILE" in t["flags"] and t["type"] == "regular", t
    assert rec.one(op="write", fd=v["tmpfile"])["ino"] == t["ino"]
    sp = rec.one(op="socketpair")
    assert sp["fds"] == [v["sv0"], v["sv1"]] and sp["cloexec"] is True, sp
    w = rec.one(op="write", fd=v["sv0"])
    assert w["path"] == "socket:[%d]" % w["ino"], w


@test
def failed_open_and_exec(tmp):
    missing = os.path.join(tmp, "missing")
    rec = record(tmp, ["sh", "-c", "cat %s; %s; exit 0" % (missing, missing)])
    assert rec.rc == 0, rec.stderr
    op = rec.one(op="open", path_arg=missing)
    assert op["err"] == "ENOENT" and "fd" not in op and "path" not in op, op
    ex = rec.one(op="exec", path=missing)
    assert ex["err"] == "ENOENT" and ex["syscall"] == "execve", ex


@test
def exit_status_and_signal(tmp):
    rec = record(tmp, ["sh", "-c", "exit 42"])
    assert rec.rc == 42, rec.rc
    assert rec.one(op="exit", group_dead=True)["status"] == 42
    rec = record(tmp, ["sh", "-c", "kill -9 $$"], name="killed.probe")
    assert rec.rc == 128 + 9, rec.rc
    ex = rec.one(op="exit", group_dead=True)
    assert ex["signal"] == "SIGKILL" and "status" not in ex, ex


@test
def command_not_found(tmp):
    rec_log = os.path.join(tmp, "nf.probe")
    proc = subprocess.run([PROBE, "record", "-q", "-o", rec_log, "--", "no-such-command-xyz"],
                          capture_output=True, text=True)
    assert proc.returncode == 127, proc
    assert proc.stderr.strip().count("\n") == 0 and "not found" in proc.stderr, proc.stderr


@test
def exec_path_search_without_path(tmp):
    # With PATH unset the command is looked up on the default path
    env = {k: v for k, v in os.environ.items() if k != "PATH"}
    rec = record(tmp, ["true"], env=env)
    assert rec.rc == 0, rec.stderr
    first = rec.ops[0]
    assert first["op"] == "exec" and first["path"] in ("/bin/true", "/usr/bin/true"), first


@test
def runs_as_sudo_user(tmp):
    out = os.path.join(tmp, "uid")
    os.chmod(tmp, 0o777)
    env = dict(os.environ, SUDO_UID="65534", SUDO_GID="65534")
    rec = record(tmp, ["sh", "-c", "id -u > %s; id -g >> %s" % (out, out)], env=env)
    assert rec.rc == 0, rec.stderr
    # dropping to the user (initgroups reads /etc/group) is not recorded
    assert rec.ops[0]["op"] == "exec", rec.ops[0]
    assert open(out).read().split() == ["65534", "65534"]
    # the log belongs to the user who ran sudo
    assert os.stat(rec.log).st_uid == 65534
    # --user overrides
    rec = record(tmp, ["sh", "-c", "id -u > %s" % out], "--user", "root", env=env, name="root.probe")
    assert rec.rc == 0 and open(out).read().split() == ["0"], rec.stderr


@test
def records_nothing_outside(tmp):
    marker = os.path.join(tmp, "outside-marker")
    write_file(marker, "x")
    # a process outside the recording keeps opening the marker meanwhile
    outside = subprocess.Popen(["sh", "-c", "while :; do cat %s >/dev/null; done" % marker])
    try:
        rec = record(tmp, ["sh", "-c", "sleep 0.3; cat /etc/hostname >/dev/null"])
    finally:
        outside.kill()
        outside.wait()
    assert rec.rc == 0, rec.stderr
    assert not rec.where(path=marker), "an untraced process was recorded"
    me = os.getpid()
    pids = {op["pid"] for op in rec.ops}
    assert outside.pid not in pids and me not in pids, pids
    assert rec.where(path="/etc/hostname"), "the traced cat was not recorded"


@test
def environment_only_when_asked(tmp):
    env = dict(os.environ, PROBE_TEST_SECRET="s3cret")
    rec = record(tmp, ["true"], env=env)
    assert "env" not in rec.ops[0], rec.ops[0]
    rec = record(tmp, ["true"], "--env", env=env, name="env.probe")
    assert "PROBE_TEST_SECRET=s3cret" in rec.ops[0]["env"], rec.ops[0].get("env")


@test
def records_stay_whole_under_interrupts(tmp):
    """Timer interrupts wake sleepers while sys_exit writes the futex
    records of another thread on the same CPU: the wakeup hook runs
    inside it.  Nothing may be lost, torn or written twice, and an
    unrelated thread's opens are all there."""
    write_file(os.path.join(tmp, "file"), "x")
    log = os.path.join(tmp, "storm.probe")
    # rings large enough that a busy machine's slow drain loses nothing:
    # this test is about records torn inside one CPU, not throughput
    proc = subprocess.run([PROBE, "record", "-o", log, "--buffer-size", "128M", "--",
                           os.path.join(SCENARIOS, "wakeups_inside_records"), tmp, "1", "5000"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "opens 5000" in proc.stdout, proc.stderr
    assert "corrupt" not in proc.stderr and "LOST" not in proc.stderr, proc.stderr
    info = json.loads(run_cli("info", "--json", log).stdout)
    assert info["lost"]["records"] == 0 and info["lost"]["nested"] == 0, info["lost"]
    out = subprocess.run([PROBE, "export", "jsonl", log], capture_output=True, text=True)
    assert out.returncode == 0 and not out.stderr, out.stderr
    seen, opens, futexes = set(), 0, 0
    path = '"path":"%s"' % os.path.join(tmp, "file")
    for line in out.stdout.splitlines():
        key = re.search(r'"seq":(\d+),"cpu":(\d+)', line).groups()
        assert key not in seen, "a record written twice: " + line
        seen.add(key)
        opens += '"op":"open"' in line and path in line
        futexes += '"op":"futex"' in line
    assert opens == 5000 and futexes > 10000, (opens, futexes)


@test
def losses_are_counted_and_located(tmp):
    # The smallest ring, 128 KiB, holds a few hundred open records: a burst
    # of opens overflows it (a third to a half of its records are lost here).
    prog = os.path.join(SCENARIOS, "open_burst")
    rec = record(tmp, [prog, "/etc/hostname", "10000"], "--buffer-size", "128K",
                 hb_warning="records were lost, so edges may be missing")
    assert rec.rc == 0, rec.stderr
    lost = rec.where(op="lost")
    assert lost, "a full ring lost nothing?"
    # every CPU's sequence is whole once the lost ranges are added in
    seen = {}
    for op in rec.ops:
        n = op["count"] if op["op"] == "lost" else 1
        seen.setdefault(op["cpu"], []).append((op["seq"], n))
    for cpu, runs in seen.items():
        runs.sort()
        expect = 0
        for seq, n in runs:
            assert seq == expect, "cpu %d: seq %d where %d was due" % (cpu, seq, expect)
            expect = seq + n
    # info reports the same number
    total = sum(op["count"] for op in lost)
    info = run_cli("info", rec.log)
    assert ("LOST" in info.stdout or "lost" in info.stdout) and (" %d records" % total) in info.stdout, \
        (total, info.stdout)


# ---- recording a cgroup ----


def cgroup2_mount():
    """Where cgroup v2 is mounted; mounted here if nowhere yet."""
    for line in open("/proc/self/mounts"):
        dev, mnt, fstype = line.split()[:3]
        if fstype == "cgroup2":
            return mnt
    mnt = "/run/probe-bpf-test-cgroup2"
    os.makedirs(mnt, exist_ok=True)
    subprocess.run(["mount", "-t", "cgroup2", "none", mnt], check=True)
    return mnt


class Cgroup:
    def __init__(self, name):
        self.path = os.path.join(cgroup2_mount(), name)
        os.makedirs(self.path, exist_ok=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for _ in range(50):
            try:
                os.rmdir(self.path)
                return
            except OSError:
                time.sleep(0.1)


def log_appears(log):
    """A recorder has attached once its log exists: wait up to 5 s."""
    for _ in range(100):
        if os.path.exists(log):
            time.sleep(0.2)
            return True
        time.sleep(0.05)
    return False


def start_cgroup_recording(log, cgroup):
    proc = subprocess.Popen([PROBE, "record", "-q", "-o", log, "--cgroup", cgroup],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if not log_appears(log):
        proc.kill()
        raise AssertionError("recording did not start: %s" % proc.communicate()[1])
    return proc


def run_in_cgroup(cgroup, script):
    """Start sh in the cgroup (it moves itself in before running script)."""
    return subprocess.Popen(["sh", "-c", "echo $$ > %s/cgroup.procs && %s" % (cgroup, script)])


@test
def cgroup_until_empty(tmp):
    marker = os.path.join(tmp, "outside-marker")
    data = os.path.join(tmp, "data")
    for p in (marker, data):
        write_file(p, "x")
    log = os.path.join(tmp, "cg.probe")
    with Cgroup("probe-bpf-test-%d" % os.getpid()) as cg:
        inside = run_in_cgroup(cg.path, "sleep 1.5")  # there before recording starts, and after
        time.sleep(0.1)
        rec = start_cgroup_recording(log, cg.path)
        job = run_in_cgroup(cg.path, "sleep 0.2; cat %s > /dev/null" % data)
        outside = subprocess.run(["cat", marker], capture_output=True)
        job.wait()
        inside.wait()
        out, err = rec.communicate(timeout=20)  # stops by itself: the cgroup emptied
        assert rec.returncode == 0, err
    ops = export_ops(log)
    cat = [op for op in ops if op["op"] == "open" and op.get("path") == data]
    assert len(cat) == 1 and cat[0]["pid"] != job.pid, cat  # cat, exec'd by the job's child
    assert_file(cat[0], data)
    assert not [op for op in ops if op.get("path") == marker], "recorded a process outside the cgroup"
    # the sleep already there when recording started is traced too
    assert [op for op in ops if op["op"] == "exit" and op["pid"] == inside.pid], "pre-existing member not traced"
    info = subprocess.run([PROBE, "info", log], capture_output=True, text=True)
    assert "(complete)" in info.stdout and log_target_line(info.stdout) == cg.path, info.stdout


def log_target_line(info):
    for line in info.splitlines():
        if line.startswith("cgroup"):
            return line.split(None, 1)[1]
    return None


@test
def cgroup_members_from_before(tmp):
    data = os.path.join(tmp, "data")
    write_file(data, "x")
    jail = os.path.join(tmp, "jail")
    os.mkdir(jail)
    write_file(os.path.join(jail, "f"), "f")
    log = os.path.join(tmp, "snap.probe")
    go = os.path.join(jail, "go")  # "/go" in the chroot
    with Cgroup("probe-bpf-snap-%d" % os.getpid()) as cg:
        # fd 3 and the cwd are set before recording starts; the read
        # through fd 3 happens after, once the recorder has taken its
        # snapshot (it says so on stderr): no race with its start-up
        member = run_in_cgroup(cg.path, "cd %s; exec 3<data; while [ ! -e %s ]; do sleep 0.05; done; "
                               "cat <&3 >/dev/null" % (tmp, go))
        # and a root: the stat of "/f" after is of jail/f
        chrooted = run_in_cgroup(cg.path, "exec %s -c 'import os, sys, time; os.chroot(sys.argv[1]); "
                                 "os.chdir(\"/\")\nwhile not os.path.exists(\"/go\"): time.sleep(0.02)\n"
                                 "os.stat(\"/f\")' %s" % (sys.executable, jail))
        time.sleep(0.2)
        rec = subprocess.Popen([PROBE, "record", "-o", log, "--cgroup", cg.path],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        said = rec.stderr.readline()
        assert said.startswith("probe-bpf: recording ") and "until it empties" in said, said
        write_file(go, "")
        member.wait()
        assert chrooted.wait() == 0
        out, err = rec.communicate(timeout=20)
        assert rec.returncode == 0, err
    ops = export_ops(log)
    snaps = [op for op in ops if op["op"] == "snapshot" and op["pid"] == member.pid]
    fd3 = [op for op in snaps if op.get("fd") == 3]
    assert fd3 and fd3[0]["path"] == data and (fd3[0]["dev"], fd3[0]["ino"]) == stat_id(data), snaps
    proc = [op for op in snaps if "cwd" in op]
    assert proc and proc[0]["cwd"] == os.path.realpath(tmp) and proc[0]["exe"] in ("/usr/bin/dash", "/bin/dash"), proc
    # the read through the inherited fd resolves, by the snapshot
    read = [op for op in ops if op["op"] == "read" and op.get("path") == data]
    assert read, "the read of data was not recorded"
    root = [op for op in ops if op["op"] == "snapshot" and op["pid"] == chrooted.pid and "root" in op]
    assert root and root[0]["root"] == jail, root
    st = [op for op in ops if op["pid"] == chrooted.pid and op.get("path_arg") == "/f"]
    assert st and st[0]["path"] == os.path.join(jail, "f"), st
    model = model_check(log)
    assert model["unknown"] == 0, model


@test
def collector_inside_its_cgroup(tmp):
    log = os.path.join(tmp, "self.probe")
    with Cgroup("probe-bpf-self-%d" % os.getpid()) as cg:
        rec = subprocess.Popen(["sh", "-c", "echo $$ > %s/cgroup.procs && exec %s record -o %s --cgroup %s"
                                % (cg.path, PROBE, log, cg.path)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert log_appears(log), rec.communicate()[1]
        subprocess.run(["sh", "-c", "echo $$ > %s/cgroup.procs; cat /etc/hostname >/dev/null" % cg.path])
        rec.send_signal(signal.SIGINT)
        out, err = rec.communicate(timeout=10)
        assert rec.returncode == 0, err
    assert "probe-bpf itself is in" in err, err
    ops = export_ops(log)
    assert rec.pid not in {op["pid"] for op in ops}, "the collector recorded itself"
    assert [op for op in ops if op.get("path") == "/etc/hostname"], "the cgroup's cat is missing"


@test
def cgroup_ctrl_c(tmp):
    log = os.path.join(tmp, "cc.probe")
    with Cgroup("probe-bpf-int-%d" % os.getpid()) as cg:
        sleeper = run_in_cgroup(cg.path, "exec sleep 30")
        try:
            rec = start_cgroup_recording(log, cg.path)
            subprocess.run(["sh", "-c", "echo $$ > %s/cgroup.procs; cat /etc/hostname >/dev/null" % cg.path])
            rec.send_signal(signal.SIGINT)
            out, err = rec.communicate(timeout=10)
            assert rec.returncode == 0, err
        finally:
            sleeper.kill()
            sleeper.wait()
    ops = export_ops(log)
    assert [op for op in ops if op.get("path") == "/etc/hostname"], "the cgroup's cat is missing"
    info = subprocess.run([PROBE, "info", log], capture_output=True, text=True)
    assert "(complete)" in info.stdout, info.stdout


def pids_not_in_the_recording(ops):
    """The ops of processes the recording had no reason to record: each
    pid must be one it found in its cgroup (a snapshot) or saw cloned by a
    process it recorded, and not gone since (its last exit)."""
    alive, strays = set(), []
    for op in ops:
        pid = op["pid"]
        if op["op"] == "snapshot":
            alive.add(pid)
            continue
        if pid not in alive:
            strays.append(op)
        if op["op"] == "clone" and op["child_pid"] != pid:
            alive.add(op["child_pid"])
        if op["op"] == "exit" and op["group_dead"]:
            alive.discard(pid)
    return strays


@test
def cgroup_scope_survives_pid_reuse(tmp):
    # Members that come and go while the recorder lists them, and a fork
    # loop outside that cycles through every pid meanwhile: a member that
    # exits before the recorder marks it leaves its pid to a process
    # outside, which must not be recorded.  Every member still there at
    # the end must be.
    marker = os.path.join(tmp, "outside-marker")
    write_file(marker, "x")
    log = os.path.join(tmp, "churn.probe")
    churn = os.path.join(SCENARIOS, "pid_churn")
    forks = min(int(open("/proc/sys/kernel/pid_max").read()), 100000) + 5000
    with Cgroup("probe-bpf-churn-%d" % os.getpid()) as cg:
        members = [run_in_cgroup(cg.path, "for i in $(seq 200); do sleep 60 & done; wait"),
                   run_in_cgroup(cg.path, "while :; do /bin/true; done")]
        outside = subprocess.Popen([churn, marker, str(forks)])
        try:
            time.sleep(0.3)
            rec = start_cgroup_recording(log, cg.path)
            assert outside.wait(timeout=120) == 0
            time.sleep(0.2)
            still_in = {int(p) for p in open(os.path.join(cg.path, "cgroup.procs")).read().split()}
        finally:
            outside.kill()
            write_file(os.path.join(cg.path, "cgroup.kill"), "1")
            for m in members:
                m.wait()
        out, err = rec.communicate(timeout=30)  # the cgroup emptied
        assert rec.returncode == 0, err
    ops = export_ops(log, validate=False)
    assert not [op for op in ops if op["op"] == "lost"], "records were lost"
    assert not [op for op in ops if op.get("path") == marker], "recorded a process outside the cgroup"
    strays = pids_not_in_the_recording(ops)
    assert not strays, "ops of pids neither found in the cgroup nor cloned in it: %r" % strays[:3]
    recorded = {op["pid"] for op in ops}
    assert len(still_in) > 200 and still_in <= recorded, "members not recorded: %r" % (still_in - recorded)
    assert [op for op in ops if op["op"] == "exec" and op.get("argv") == ["/bin/true"]], "the members' execs were not recorded"


@test
def cgroup_scope_is_each_threads_own(tmp):
    # cgroup v2's threaded mode puts the threads of one process in
    # different cgroups: each thread is recorded while its own cgroup is in
    # the subtree, whatever its process's other threads do.
    files = [os.path.join(tmp, name) for name in ("main", "one", "two")]
    for f in files:
        write_file(f, "x")
    log = os.path.join(tmp, "threads.probe")
    name = "probe-bpf-threads-%d" % os.getpid()
    with Cgroup(name) as domain, Cgroup(name + "/in") as inside, Cgroup(name + "/out") as outside:
        for cg in (inside, outside):
            write_file(os.path.join(cg.path, "cgroup.type"), "threaded")
        proc = subprocess.Popen(["sh", "-c", "echo $$ > %s/cgroup.procs && exec %s %s %s %s"
                                 % (domain.path, os.path.join(SCENARIOS, "threads_apart"), *files)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            main, one, two = (int(t) for t in proc.stdout.readline().split())
            rec = start_cgroup_recording(log, inside.path)
            # two threads move in alone; then one of them moves out alone
            for tid in (one, two):
                write_file(os.path.join(inside.path, "cgroup.threads"), str(tid))
            write_file(os.path.join(outside.path, "cgroup.threads"), str(two))
            proc.stdin.write("go\n")
            proc.stdin.flush()
            assert proc.wait(timeout=10) == 0
        finally:
            proc.kill()
            proc.wait()
        rec.send_signal(signal.SIGINT)
        out, err = rec.communicate(timeout=10)
        assert rec.returncode == 0, err
    ops = export_ops(log)
    opened = [(op["tid"], op["path"]) for op in ops if op["op"] == "open" and op.get("path") in files]
    assert opened == [(one, files[1])], opened


@test
def outputs_are_private_and_follow_no_symlink(tmp):
    # a log and an export hold argv, paths, environments: only their owner
    # reads them
    log = os.path.join(tmp, "run.probe")
    out = os.path.join(tmp, "ops.jsonl")
    assert run_cli("record", "-q", "-o", log, "--", "true").returncode == 0
    assert run_cli("export", "jsonl", log, "-o", out).returncode == 0
    for f in (log, out):
        assert stat.S_IMODE(os.stat(f).st_mode) == 0o600, (f, oct(os.stat(f).st_mode))
    # a symlink planted where the output goes is not followed: its target
    # is neither truncated nor replaced
    victim = os.path.join(tmp, "victim")
    write_file(victim, "precious")
    link = os.path.join(tmp, "link")
    os.symlink(victim, link)
    assert_one_line_error(run_cli("record", "--overwrite", "-o", link, "--", "true"), 2, link, "symbolic link")
    assert_one_line_error(run_cli("export", "jsonl", log, "-o", link), 2, link, "symbolic link")
    assert open(victim).read() == "precious" and os.path.islink(link)
    assert sorted(os.listdir(tmp)) == ["link", "ops.jsonl", "run.probe", "victim"], os.listdir(tmp)
    # "-" is standard output, as with no -o at all, and no file named "-"
    dash = subprocess.run([PROBE, "export", "jsonl", log, "-o", "-"], cwd=tmp,
                          capture_output=True, text=True)
    assert dash.returncode == 0 and dash.stdout == open(out).read(), dash.stderr
    assert not os.path.exists(os.path.join(tmp, "-"))


@test
def outputs_never_replace_a_device(tmp):
    # export -o /dev/null as root writes to the device; it must not put a
    # regular file in its place (a device of our own, so that a failure
    # does not break the machine's /dev/null)
    log = os.path.join(tmp, "run.probe")
    assert run_cli("record", "-q", "-o", log, "--", "true").returncode == 0
    null = os.path.join(tmp, "null")
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    for args in (["export", "jsonl", log, "-o", null], ["record", "-q", "--overwrite", "-o", null, "--", "true"]):
        proc = run_cli(*args)
        assert proc.returncode == 0, (args, proc.stderr)
        st = os.lstat(null)
        assert stat.S_ISCHR(st.st_mode) and st.st_rdev == os.makedev(1, 3), args
    assert sorted(os.listdir(tmp)) == ["null", "run.probe"], os.listdir(tmp)


@test
def outputs_given_to_sudo_user_only_if_made(tmp):
    # under sudo, what probe-bpf creates belongs to the user who ran it;
    # a file that was there already keeps its owner
    env = dict(os.environ, SUDO_UID="65534", SUDO_GID="65534")
    new_log, new_out = os.path.join(tmp, "new.probe"), os.path.join(tmp, "new.jsonl")
    assert run_cli("record", "-q", "-o", new_log, "--", "true", env=env).returncode == 0
    assert run_cli("export", "jsonl", new_log, "-o", new_out, env=env).returncode == 0
    for f in (new_log, new_out):
        assert (os.stat(f).st_uid, os.stat(f).st_gid) == (65534, 65534), f
    old = os.path.join(tmp, "old.probe")
    write_file(old, "root's")
    os.chmod(old, 0o600)
    proc = run_cli("record", "-q", "--overwrite", "-o", old, "--", "true", env=env)
    assert proc.returncode == 0, proc.stderr
    assert os.stat(old).st_uid == 0, "an existing file was given away"
    assert run_cli("info", old).returncode == 0


AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
WITH_BPF_CAPS = ["--inh-caps=+bpf,+perfmon", "--ambient-caps=+bpf,+perfmon"]


def record_with_caps(tmp, cmd, *options, caps=WITH_BPF_CAPS, name="caps.probe"):
    """Record as a user who is not root and holds CAP_BPF and CAP_PERFMON
    (ambient, as a service's unit file could give them)."""
    os.chmod(tmp, 0o777)
    log = os.path.join(tmp, name)
    return log, subprocess.run(AS_NOBODY + caps + [PROBE, "record", "-q", "-o", log, *options, "--", *cmd],
                               capture_output=True, text=True, timeout=60)


@test
def recorded_command_cannot_untrace_itself(tmp):
    # The command runs as the recorder's user: it tries to take the
    # recorder's fds (pidfd_getfd), map its traced bits and clear its own
    # before it reads a secret.  Whether it inherits the recorder's
    # capabilities or not, the read is in the log.
    secret, copy = os.path.join(tmp, "secret"), os.path.join(tmp, "copy")
    write_file(secret, "s3cret")
    for options in ([], ["--keep-caps"]):
        log, proc = record_with_caps(tmp, [os.path.join(SCENARIOS, "self_untrace"), secret, copy], *options)
        assert proc.returncode == 0, (options, proc.stderr)
        assert proc.stdout == "reached 0\n", (options, proc.stdout)
        ops = export_ops(log)
        opened = [op for op in ops if op["op"] == "open" and op.get("path") == secret]
        assert opened and open(copy).read() == "s3cret", options
        os.unlink(log)


@test
def recorded_command_inherits_no_capabilities(tmp):
    status = os.path.join(tmp, "status")
    show = ["sh", "-c", "grep -E '^Cap(Inh|Prm|Eff|Amb)' /proc/self/status > %s" % status]
    caps = {}
    for options in ([], ["--keep-caps"]):
        log, proc = record_with_caps(tmp, show, *options)
        assert proc.returncode == 0, proc.stderr
        caps[tuple(options)] = dict(line.split(":") for line in open(status).read().split("\n") if line)
        os.unlink(log)
    assert {int(v, 16) for v in caps[()].values()} == {0}, caps
    assert int(caps[("--keep-caps",)]["CapAmb"], 16) == (1 << 38) | (1 << 39), caps  # CAP_PERFMON, CAP_BPF


@test
def record_says_which_capabilities_it_needs(tmp):
    log, proc = record_with_caps(tmp, ["true"], caps=[])
    assert_one_line_error(proc, 2, "CAP_BPF and CAP_PERFMON")
    log, proc = record_with_caps(tmp, ["true"], "--user", "root")
    assert_one_line_error(proc, 2, "CAP_SETUID and CAP_SETGID")
    assert "CAP_BPF and CAP_PERFMON" in run_cli("record", "--help").stdout


@test
def log_write_error_waits_for_the_command(tmp):
    # The log's file system fills up: recording stops, but the recorder
    # waits for the command, says what was lost and exits with its status.
    small = os.path.join(tmp, "small")
    os.mkdir(small)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", small], check=True)
    try:
        log, after = os.path.join(small, "run.probe"), os.path.join(tmp, "after")
        proc = subprocess.run([PROBE, "record", "-q", "-o", log, "--", "sh", "-c",
                               "for i in $(seq 100); do cat /etc/hostname; done > /dev/null;"
                               "echo ran > %s; exit 7" % after],
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 7, (proc.returncode, proc.stderr)
        assert open(after).read() == "ran\n", "the command was not left to finish"
        assert_one_line_error(proc, 7, "cannot write " + log, "No space left", "lost", "incomplete",
                              "ran to its end")
        info = run_cli("info", log)
        assert info.returncode == 0 and "INCOMPLETE" in info.stdout, info
    finally:
        subprocess.run(["umount", small])


@test
def second_signal_says_the_command_runs_on(tmp):
    # The command ignores SIGINT: the first one, passed on to it, does not
    # end it; the second stops the recording, which says the command was
    # left running, and so does the log.
    log, pidfile = os.path.join(tmp, "run.probe"), os.path.join(tmp, "pid")
    proc = subprocess.Popen([PROBE, "record", "-q", "-o", log, "--", "sh", "-c",
                             "trap '' INT; echo $$ > %s; exec sleep 30 >/dev/null 2>&1" % pidfile],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(100):
            if os.path.exists(pidfile) and open(pidfile).read().endswith("\n"):
                break
            time.sleep(0.05)
        pid = int(open(pidfile).read())
        for _ in range(2):
            proc.send_signal(signal.SIGINT)
            time.sleep(0.3)
        out, err = proc.communicate(timeout=10)
        assert proc.returncode == 130, (proc.returncode, err)
        lines = err.strip().splitlines()
        assert len(lines) == 1 and "still running" in lines[0] and "pid %d" % pid in lines[0], err
        os.kill(pid, 0)  # it does run on
    finally:
        proc.kill()
        with contextlib.suppress(ProcessLookupError, NameError):
            os.kill(pid, signal.SIGKILL)
    text = run_cli("info", log)
    assert "INCOMPLETE" in text.stdout and "second signal" in text.stdout, text.stdout
    info = info_json(log)
    assert info["complete"] is False and info["command_left_running"] is True, info


@test
def command_line_errors_in_one_line(tmp):
    # getopt's own message and ours made two lines; now one, naming the
    # option and the command
    for args in (["record", "--bogus", "--", "true"], ["record", "-qZ", "--", "true"], ["record", "-o"],
                 ["export", "--output"], ["info", "-x", "log"], ["diff", "--nope", "a", "b"]):
        assert_one_line_error(run_cli(*args), 2, "option '", "is unknown or needs a value", "--help")
    for size, words in (("64K", "128K"), ("512M", "256M"), ("3M", "power of two")):
        assert_one_line_error(run_cli("record", "-b", size, "--", "true"), 2, "--buffer-size " + size, words)
    # the smallest buffer accepted holds an exec with a long argv
    long_arg = "x" * 15000
    rec = record(tmp, ["sh", "-c", "true", "sh", long_arg], "--buffer-size", "128K")
    assert rec.rc == 0, rec.stderr
    assert rec.ops[0]["op"] == "exec" and rec.ops[0]["argv"] == ["sh", "-c", "true", "sh", long_arg]
    assert not [op for op in rec.ops if op["op"] == "lost"]
    # a message that names a path longer than any buffer keeps its reason
    deep = os.path.join(tmp, *(["d" * 200] * 30))
    proc = run_cli("info", deep)
    assert_one_line_error(proc, 2, "File name too long")
    assert proc.stderr.startswith("probe-bpf: cannot open " + tmp), proc.stderr[:100]


@test
def cgroup_snapshot_says_what_proc_hides(tmp):
    # A recorder with CAP_BPF and CAP_PERFMON only may not read the open
    # fds of another user's process already in the cgroup: it says so,
    # and still records the process.
    os.chmod(tmp, 0o777)
    log = os.path.join(tmp, "cg.probe")
    with Cgroup("probe-bpf-hidden-%d" % os.getpid()) as cg:
        member = run_in_cgroup(cg.path, "sleep 1.5; cat /etc/hostname > /dev/null")
        time.sleep(0.2)
        rec = subprocess.Popen(AS_NOBODY + WITH_BPF_CAPS + [PROBE, "record", "-o", log, "--cgroup", cg.path],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        member.wait()
        out, err = rec.communicate(timeout=20)
    assert rec.returncode == 0, err
    # the shell and its sleep
    assert "/proc would not show the open files of 2 of the 2 processes" in err, err
    ops = export_ops(log)
    assert [op for op in ops if op["op"] == "exec" and op["pid"] != member.pid and (op.get("argv") or [None])[0] == "cat"], \
        "the member was not recorded"


# ---- errors and the command line ----


def run_cli(*args, **kw):
    return subprocess.run([PROBE, *args], capture_output=True, text=True, timeout=30, **kw)


def assert_one_line_error(proc, status, *words):
    assert proc.returncode == status, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("probe-bpf: "), proc.stderr
    for w in words:
        assert w in lines[0], (w, lines[0])


@test
def refuses_existing_output(tmp):
    log = os.path.join(tmp, "exists.probe")
    write_file(log, "keep me")
    assert_one_line_error(run_cli("record", "-o", log, "--", "true"), 2, "already exists", "--overwrite")
    assert open(log).read() == "keep me"
    proc = run_cli("record", "-q", "--overwrite", "-o", log, "--", "true")
    assert proc.returncode == 0, proc.stderr
    assert export_ops(log)[0]["op"] == "exec"


@test
def refuses_non_cgroup(tmp):
    assert_one_line_error(run_cli("record", "-o", os.path.join(tmp, "x.probe"), "--cgroup", tmp),
                          2, "not a cgroup v2 directory")
    assert_one_line_error(run_cli("record", "-o", os.path.join(tmp, "x.probe"), "--cgroup", "/nonexistent"),
                          2, "/nonexistent")
    assert not os.path.exists(os.path.join(tmp, "x.probe"))


@test
def refuses_without_privileges(tmp):
    os.chmod(tmp, 0o777)
    proc = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                           PROBE, "record", "-o", os.path.join(tmp, "x.probe"), "--", "true"],
                          capture_output=True, text=True)
    assert_one_line_error(proc, 2, "root")
    assert not os.path.exists(os.path.join(tmp, "x.probe"))


@test
def bad_logs(tmp):
    garbage = os.path.join(tmp, "garbage")
    with open(garbage, "wb") as f:
        f.write(os.urandom(4096))
    empty = os.path.join(tmp, "empty")
    open(empty, "w").close()
    for cmd in ("info", "export"):
        args = [cmd, garbage] if cmd == "info" else [cmd, "jsonl", garbage]
        assert_one_line_error(run_cli(*args), 2, "not a probe-bpf log")
    assert_one_line_error(run_cli("info", empty), 2, "not a probe-bpf log")
    assert_one_line_error(run_cli("info", os.path.join(tmp, "nope")), 2, "No such file")
    assert_one_line_error(run_cli("export", "yaml", garbage), 2, "unknown export format")


def every_reader(log, path):
    """The command lines of every reader of a log, path the file asked about."""
    return [["info", log], ["info", "--files", log], ["info", "--json", log],
            ["export", "jsonl", log], ["export", "prov-json", log], ["export", "dot", log],
            ["export", "hb-dot", log], ["export", "process-tree", log],
            ["lineage", log, path], ["lineage", "--json", log, path], ["who", log, path],
            ["diff", log, log]]


@test
def readers_refuse_a_damaged_log(tmp):
    out = os.path.join(tmp, "out")
    rec = record(tmp, ["sh", "-c", "cat /etc/hostname > %s" % out])
    assert rec.rc == 0, rec.stderr
    data = bytearray(open(rec.log, "rb").read())
    first = int.from_bytes(data[16:20], "little")  # header_size: the first record
    second = first + int.from_bytes(data[first:first + 4], "little")
    data[second:second + 4] = (0xfffffff8).to_bytes(4, "little")  # a size no record has
    bad = os.path.join(tmp, "bad.probe")
    open(bad, "wb").write(data)
    for args in every_reader(bad, out):
        proc = run_cli(*args)
        assert proc.returncode != 0, (args, proc.stdout[-300:])
        lines = proc.stderr.strip().splitlines()
        assert lines[-1].startswith("probe-bpf: ") and "at byte %d" % second in lines[-1], (args, proc.stderr)
    # a FIFO (no writer: an open for reading would wait for ever) or a
    # device is refused at once
    fifo = os.path.join(tmp, "fifo")
    os.mkfifo(fifo)
    for log in (fifo, "/dev/zero"):
        for args in every_reader(log, out):
            assert_one_line_error(run_cli(*args), 2, "not a regular file")


def odd_names(d):
    """Files whose names would fake a line of text, or two names one JSON
    string: a newline and a fake entry; the byte 0xff and the letter ÿ
    (0xc3 0xbf), which JSON's readable form shows alike."""
    names = [b"evil\n  fake-input", b"\xff", "\u00ff".encode()]
    paths = [os.path.join(d.encode(), n) for n in names]
    for i, p in enumerate(paths):
        with open(p, "wb") as f:
            f.write(b"content %d\n" % i)
    return paths


def lines_of(proc):
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout.decode()  # valid UTF-8, or this raises
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f]", text), text
    return text.splitlines()


@test
def text_outputs_quote_names(tmp):
    d = os.path.join(tmp, "names")
    os.mkdir(d)
    paths = odd_names(d)
    out = os.path.join(d, "out")
    rec = record(tmp, ["sh", "-c", 'cat "$@" > %s' % out, "sh", *paths])
    assert rec.rc == 0, rec.stderr
    evil, ff, yy = ("$'%s/evil\\x0a  fake-input'" % d, "$'%s/\\xff'" % d, "'%s/\u00ff'" % d)
    for args, names in ((["info", "--files", rec.log], (evil, ff, yy)),
                        (["info", rec.log], (evil, ff, yy)),  # the command line
                        (["lineage", rec.log, out], (evil, ff, yy)),
                        (["lineage", "--tree", rec.log, out], (evil, ff, yy)),
                        (["lineage", "--descendants", rec.log, paths[0]], (evil,)),
                        (["who", rec.log, paths[1]], (ff,)),
                        (["export", "process-tree", rec.log], (evil, ff, yy))):
        proc = subprocess.run([PROBE, *args], capture_output=True, timeout=30)
        lines = lines_of(proc)
        assert not [l for l in lines if l.lstrip().startswith("fake-input")], (args, lines)
        for name in names:
            assert [l for l in lines if name in l], (args, name, lines)


@test
def json_keeps_names_apart(tmp):
    d = os.path.join(tmp, "names")
    os.mkdir(d)
    paths = odd_names(d)
    out = os.path.join(d, "out")
    rec = record(tmp, ["sh", "-c", 'cat "$@" > %s' % out, "sh", *paths])
    assert rec.rc == 0, rec.stderr
    want = {p.hex() if not valid_utf8(p) else p.decode() for p in paths}
    ops = [op for op in rec.ops if op["op"] == "open" and op.get("path", "").startswith(d)]
    assert {op.get("path_bytes", op["path"]) for op in ops} >= want, ops
    ex = [op for op in rec.ops if op["op"] == "exec" and op.get("argv", [""])[0] == "sh"][0]
    assert ex["argv_bytes"][5] == paths[1].hex() and ex["argv_bytes"][6] == paths[2].hex(), ex
    assert ex["argv"][5] == ex["argv"][6]  # the readable form alone cannot tell them apart
    info = json.loads(run_cli("info", "--json", rec.log).stdout)
    named = {f.get("path_bytes", f.get("path")) for f in info["inputs"]}
    assert want <= named, (want, named)
    lin = json.loads(run_cli("lineage", "--json", rec.log, out).stdout)
    assert not list(LINEAGE_VALIDATOR.iter_errors(lin))
    named = {f.get("path_bytes", f["path"]) for f in lin["files"]}
    assert want <= named, (want, named)
    doc = run_cli("export", "prov-json", rec.log).stdout
    ents = json.loads(doc)["entity"].values()
    named = {e.get("probe:path_bytes", e.get("probe:path")) for e in ents}
    assert want <= named, (want, named)


def valid_utf8(b):
    try:
        b.decode()
        return True
    except UnicodeDecodeError:
        return False


def lost_marks(log, program):
    """What lineage --json (of what program's runs made), PROV-JSON and
    DOT mark as maybe incomplete."""
    lin = json.loads(run_cli("lineage", "--json", "--descendants", log, program).stdout)
    assert not list(LINEAGE_VALIDATOR.iter_errors(lin))
    assert [p for p in lin["processes"] if p["argv"][0] == program], lin["processes"]
    doc = json.loads(run_cli("export", "prov-json", log).stdout)
    assert not list(PROV_VALIDATOR.iter_errors(doc))
    prov_marked = [k for sec in ("activity", "entity") for k, v in doc.get(sec, {}).items()
                   if v.get("probe:incomplete")]
    dot = run_cli("export", "dot", "--no-fold", log).stdout
    return lin, prov_marked, dot


@test
def losses_mark_the_outputs(tmp):
    burst = os.path.join(SCENARIOS, "open_burst")
    log = os.path.join(tmp, "lossy.probe")
    # the smallest ring, 128 KiB, overflows in the burst (not record():
    # with opens lost, the fd model may rightly disagree)
    proc = run_cli("record", "-q", "-o", log, "--buffer-size", "128K", "--",
                   "sh", "-c", "%s /etc/hostname 20000; true" % burst)
    assert proc.returncode == 0, proc.stderr
    lost = [op for op in export_ops(log) if op["op"] == "lost"]
    assert lost, "a full ring lost nothing?"
    lin, prov_marked, dot = lost_marks(log, burst)
    assert lin["losses"]["records"] == sum(op["count"] for op in lost), lin["losses"]
    # the burst lost records while it ran; any file may lack a use
    assert all(p.get("incomplete") for p in lin["processes"]), lin["processes"]
    assert all(n.get("incomplete") for n in lin["nodes"]), lin["nodes"]
    assert {k.split("/")[0] for k in prov_marked} >= {"run:process", "run:file"}, prov_marked
    assert re.search(r'shape=box[^\]]*class="incomplete"', dot), dot[:600]
    assert re.search(r'shape=ellipse[^\]]*class="incomplete"', dot), dot[:600]
    assert "the log lost records" in dot, dot[:400]
    # and a recording that lost nothing marks nothing
    rec = record(tmp, ["sh", "-c", "%s /etc/hostname 10; true" % burst], name="whole.probe")
    assert not rec.where(op="lost")
    lin, prov_marked, dot = lost_marks(rec.log, burst)
    assert "losses" not in lin and "incomplete" not in json.dumps(lin), lin
    assert not prov_marked and "incomplete" not in dot and "lost" not in dot


@test
def ctrl_c_reaches_the_command(tmp):
    log = os.path.join(tmp, "int.probe")
    proc = subprocess.Popen([PROBE, "record", "-q", "-o", log, "--", "sleep", "30"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_until_recording(log)
    proc.send_signal(signal.SIGINT)  # as a terminal's Ctrl-C, to the collector alone
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 128 + signal.SIGINT, (proc.returncode, err)
    ops = export_ops(log)
    ex = [op for op in ops if op["op"] == "exit" and op["group_dead"]]
    assert ex and ex[0]["signal"] == "SIGINT", ex
    assert "(complete)" in run_cli("info", log).stdout


@test
def killed_recorder_leaves_readable_log(tmp):
    log = os.path.join(tmp, "killed.probe")
    proc = subprocess.Popen([PROBE, "record", "-q", "-o", log, "--", "sh", "-c",
                             "cat /etc/hostname >/dev/null; exec sleep 30"])
    try:
        wait_until_recording(log)
        # the command outlives its recorder: stop it by pid afterwards
        # (a pattern would also kill other people's "sleep 30")
        with open("/proc/%d/task/%d/children" % (proc.pid, proc.pid)) as f:
            orphans = [int(pid) for pid in f.read().split()]
    finally:
        proc.kill()
        proc.wait()
    for pid in orphans:
        os.kill(pid, signal.SIGKILL)
    # cut the last record in half too, as a crash mid-write would
    size = os.path.getsize(log)
    with open(log, "r+b") as f:
        f.truncate(size - 5)
    info = run_cli("info", log)
    assert info.returncode == 0 and "INCOMPLETE" in info.stdout, info
    exp = run_cli("export", "jsonl", log)
    assert exp.returncode == 0 and "incomplete" in exp.stderr, exp
    ops = [json.loads(line) for line in exp.stdout.splitlines()]
    assert ops and ops[0]["op"] == "exec", ops[:1]


@test
def export_to_file_is_whole_or_absent(tmp):
    log = os.path.join(tmp, "ok.probe")
    assert run_cli("record", "-q", "-o", log, "--", "true").returncode == 0
    out = os.path.join(tmp, "ops.jsonl")
    proc = run_cli("export", "jsonl", log, "-o", out)
    assert proc.returncode == 0 and proc.stdout == "", proc
    assert [json.loads(line) for line in open(out)] == export_ops(log)
    bad = os.path.join(tmp, "bad.probe")
    with open(log, "rb") as src, open(bad, "wb") as dst:
        data = bytearray(src.read())
        first = int.from_bytes(data[16:20], "little")  # header_size
        data[first:first + 4] = (0xfff1).to_bytes(4, "little")  # a corrupt record size
        dst.write(data)
    out2 = os.path.join(tmp, "bad.jsonl")
    proc = run_cli("export", "jsonl", bad, "-o", out2)
    assert proc.returncode == 2 and not os.path.exists(out2), proc
    assert [f for f in os.listdir(tmp) if ".tmp." in f] == []
    # a FIFO (like /dev/null or /dev/stdout) is written to, not replaced
    # (if it were, its reader would wait for ever: it is stopped)
    fifo = os.path.join(tmp, "fifo")
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", fifo], stdout=subprocess.PIPE, text=True)
    try:
        proc = run_cli("export", "jsonl", log, "-o", fifo)
        assert proc.returncode == 0 and stat.S_ISFIFO(os.stat(fifo).st_mode), proc
        got = reader.communicate(timeout=30)[0]
    finally:
        reader.kill()
        reader.wait()
    assert [json.loads(line) for line in got.splitlines()] == export_ops(log)


@test
def help_and_version(tmp):
    for args in (["--help"], ["record", "--help"], ["info", "--help"], ["export", "--help"]):
        proc = run_cli(*args)
        assert proc.returncode == 0 and "usage: probe-bpf" in proc.stdout, (args, proc)
        assert "Report problems at" in proc.stdout, (args, proc.stdout)
    proc = run_cli("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("probe-bpf "), proc
    assert_one_line_error(run_cli("frobnicate"), 2, "unknown command")
    assert_one_line_error(run_cli("record"), 2, "record what")
    assert_one_line_error(run_cli("record", "--buffer-size", "3M", "--", "true"), 2, "power of two")


# ---- queries ----


@test
def process_tree_of_a_pipeline(tmp):
    src = os.path.join(tmp, "in.txt")
    write_file(src, "a\nb\nc\n")
    rec = record(tmp, ["sh", "-c", "cat %s | wc -l" % src])
    assert rec.rc == 0 and rec.stdout.strip() == "3", (rec.rc, rec.stdout, rec.stderr)
    sh = rec.ops[0]["pid"]
    execs = dict((name, pid) for pid, name in processes_in_order(rec))
    proc = run_cli("export", "process-tree", rec.log)
    assert proc.returncode == 0 and proc.stderr == "", proc
    # sh, and the two sides of the pipe it forked indented under it
    assert proc.stdout.splitlines() == [
        "%d sh -c 'cat %s | wc -l'  (exit 0)" % (sh, src),
        "  %d cat %s  (exit 0)" % (execs["cat"], src),
        "  %d wc -l  (exit 0)" % execs["wc"],
    ], proc.stdout
    out = os.path.join(tmp, "tree.txt")
    assert run_cli("export", "process-tree", rec.log, "-o", out).returncode == 0
    assert open(out).read() == proc.stdout
    assert "process-tree" in run_cli("export", "--help").stdout


# ---- PROV-JSON ----

PROV_ELEMENTS = {"entity", "activity", "agent"}
PROV_RELATIONS = {"wasGeneratedBy", "used", "wasInformedBy", "wasStartedBy", "wasEndedBy",
                  "wasInvalidatedBy", "wasDerivedFrom", "wasAttributedTo", "wasAssociatedWith",
                  "actedOnBehalfOf", "wasInfluencedBy", "specializationOf", "alternateOf",
                  "hadMember", "mentionOf"}


def export_prov(log, tmp):
    """A log's PROV-JSON export, checked: the raw JSON, and the document
    as the W3C prov library reads it."""
    out = os.path.join(tmp, "prov.json")
    proc = run_cli("export", "prov-json", log, "-o", out)
    assert proc.returncode == 0 and proc.stdout == "" and proc.stderr == "", proc
    raw = json.load(open(out), object_pairs_hook=no_duplicate_keys)
    errors = list(PROV_VALIDATOR.iter_errors(raw))
    assert not errors, "not PROV-JSON: %s at %s" % (errors[0].message, list(errors[0].absolute_path))
    assert set(raw) <= {"prefix", "bundle"} | PROV_ELEMENTS | PROV_RELATIONS, list(raw)
    for kind in PROV_RELATIONS & set(raw):
        named = [rid for rid in raw[kind] if not rid.startswith("_:")]
        assert named == [], (kind, named)
    doc = prov.read(out, format="json")
    assert all(r.identifier is None for r in doc.get_records() if r.is_relation())
    return raw, doc


def prov_value(record, name):
    """The one value of an attribute; a typed number as an int."""
    values = record.get_attribute(name)
    assert len(values) == 1, (record, name, values)
    value = next(iter(values))
    if isinstance(value, prov.model.Literal) and value.datatype.localpart.startswith("unsigned"):
        return int(value.value)
    return value


def prov_args(relation):
    """A relation's formal attributes, by local name, as identifier text."""
    return dict((k.localpart, str(v)) for k, v in relation.formal_attributes if v is not None)


@test
def prov_json_of_a_pipeline(tmp):
    src = os.path.join(tmp, "in.txt")
    dst = os.path.join(tmp, "out.txt")
    write_file(src, "hello\nworld\n")
    rec = record(tmp, ["sh", "-c", "cat %s | tr a-z A-Z > %s" % (src, dst)])
    assert rec.rc == 0, rec.stderr
    raw, doc = export_prov(rec.log, tmp)

    acts = list(doc.get_records(prov.model.ProvActivity))
    # an exec epoch's argv, as sh would read it back
    by_argv = dict((prov_value(a, "probe:argv"), a) for a in acts if a.get_attribute("probe:argv"))
    sh = by_argv["sh -c 'cat %s | tr a-z A-Z > %s'" % (src, dst)]
    cat = by_argv["cat %s" % src]
    tr = by_argv["tr a-z A-Z"]
    execs = dict((name, pid) for pid, name in processes_in_order(rec))
    assert prov_value(cat, "probe:pid") == execs["cat"] and prov_value(cat, "probe:epoch") == 1
    assert prov_value(cat, "probe:exe") == "/usr/bin/cat", prov_value(cat, "probe:exe")
    # wall-clock times of the first and last ops: sh ran just now
    assert abs(sh.get_startTime().timestamp() - time.time()) < 60, sh.get_startTime()
    for a in (sh, cat, tr):
        assert a.get_startTime() <= a.get_endTime(), a
    assert sh.get_startTime() < cat.get_startTime() and cat.get_endTime() < sh.get_endTime()

    ents = list(doc.get_records(prov.model.ProvEntity))
    versions = [e for e in ents if e.get_attribute("probe:version")]

    def version(path, n):
        found = [e for e in versions if prov_value(e, "probe:path") == path
                 and prov_value(e, "probe:version") == n]
        assert len(found) == 1, (path, n, found)
        return str(found[0].identifier)

    # the file as stat(2) shows it
    dev, ino = stat_id(src)
    src0 = doc.get_record(version(src, 0))[0]
    assert (prov_value(src0, "probe:dev"), prov_value(src0, "probe:ino")) == (dev, ino)
    assert prov_value(src0, "probe:size") == 12
    mtime = prov_value(src0, "probe:mtime")
    assert abs(mtime.timestamp() - os.stat(src).st_mtime) < 1e-5, (mtime, os.stat(src).st_mtime)

    used = [prov_args(r) for r in doc.get_records(prov.model.ProvUsage)]
    generated = [prov_args(r) for r in doc.get_records(prov.model.ProvGeneration)]
    # each use and generation at the time of its op, within its activity
    starts = {str(a.identifier): (a.get_startTime(), a.get_endTime())
              for a in doc.get_records(prov.model.ProvActivity)}
    for r in used + generated:
        begin, end = starts[r["activity"]]
        assert begin <= datetime.datetime.fromisoformat(r.pop("time")) <= end, (r, begin, end)
    informed = [prov_args(r) for r in doc.get_records(prov.model.ProvCommunication)]

    # cat read in.txt as it was; tr wrote out.txt's last version
    assert {"activity": str(cat.identifier), "entity": version(src, 0)} in used, used
    out = [e for e in versions if prov_value(e, "probe:path") == dst]
    last = max(prov_value(e, "probe:version") for e in out)
    assert {"entity": version(dst, last), "activity": str(tr.identifier)} in generated, generated
    # each version of out.txt is a revision of the one before
    derived = [(prov_args(r), r.get_attribute("prov:type")) for r in doc.get_records(prov.model.ProvDerivation)]
    for n in range(1, last):
        assert ({"generatedEntity": version(dst, n + 1), "usedEntity": version(dst, n)},
                {prov.constants.PROV["Revision"]}) in derived, derived

    # sh informed its children, the forks that became cat and tr by exec
    children = dict((prov_value(doc.get_record(i["informed"])[0], "probe:pid"), i["informed"])
                    for i in informed if i["informant"] == str(sh.identifier))
    assert sorted(children) == sorted([execs["cat"], execs["tr"]]), (children, execs)
    for a in (cat, tr):
        child = children[prov_value(a, "probe:pid")]
        assert {"informed": str(a.identifier), "informant": child} in informed, informed

    # the pipe between them
    pipes = [str(e.identifier) for e in versions if prov_value(e, "probe:path").startswith("pipe:[")]
    assert [p for p in pipes if {"entity": p, "activity": str(cat.identifier)} in generated
            and {"activity": str(tr.identifier), "entity": p} in used], (pipes, generated, used)

    # each version is a specialization of its file; each activity the user's
    specs = [prov_args(r) for r in doc.get_records(prov.model.ProvSpecialization)]
    general = str(doc.get_record(version(src, 0))[0].identifier).rsplit("/", 1)[0]
    assert {"specificEntity": version(src, 0), "generalEntity": general} in specs, specs
    assert {v["specificEntity"] for v in specs} == {str(e.identifier) for e in versions}
    agents = list(doc.get_records(prov.model.ProvAgent))
    assert len(agents) == 1 and "records no uid" in prov_value(agents[0], "prov:label")
    assoc = [prov_args(r) for r in doc.get_records(prov.model.ProvAssociation)]
    assert sorted(a["activity"] for a in assoc) == sorted(str(a.identifier) for a in acts)
    assert {a["agent"] for a in assoc} == {str(agents[0].identifier)}

    # the same log, the same document
    again = run_cli("export", "prov-json", rec.log)
    assert again.returncode == 0 and json.loads(again.stdout) == raw


# ---- DOT ----


@test
def dot_graphs_of_a_pipeline(tmp):
    src = os.path.join(tmp, "in.txt")
    write_file(src, "a\n")
    rec = record(tmp, ["sh", "-c", "cat %s | wc -l" % src])
    assert rec.rc == 0, rec.stderr
    execs = dict((name, pid) for pid, name in processes_in_order(rec))
    # a process: pid and argv; a file: its path in full in the tooltip;
    # edges by colour (blue: read), named in hb-dot
    for fmt, words in (("dot", ["digraph dataflow {", 'label="%d cat' % execs["cat"],
                                'tooltip="%s"' % src, 'color="#1f5fbf"']),
                       ("hb-dot", ["digraph happens_before {", 'label="pid %d: wc"' % execs["wc"],
                                   'xlabel="pipe"', 'xlabel="clone"'])):
        proc = run_cli("export", fmt, rec.log)
        assert proc.returncode == 0 and proc.stderr == "", (fmt, proc.stderr)
        for w in words:
            assert w in proc.stdout, (fmt, w)
        svg = subprocess.run(["dot", "-Tsvg"], input=proc.stdout, capture_output=True, text=True)
        assert svg.returncode == 0 and svg.stderr == "" and "</svg>" in svg.stdout, (fmt, svg.stderr)
        # drawn by probe-bpf itself, to a file
        out = os.path.join(tmp, fmt + ".svg")
        drawn = run_cli("export", fmt, rec.log, "--svg", "-o", out)
        assert drawn.returncode == 0 and drawn.stderr == "", drawn
        assert open(out).read() == svg.stdout
    png = subprocess.run([PROBE, "export", "dot", "--png", rec.log], capture_output=True)
    assert png.returncode == 0 and png.stdout.startswith(b"\x89PNG\r\n"), png.stderr
    # --svg is for the graphs only, and needs Graphviz
    assert_one_line_error(run_cli("export", "jsonl", "--svg", rec.log), 2, "dot and hb-dot")
    assert_one_line_error(run_cli("export", "dot", "--svg", rec.log, env={"PATH": tmp}), 2,
                          "Graphviz", "not installed")
    assert "hb-dot" in run_cli("export", "--help").stdout


def png_size(data):
    """The width and height a PNG's IHDR chunk gives."""
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR", data[:16]
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def small_c_build(tmp):
    """Record make -j2 of a program of six C files and a header, in tmp/src."""
    src = os.path.join(tmp, "src")
    os.mkdir(src)
    write_file(os.path.join(src, "common.h"), "int f1(void), f2(void), f3(void), f4(void), f5(void);\n")
    for i in range(1, 6):
        write_file(os.path.join(src, "f%d.c" % i), '#include "common.h"\nint f%d(void) { return %d; }\n' % (i, i))
    write_file(os.path.join(src, "main.c"),
               '#include "common.h"\nint main(void) { return f1() + f2() + f3() + f4() + f5() - 15; }\n')
    write_file(os.path.join(src, "Makefile"),
               "CFLAGS = -Wall -Wextra -Wshadow -Wundef -O2 -std=c99\n"
               "OBJS = main.o f1.o f2.o f3.o f4.o f5.o\n"
               "prog: $(OBJS)\n\t$(CC) -o $@ $(OBJS)\n"
               "%.o: %.c common.h\n\t$(CC) $(CFLAGS) -c -o $@ $<\n")
    # recorded without Recording's check of every op against the schema:
    # these tests are about the pictures, and that takes seconds
    log = os.path.join(tmp, "build.probe")
    proc = subprocess.run([PROBE, "record", "-q", "-o", log, "--", "make", "-s", "-C", src, "-j2"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return log, src


def dot_labels(text):
    """The labels of a DOT text's nodes, their lines joined by spaces."""
    labels = []
    for line in text.splitlines():
        if " [" in line and "->" not in line and 'label="' in line:
            labels.append(line.split('label="', 1)[1].split('"')[0].replace("\\n", " "))
    return labels


@test
def dot_picture_of_a_c_build(tmp):
    log, src = small_c_build(tmp)
    ops = run_cli("export", "jsonl", log)
    pids = set(json.loads(line)["pid"] for line in ops.stdout.splitlines())
    text = run_cli("export", "dot", log)
    assert text.returncode == 0 and text.stderr == "", text.stderr
    labels = dot_labels(text.stdout)
    # one box per process (exec epochs merged), labelled with pid and argv,
    # cut in the middle where it is long
    boxes = [l for l in text.stdout.splitlines() if "[shape=box" in l]
    assert len(boxes) == len(pids), (len(boxes), len(pids))
    cc = [l for l in labels if " -c -o f3.o f3.c" in l]
    assert len(cc) == 1 and cc[0].split()[1] in ("cc", "gcc") and " ... " in cc[0], labels
    # the project's files by name (most of them are there), system files
    # folded by directory, the compilers' temporaries dashed: removed
    assert "f3.c" in labels and "common.h" in labels and "prog" in labels, labels
    assert "files under %s/ by their path" % src in text.stdout
    assert any(l.startswith("/usr/include/ ") for l in labels), labels
    assert not any(l.endswith("stdio.h") for l in labels), labels
    assert 'style="dashed,filled"' in text.stdout
    # what every process reads (the loader's cache, libc) apart, unlinked
    assert "subgraph cluster_apart {" in text.stdout
    assert all(re.search(r" \+ \d+ folded$", l) for l in labels if " -c -o " in l), labels
    # drawn: in seconds, a picture of a sane size
    out = os.path.join(tmp, "build.png")
    start = time.monotonic()
    png = run_cli("export", "dot", "--png", log, "-o", out)
    took = time.monotonic() - start
    assert png.returncode == 0 and png.stderr == "", png.stderr
    width, height = png_size(open(out, "rb").read(32))
    assert 300 < width < 8000 and 200 < height < 8000, (width, height, took)
    # around the program: its lineage; one writer away: ld and the objects
    around = run_cli("export", "dot", "--around", os.path.join(src, "prog"), log)
    assert around.returncode == 0, around.stderr
    assert "f3.c" in dot_labels(around.stdout)
    near = run_cli("export", "dot", "--around", os.path.join(src, "prog"), "--depth", "1", log)
    assert near.returncode == 0, near.stderr
    near_labels = dot_labels(near.stdout)
    assert "f3.o" in near_labels and "f3.c" not in near_labels, near_labels
    assert not any(" -c -o f3.o f3.c" in l for l in near_labels), near_labels
    # hb-dot of one compiler driver: its ops, the ops it is tied to as stubs
    driver = int(cc[0].split()[0])
    hb = run_cli("export", "hb-dot", "--pid", str(driver), log)
    assert hb.returncode == 0, hb.stderr
    assert 'label="pid %d: ' % driver in hb.stdout and "not drawn" in hb.stdout
    assert " ops\\n" in hb.stdout  # runs of ops as one node
    hb_png = run_cli("export", "hb-dot", "--png", "--pid", str(driver), log, "-o", out)
    assert hb_png.returncode == 0 and hb_png.stderr == "", hb_png.stderr
    width, height = png_size(open(out, "rb").read(32))
    assert 100 < width < 8000 and 100 < height < 8000, (width, height)


@test
def dot_refuses_a_graph_too_big(tmp):
    log, src = small_c_build(tmp)
    out = os.path.join(tmp, "big.png")
    proc = run_cli("export", "dot", "--png", "--max-nodes", "10", log, "-o", out)
    assert_one_line_error(proc, 2, "nodes", "--max-nodes 10", "--around", "--only")
    proc = run_cli("export", "hb-dot", "--max-nodes", "10", log, "-o", out)
    assert_one_line_error(proc, 2, "nodes", "--pid", "--from")
    assert not os.path.exists(out) and [f for f in os.listdir(tmp) if ".tmp." in f] == []
    # a window draws
    proc = run_cli("export", "hb-dot", "--max-nodes", "10", "--ops", "0-3", log)
    assert proc.returncode == 0 and proc.stdout.startswith("digraph"), proc.stderr
    # options in the wrong place, or wrong
    assert_one_line_error(run_cli("export", "jsonl", "--around", src, log), 2, "--around", "dot")
    assert_one_line_error(run_cli("export", "dot", "--pid", "1", log), 2, "--pid", "hb-dot")
    assert_one_line_error(run_cli("export", "dot", "--depth", "1", log), 2, "--around")
    assert_one_line_error(run_cli("export", "hb-dot", "--from", "2", "--to", "1", log), 2, "--from")
    assert_one_line_error(run_cli("export", "dot", "--around", "/nonexistent", log), 2, "/nonexistent")
    # without --max-nodes: a dataflow graph of more than 1000 nodes (1100
    # files made), a happens-before one of more than 500 (150 processes,
    # each a clone, an exec, an exit and a wait) are refused
    many = os.path.join(tmp, "many")
    os.mkdir(many)
    big = os.path.join(tmp, "many.probe")
    proc = run_cli("record", "-q", "-o", big, "--", "sh", "-c",
                   "for i in $(seq 1100); do : > f$i; done; for i in $(seq 150); do /bin/true; done",
                   cwd=many)
    assert proc.returncode == 0, proc.stderr
    assert_one_line_error(run_cli("export", "dot", big), 2, "--max-nodes 1000")
    assert_one_line_error(run_cli("export", "hb-dot", big), 2, "--max-nodes 500")
    for fmt in ("dot", "hb-dot"):
        proc = run_cli("export", fmt, "--max-nodes", "0", big)
        assert proc.returncode == 0 and proc.stdout.startswith("digraph"), (fmt, proc.stderr)


def fake_graphviz(tmp, script):
    """A directory holding a dot(1) that runs script, and the environment
    whose PATH finds it first."""
    bin_dir = os.path.join(tmp, "bin")
    os.makedirs(bin_dir, exist_ok=True)
    dot = os.path.join(bin_dir, "dot")
    write_file(dot, "#!/bin/sh\n" + script)
    os.chmod(dot, 0o755)
    return dict(os.environ, PATH=bin_dir + ":" + os.environ["PATH"])


def gone(pid):
    """Whether process pid has ended (or is a zombie nobody reaped yet)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


@test
def dot_render_failure_and_interruption(tmp):
    log = os.path.join(tmp, "run.probe")
    assert run_cli("record", "-q", "-o", log, "--", "true").returncode == 0
    out = os.path.join(tmp, "flow.png")

    def leftovers():
        return [f for f in os.listdir(tmp) if f.startswith(("flow.png", ".flow.png"))]

    # Graphviz fails: its error on one line (the one that says Error, not
    # a warning before it), nothing left behind
    env = fake_graphviz(tmp, "cat >/dev/null\n"
                        "printf 'Warning: graph is too large for cairo-renderer bitmaps. "
                        "Scaling by 0.5 to fit\\n' >&2\n"
                        "printf 'Error: trouble in init_rank\\n\\tn1 0/1\\n\\tn2 1/0\\n' >&2\n"
                        "exit 1\n")
    proc = run_cli("export", "dot", "--png", log, "-o", out, env=env)
    assert_one_line_error(proc, 2, "Graphviz", "trouble in init_rank")
    assert leftovers() == [], leftovers()
    # interrupted while dot draws: dot is stopped, the file removed, and
    # the export dies of the signal
    mark = os.path.join(tmp, "dot.pid")
    env = fake_graphviz(tmp, "echo $$ > %s.new; mv %s.new %s\nexec sleep 60\n" % (mark, mark, mark))
    for sig in (signal.SIGINT, signal.SIGTERM):
        proc = subprocess.Popen([PROBE, "export", "hb-dot", "--png", log, "-o", out], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(200):
            if os.path.exists(mark):
                break
            time.sleep(0.05)
        dot_pid = int(open(mark).read())
        os.unlink(mark)
        assert any(f.startswith(".flow.png.tmp.") for f in leftovers()), leftovers()
        proc.send_signal(sig)
        proc.communicate(timeout=10)
        assert proc.returncode == -sig, (sig, proc.returncode)
        assert leftovers() == [], leftovers()
        for _ in range(100):
            if gone(dot_pid):
                break
            time.sleep(0.05)
        assert gone(dot_pid), "dot %d still runs" % dot_pid


def diff_json(log1, log2):
    proc = run_cli("diff", "--json", log1, log2)
    assert proc.returncode in (0, 1) and proc.stderr == "", proc
    report = json.loads(proc.stdout)
    assert proc.returncode == (1 if report["differences"] else 0), (proc.returncode, report)
    return report


@test
def diff_of_two_runs(tmp):
    a = os.path.join(tmp, "A")
    b = os.path.join(tmp, "B")
    write_file(a, "one\n")
    cmd = ["sh", "-c", "cat %s > %s" % (a, b)]
    runs = [record(tmp, cmd, name="run%d.probe" % i) for i in (1, 2)]
    ino = os.stat(a).st_ino
    write_file(a, "one two\n")  # in place: same inode, other size and mtime
    assert os.stat(a).st_ino == ino
    runs.append(record(tmp, cmd, name="run3.probe"))
    assert all(r.rc == 0 for r in runs), [r.stderr for r in runs]
    log1, log2, log3 = (r.log for r in runs)

    # the same input, the same output: B written again, with another
    # mtime, holds what it held
    same = diff_json(log1, log2)
    assert same["inputs"] == [] and same["outputs"] == [], same
    proc = run_cli("diff", log1, log2)
    assert proc.returncode == 0 and proc.stdout == "" and proc.stderr == "", proc

    # A's new content: the cause, by its hash; then B, made from it
    changed = diff_json(log2, log3)
    assert [(d["path"], d["kind"], d["compared"], d["changed"]) for d in changed["inputs"]] == [
        (a, "changed", "sha256", ["size", "content"])], changed
    read = changed["inputs"][0]
    assert (read["log1"]["ino"], read["log2"]["ino"]) == (ino, ino), read
    assert (read["log1"]["size"], read["log2"]["size"]) == (4, 8), read
    assert read["log2"]["mtime_ns"] == os.stat(a).st_mtime_ns, read
    assert [(d["path"], d["changed"], d["causes"]) for d in changed["outputs"]] == [
        (b, ["size", "content"], [a])], changed
    text = run_cli("diff", log2, log3).stdout.splitlines()
    assert text[0] == "inputs:" and text[1].startswith("  %s  content " % a), text
    assert text[2] == "outputs:" and text[3].endswith("  (from %s)" % a), text

    # a log against itself: no differences, status 0
    proc = run_cli("diff", log1, log1)
    assert proc.returncode == 0 and proc.stdout == "", proc
    assert "--ignore GLOB" in run_cli("diff", "--help").stdout
    assert_one_line_error(run_cli("diff", log1), 2, "two LOGs")
    assert_one_line_error(run_cli("diff", log1, os.path.join(tmp, "none.probe")), 2, "none.probe")


def info_json(log, *options):
    proc = run_cli("info", "--json", *options, log)
    assert proc.returncode == 0 and proc.stderr == "", proc
    return json.loads(proc.stdout, object_pairs_hook=no_duplicate_keys)


def sha256sum(path):
    out = subprocess.run(["sha256sum", path], capture_output=True, text=True, check=True)
    return out.stdout.split()[0]


def by_path(entries):
    return dict((e["path"], e) for e in entries if "path" in e)


@test
def hashes_at_the_end_are_sha256sum(tmp):
    src = os.path.join(tmp, "in.txt")
    dst = os.path.join(tmp, "out.txt")
    write_file(src, "hello\n" * 1000)
    rec = record(tmp, ["sh", "-c", "sort %s > %s; cp %s %s.copy" % (src, dst, dst, dst)])
    assert rec.rc == 0, rec.stderr
    info = info_json(rec.log, "--only", tmp)
    inputs, outputs = by_path(info["inputs"]), by_path(info["outputs"])
    assert sorted(inputs) == [src] and sorted(outputs) == [dst, dst + ".copy"], info
    for path, e in list(inputs.items()) + list(outputs.items()):
        assert e["at_end"] == "hashed" and e["sha256"] == sha256sum(path), (path, e)
        assert (e["dev"], e["ino"]) == stat_id(path), (path, e)
    assert outputs[dst]["size"] == 6000 and outputs[dst]["mtime_ns"] == os.stat(dst).st_mtime_ns
    # the text says the same, system files folded
    text = run_cli("info", "--files", rec.log).stdout
    assert "  %s  6000 bytes  sha256 %s\n" % (dst, sha256sum(dst)) in text, text
    assert "  %s  sha256 %s\n" % (src, sha256sum(src)) in text, text
    assert "\n  /usr/lib/x86_64-linux-gnu/ (" in text, text
    # --no-hash: none taken
    bare = record(tmp, ["sh", "-c", "sort %s > %s" % (src, dst)], "--no-hash", name="bare.probe")
    info = info_json(bare.log, "--only", tmp)
    assert [e for e in info["inputs"] + info["outputs"] if "at_end" in e or "sha256" in e] == [], info
    assert "none hashed" in run_cli("info", bare.log).stdout
    help = run_cli("record", "--help").stdout
    assert all(o in help for o in ("--no-hash", "--hash-system", "--hash-max SIZE")), help


@test
def input_changed_after_its_read_gets_no_hash(tmp):
    meta = os.path.join(tmp, "meta.txt")
    data = os.path.join(tmp, "data.txt")
    started, done = os.path.join(tmp, "started"), os.path.join(tmp, "done")
    reread = os.path.join(tmp, "reread.txt")
    write_file(meta, "meta\n")
    write_file(data, "data\n")
    write_file(reread, "reread\n")
    # the recording changes meta.txt's mode (its ctime, not its content);
    # a process outside it writes data.txt once it was read; the shell
    # reads reread.txt again after changing its mode: it saw it as it is
    script = ("read x < %s; chmod 600 %s; read x < %s; "
              "cat %s %s > /dev/null; chmod 600 %s; touch %s; "
              "while [ ! -e %s ]; do sleep 0.02; done" % (reread, reread, reread, meta, data, meta, started, done))
    log = os.path.join(tmp, "run.probe")
    proc = subprocess.Popen([PROBE, "record", "-q", "-o", log, "--", "sh", "-c", script],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(500):
            if os.path.exists(started):
                break
            time.sleep(0.02)
        time.sleep(0.05)  # a clock tick: file times are coarse
        with open(data, "a") as f:
            f.write("more\n")
        write_file(done, "")
    finally:
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    inputs = by_path(info_json(log, "--only", tmp)["inputs"])
    for path in (meta, data):
        assert inputs[path]["at_end"] == "changed" and "sha256" not in inputs[path], inputs
    assert inputs[reread]["at_end"] == "hashed" and inputs[reread]["sha256"] == sha256sum(reread), inputs
    assert "changed after the recording saw it" in run_cli("info", "--files", log).stdout


C_PROJECT = {
    "main.c": '#include "util.h"\nint main(void) { return twice(21) == 42 ? 0 : 1; }\n',
    "util.c": '#include "util.h"\nint twice(int x) { return 2 * x; }\n',
    "more.c": '#include "util.h"\nint thrice(int x) { return 3 * x; }\n',
    "util.h": "int twice(int x);\nint thrice(int x);\n",
}


def build_c_project(tmp, src, name):
    """A clean build: gcc compiles through temporaries in /tmp (no -pipe)."""
    for f in os.listdir(src):
        if f.endswith(".o") or f == "prog":
            os.unlink(os.path.join(src, f))
    rec = record(tmp, ["sh", "-c", "cd %s && gcc -O2 -c main.c util.c more.c && "
                       "gcc -o prog main.o util.o more.o" % src], name=name)
    assert rec.rc == 0, rec.stderr
    return rec.log


@test
def identical_clean_builds_diff_to_nothing(tmp):
    src = os.path.join(tmp, "src")
    os.mkdir(src)
    for f, text in C_PROJECT.items():
        write_file(os.path.join(src, f), text)
    log1 = build_c_project(tmp, src, "one.probe")
    log2 = build_c_project(tmp, src, "two.probe")
    temporaries = [by_path(info_json(log, "--no-fold")["temporaries"]) for log in (log1, log2)]
    assert all([p for p in t if p.startswith("/tmp/cc") and p.endswith(".s")] for t in temporaries), temporaries
    assert set(temporaries[0]) != set(temporaries[1]), temporaries  # names of their own each time
    outputs = by_path(info_json(log2, "--only", src)["outputs"])
    assert sorted(outputs) == [os.path.join(src, f) for f in ("main.o", "more.o", "prog", "util.o")], outputs
    proc = run_cli("diff", log1, log2)
    assert proc.returncode == 0 and proc.stdout == "" and proc.stderr == "", proc

    # one source changed: named first, as the input that changed, then
    # what was made from it
    write_file(os.path.join(src, "util.c"), C_PROJECT["util.c"].replace("2 * x", "x + x + 1"))
    log3 = build_c_project(tmp, src, "three.probe")
    proc = run_cli("diff", log2, log3)
    lines = proc.stdout.splitlines()
    assert proc.returncode == 1, proc
    assert lines[0] == "inputs:" and lines[1].startswith("  %s/util.c  content " % src), lines
    assert lines[2] == "outputs:", lines
    changed = sorted(l.split()[0] for l in lines[3:])
    assert changed == ["%s/%s" % (src, f) for f in ("prog", "util.o")], lines
    assert all(l.endswith("(from %s/util.c)" % src) for l in lines[3:]), lines
    # ignored, the change is gone; the outputs say they changed of
    # themselves
    proc = run_cli("diff", "--ignore", "*.c", "--ignore", "%s/prog" % src, log2, log3)
    lines = proc.stdout.splitlines()
    assert proc.returncode == 1 and len(lines) == 2 and lines[0] == "outputs:", proc
    assert lines[1].startswith("  %s/util.o  content " % src), lines
    assert lines[1].endswith("  (no differing input in its lineage)"), lines


@test
def info_json_of_a_known_script(tmp):
    script = ("cat in.txt > tmp1; sort tmp1 > out.txt; rm tmp1; "
              "cat extra.txt | wc -l > count.txt; echo x > /dev/null")
    write_file(os.path.join(tmp, "in.txt"), "b\na\n")
    write_file(os.path.join(tmp, "extra.txt"), "x\n")
    rec = record(tmp, ["sh", "-c", "cd %s && %s" % (tmp, script)])
    assert rec.rc == 0, rec.stderr
    info = info_json(rec.log)
    assert info["command"] == ["sh", "-c", "cd %s && %s" % (tmp, script)] and info["complete"], info
    assert info["exit_status"] == 0 and info["processes"] >= 5 and info["ops"]["exec"] >= 5, info
    assert info["fd_model"]["disagree"] == 0 and info["lost"]["records"] == 0, info
    mine = dict((role, sorted(p for p in by_path(info[role]) if p.startswith(tmp + "/")))
                for role in ("inputs", "outputs", "temporaries"))
    assert mine == {"inputs": [tmp + "/extra.txt", tmp + "/in.txt"],
                    "outputs": [tmp + "/count.txt", tmp + "/out.txt"],
                    "temporaries": [tmp + "/tmp1"]}, mine
    # system files folded, pipes nowhere
    folded = [e["folded"] for e in info["inputs"] if "folded" in e]
    assert "/usr/lib/x86_64-linux-gnu" in folded and all(e.get("files", 1) > 0 for e in info["inputs"]), info
    everything = info["inputs"] + info["outputs"] + info["temporaries"]
    assert not [e for e in everything if "pipe:" in e.get("path", "") or e.get("path") == ""], everything
    # the filter options choose what is listed
    only = info_json(rec.log, "--only", tmp, "--exclude", tmp + "/in.txt")
    assert [e["path"] for e in only["inputs"]] == [tmp + "/extra.txt"], only
    text = run_cli("info", "--files", rec.log).stdout
    assert "\n  \n" not in text and "inputs (read, never written):\n" in text, text
    assert "--json" in run_cli("info", "--help").stdout


@test
def fifo_and_huge_outputs_do_not_hang_the_recorder(tmp):
    script = ("mkfifo fifo; (echo through > fifo &); cat fifo > out.txt; "
              "truncate -s 3G huge; echo end >> huge; echo x > /dev/null")
    start = time.monotonic()
    rec = record(tmp, ["sh", "-c", "cd %s && %s" % (tmp, script)])
    assert rec.rc == 0, rec.stderr
    assert time.monotonic() - start < 30, time.monotonic() - start
    info = info_json(rec.log, "--only", tmp)
    outputs = by_path(info["outputs"])
    assert sorted(outputs) == [tmp + "/huge", tmp + "/out.txt"], outputs
    # the FIFO is no file: no output, nor a temporary (the recorder finds
    # no regular file at its path at the end)
    assert by_path(info["inputs"] + info["temporaries"]) == {}, info
    assert outputs[tmp + "/out.txt"]["sha256"] == sha256sum(tmp + "/out.txt")
    assert outputs[tmp + "/huge"]["at_end"] == "too_large" and outputs[tmp + "/huge"]["size"] == 3 * 2**30 + 4


@test
def killed_recorder_has_no_hashes(tmp):
    log = os.path.join(tmp, "killed.probe")
    out = os.path.join(tmp, "out.txt")
    proc = subprocess.Popen([PROBE, "record", "-q", "-o", log, "--", "sh", "-c",
                             "echo x > %s; exec sleep 30" % out])
    children = "/proc/%d/task/%d/children" % (proc.pid, proc.pid)
    try:
        wait_until_recording(log)
        for _ in range(100):
            if os.path.exists(out):
                break
            time.sleep(0.05)
        time.sleep(0.1)
        command = [int(pid) for pid in open(children).read().split()]
    finally:
        proc.kill()
        proc.wait()
    for pid in command:  # the sleep outlives its recorder
        os.kill(pid, signal.SIGKILL)
    info = info_json(log, "--only", tmp)
    assert not info["complete"] and [e["path"] for e in info["outputs"]] == [out], info
    assert "at_end" not in info["outputs"][0], info
    assert "none hashed" in run_cli("info", log).stdout


def main():
    only = sys.argv[2] if len(sys.argv) > 2 and sys.argv[1] == "-k" else None
    if os.geteuid() != 0:
        print("integration tests need root")
        return 2
    # Started in the background by a shell without job control, we would
    # pass an ignored SIGINT on to every command, and the Ctrl-C tests
    # would test that instead.
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    passed = failed = 0
    for fn in TESTS:
        if only and only not in fn.__name__:
            continue
        tmp = tempfile.mkdtemp(prefix="probe-it-")
        start = time.monotonic()
        try:
            fn(tmp)
            passed += 1
            print("ok   %-40s %.2fs" % (fn.__name__, time.monotonic() - start), flush=True)
        except Exception:
            failed += 1
            print("FAIL %s" % fn.__name__, flush=True)
            traceback.print_exc()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
