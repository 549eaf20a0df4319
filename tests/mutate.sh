#!/usr/bin/env bash
# Prove that the tests can fail: break one feature at a time in a scratch
# copy of the tree, rebuild, and check that the tests named for that
# feature now fail (an integration test by name, a unit test program as
# unit:NAME).  Slow (one build per mutation): run it by hand after
# changing tests or the code they cover, not in CI.
#   tests/mutate.sh            all mutations
#   tests/mutate.sh NAME...    only these
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/probe-mutate.XXXXXX)
trap 'rm -rf "$work"' EXIT

# name # file # sed expression that breaks it # test names that must fail
mutations=(
	"share-pointers#bpf/probe.bpf.c#s/PROBE_SHARE_FILES :/0 :/#threads"
	"filter#bpf/probe.bpf.c#s/return \*traced_word(tgid) \& (1ULL << (tgid \& 63));/return 1;/#records_nothing_outside"
	"mount-crossing#bpf/probe.bpf.c#s/w->dentry = mnt->mnt_mountpoint;/goto done;/#absolute_path_across_mounts"
	"pending-exec#bpf/probe.bpf.c#s/if (tgid == pending_tgid) {/if (0) {/#runs_as_sudo_user"
	"cgroup-scope#bpf/probe.bpf.c#s/== cgroup_id)/== cgroup_id + 1)/#cgroup_until_empty cgroup_ctrl_c"
	"dev-encoding#user/util.c#s/uint64_t major = kdev >> 20, minor = kdev \& 0xfffff;/uint64_t minor = kdev >> 20, major = kdev \& 0xfffff;/#shell_pipeline open_relative_to_dirfd"
	"exit-status#bpf/probe.bpf.c#s/sig->group_exit_code :/0 :/;/rec->status = /,/;/s/task->exit_code;/0;/#exit_status_and_signal"
	"argv#bpf/probe.bpf.c#s/rec->argv_len = read_user_range(/rec->argv_len = 0 \& read_user_range(/#shell_pipeline fork_exec_wait"
	"dirfd-arg#bpf/probe.bpf.c#s/rec->dirfd = regs->di;/rec->dirfd = AT_FDCWD;/#open_relative_to_dirfd"
	"lost-located#user/merge.c#s/if (h->seq > q->next_seq)/if (0 \&\& h->seq > q->next_seq)/#losses_are_counted_and_located"
	"use-dedup#bpf/probe.bpf.c#s/if ((seen->access \& access) \&\&/if (0 \&\& (seen->access \& access) \&\&/#first_read_and_write_once_per_description lineage_of_a_write_after_a_new_read"
	"write-after-new-read#bpf/probe.bpf.c#s/\t     seen->read_stamp == first.read_stamp))/\t     1))/#lineage_of_a_write_after_a_new_read"
	"use-reuse#bpf/probe.bpf.c#s/\t\t\tforget_uses(file);/\t\t\t(void)forget_uses;/#first_read_and_write_once_per_description"
	"pipe-fds#bpf/probe.bpf.c#s/rec->fds\[1\] = fds\[1\];/rec->fds[1] = fds[0];/#fd_table_operations"
	"fdop-args#bpf/probe.bpf.c#s/rec->arg2 = regs->dx;/rec->arg2 = regs->si;/#fd_table_operations"
	"model-share#user/model.c#s/if (r->share \& PROBE_SHARE_FILES) {/if (0 \&\& (r->share \& PROBE_SHARE_FILES)) {/#fd_tables_shared_and_copied raw_clone3_and_vfork"
	"model-unshare#user/model.c#s/if (r->nr == SYS_unshare \&\& (r->args\[0\] \& CLONE_FILES))/if (0)/#fd_tables_shared_and_copied"
	"model-share-fs#user/model.c#s/if (r->share \& PROBE_SHARE_FS) {/if (0 \&\& (r->share \& PROBE_SHARE_FS)) {/#cwd_shared_by_clone_fs"
	"model-unshare-fs#user/model.c#s/if (r->nr == SYS_unshare \&\& (r->args\[0\] \& CLONE_FS) \&\&/if (0 \&\&/#cwd_shared_by_clone_fs"
	"model-mm#user/model.c#s/\t\tchild->mm = mm;/\t\t(void)mm;/#vfork_shares_memory_until_exec threads raw_clone3_and_vfork"
	"snapshot#user/record.c#s/\t\tsnapshot_process(r->log, members.pid\[i\], r->start_boot_ns);/\t\t(void)snapshot_process;/#cgroup_members_from_before"
	"model-snapshot#user/model.c#s/\t\tset_fd(t, r->fd, r->flags \& O_CLOEXEC, r->inode.ino != 0,/\t\tif (0) set_fd(t, r->fd, r->flags \& O_CLOEXEC, r->inode.ino != 0,/#cgroup_members_from_before"
	"model-umask#user/model.c#s/\t\tt->fs->umask = r->args\[0\] \& 0777;/\t\t(void)0;/#cwd_shared_by_clone_fs"
	"forward-sigint#user/record.c#s/\tkill(r->child, sig);/\t(void)sig;/#ctrl_c_reaches_the_command"
	"self-warning#user/record.c#s/\t\t\tmembers.collector = true;/\t\t\t;/#collector_inside_its_cgroup"
	"thread-exit#bpf/probe.bpf.c#s/rec->group_dead = sig->live.counter == 0;/rec->group_dead = 1;/#threads"
	"model-root#user/model.c#s/\t\tfs_set_root(t->fs, syscall_base(r));/\t\t(void)0;/#root_per_fs_struct"
	"model-snapshot-root#user/model.c#s/\t\tfs_set_root(t->fs, snapshot_root(r));/\t\t(void)0;/#cgroup_members_from_before"
	"chroot-base#bpf/probe.bpf.c#s/if ((l->flags \& PROBE_SC_BASE_ROOT) \&\& ret == 0)/if (0)/#root_per_fs_struct"
	"model-share-root#user/model.c#s/\tfs->root = from \&\& from->root ? xstrdup(from->root) : NULL;/\tfs->root = NULL;/#root_per_fs_struct"
	"signal-syscall#bpf/probe.bpf.c#s/rec->syscall_ret = rec->syscall_nr >= 0 ? (long)regs->ax : 0;/rec->syscall_ret = 0;/#interrupted_tmpfile_and_socketpair"
	"signal-outcome#user/export_jsonl.c#s/return r->sa_flags \& SA_RESTART ? \"restart\" : \"eintr\";/return \"eintr\";/#interrupted_tmpfile_and_socketpair"
	"futex-shared-key#bpf/probe.bpf.c#s/\tif (private) {/\tif (1) {/#shared_semaphore_orders_processes"
	"wake-record#bpf/probe.bpf.c#s/\tif (!is_traced(p->tgid))/\tif (1)/#mutex_handoff_orders_threads shared_semaphore_orders_processes"
	"hb-wait#user/hb.c#s/if (n->nr == SYS_wait4 \&\& n->ret > 0)/if (0)/#fork_exec_wait"
	"unix-peer#bpf/probe.bpf.c#s/\trec->peer_ino = unix_peer_ino(file);/\trec->peer_ino = 0 \* unix_peer_ino(file);/#unix_sockets_carry_data"
	"touch-filter#bpf/probe.bpf.c#s/\t    !(sc_layout\[nr \& (PROBE_NR_SYSCALLS - 1)\].flags \& PROBE_SC_TOUCH))/\t    1)/#path_changes_name_their_inodes"
	"touch-name#bpf/probe.bpf.c#s/\t\t\trec->name_len = n;/\t\t\t;/#path_changes_name_their_inodes"
	"touch-created#user/model.c#s/if (\&tp->t\[i\] != except \&\& !tp->t\[i\].name\[0\])/if (0)/#path_changes_name_their_inodes"
	"touch-hardlink#user/model.c#s/return n == 1 ? pick : NULL;/return NULL;/#path_changes_name_their_inodes"
	"prov-used#user/export_prov.c#s/process_id(p, e->to).s, \"prov:entity\",/process_id(p, 0).s, \"prov:entity\",/#prov_json_of_a_pipeline unit:test_exports"
	"prov-generated#user/export_prov.c#s/\"prov:activity\", process_id(p, e->from).s, \&j);/\"prov:activity\", process_id(p, 0).s, \&j);/#prov_json_of_a_pipeline unit:test_exports"
	"prov-informed#user/export_prov.c#s/process_id(p, e->to).s, \"prov:informant\",/process_id(p, e->from).s, \"prov:informant\",/#prov_json_of_a_pipeline unit:test_exports"
	"prov-revision#user/export_prov.c#s/\"prov:Revision\"/\"prov:Derivation\"/#prov_json_of_a_pipeline unit:test_exports"
	"prov-specialization#user/export_prov.c#s/file_id(\&p->df.ents\[i\]).s, \&j);/version_id(\&p->df.ents[i]).s, \&j);/#prov_json_of_a_pipeline unit:test_exports"
	"prov-agent#user/export_prov.c#s/\"prov:agent\", AGENT_ID,/\"prov:agent\", \"run:nobody\",/#prov_json_of_a_pipeline unit:test_exports"
	"prov-blank-nodes#user/export_prov.c#s/\"_:%c%zu\"/\"run:%c%zu\"/#prov_json_of_a_pipeline unit:test_exports"
	"prov-standard-keys#user/export_prov.c#s/section_begin(p, \"specializationOf\");/section_begin(p, \"specializations\");/#prov_json_of_a_pipeline unit:test_exports"
	"prov-time#user/export_prov.c#s/(__s64)(boot_ns - p->hdr->start_boottime_ns)/(__s64)boot_ns/#prov_json_of_a_pipeline unit:test_exports"
	"prov-dev#user/export_prov.c#s/typed_u64(j, \"probe:dev\", dev_kernel_to_user(e->dev),/typed_u64(j, \"probe:dev\", e->dev,/#prov_json_of_a_pipeline unit:test_exports"
	"truncation-derives#user/dataflow.c#s/if (prev != IDMAP_NONE \&\& !truncate)/if (prev != IDMAP_NONE)/#lineage_ends_at_truncation lineage_after_truncate unit:test_dataflow"
	"no-derivation#user/dataflow.c#s/if (prev != IDMAP_NONE \&\& !truncate)/if (0)/#lineage_of_an_append lineage_after_truncate unit:test_dataflow"
	"generation#user/dataflow.c#s/__u32 gen = S_ISSOCK(ino->mode) ? 0 : ino->gen;/__u32 gen = 0;/#lineage_across_a_reused_inode_number unit:test_dataflow"
	"truncate-to-zero#user/dataflow.c#s/r->args\[1\] ? DF_WRITE : DF_TRUNCATE/DF_WRITE/#lineage_after_truncate unit:test_dataflow"
	"truncate-to-nonzero#user/dataflow.c#s/r->args\[1\] ? DF_WRITE : DF_TRUNCATE/DF_TRUNCATE/#lineage_after_truncate unit:test_dataflow"
	"version0-of-created#user/dataflow.c#s/if (!f->nversions || f->anonymous || f->created ||/if (!f->nversions || f->anonymous ||/#lineage_of_an_append unit:test_dataflow"
	"version0-derives#user/dataflow.c#s/\tedge(g, DF_DERIVED, f->v0, f->versions\[0\], v1->op, 0);/\t(void)v1;/#lineage_of_an_append unit:test_dataflow"
	"rename-names-path#user/dataflow.c#/DF_RENAME, process, op, \&r->hdr, \&ino, false,/{n;s/{ to, len }/{ path, strlen(path) }/}#lineage_after_rename_over_a_file unit:test_dataflow"
	"rename-removes#user/dataflow.c#s/if (t2 \&\& !exchange \&\& !t2->nlink) {/if (0) {/#who_used_a_path unit:test_dataflow"
	"cutoff-last-write#user/dataflow.c#s/push(w, to, e->until, true, depth);/push(w, to, -1, true, depth);/#lineage_leaves_out_reads_after_the_last_write unit:test_dataflow"
	"cutoff-mapping#user/dataflow.c#s/e->until = g->ents\[e->to\].mapped ? -1 :/e->until = 0 ? -1 :/#lineage_of_a_write_through_a_mapping"
	"cutoff-clone#user/dataflow.c#s/until = proc->by_exec ? -1 : proc->clone_op;/until = -1;/#unit:test_dataflow"
	"vfork-memory#user/dataflow.c#s/if (proc->shares_memory)/if (0)/#unit:test_dataflow"
	"cutoff-by-log-order#user/dataflow.c#s/\t\t\t !df_op_before(w->g, op, at);/\t\t\t !(op < at);/#unit:test_dataflow"
	"used-once-per-process#user/dataflow.c#s/if (op == e->a.op || df_op_before(g, op, e->a.op))/if (op == e->a.op || op >= 0)/#unit:test_dataflow"
	"issue-8-temporaries#user/dataflow.c#s/if (prev != IDMAP_NONE \&\& !truncate)/if (prev != IDMAP_NONE)/;s/__u32 gen = S_ISSOCK(ino->mode) ? 0 : ino->gen;/__u32 gen = 0;/#lineage_of_a_parallel_build_matches_its_d_files lineage_across_a_reused_inode_number"
	"who-whole-path#user/who_report.c#s/strcmp(a->path, w->path) || seen/strncmp(a->path, w->path, 3) || seen/#unit:test_dataflow"
	"who-each-file#user/who_report.c#s/\t\tfiles\[(\*n)++\] = a->file;/\t\tfiles[(*n)++] = a->file;\n\t\tbreak;/#who_used_a_path unit:test_dataflow"
	"who-other-name#user/who_report.c#s/if (a->kind == DF_RENAME \&\& a->path) {/if (0) {/#unit:test_dataflow"
	# issue 8: the kernel side
	"reread-after-change#bpf/probe.bpf.c#s/\t\t\t     seen->read_ctime == first.read_ctime :/\t\t\t     1 :/#read_again_after_the_file_changed"
	"unix-peer-after-close#bpf/probe.bpf.c#s/if (!peer_ino ||/if (1 ||/#unix_sockets_carry_data_after_the_writer_exited"
	"channel-eof-no-use#bpf/probe.bpf.c#s/(!ret \&\& access == PROBE_USE_READ \&\& is_channel(file))/(0 \&\& is_channel(file))/#lineage_of_a_compiled_object"
	"inode-generation#bpf/probe.bpf.c#s/out->gen = inode->i_generation;/out->gen = 0;/#lineage_across_a_reused_inode_number"
	# issue 8: versions and the reads that used them
	"chr-no-versions#user/dataflow.c#s/ || S_ISCHR(f->mode))/)/#lineage_not_through_a_character_device"
	"trunc-regular-only#user/dataflow.c#s/O_TRUNC) \&\& writes \&\& S_ISREG(r->inode.mode)) {/O_TRUNC) \&\& writes) {/#lineage_not_through_a_character_device"
	"read-forward-walk#user/dataflow.c#s/!(first_after >= 0 \&\& reached(\&g->after_read,/!(0 \&\& reached(\&g->after_read,/#unit:test_dataflow"
	"read-truncations-before#user/dataflow.c#s/v->op != r \&\& reached(\&g->before_read, v->op))/v->op != r)/#unit:test_dataflow"
	"read-erasures#user/dataflow.c#s/\t\t    reached(\&g->before_truncation, end))/\t\t    0 \&\& reached(\&g->before_truncation, end))/#lineage_ends_at_truncation unit:test_dataflow"
	"read-version0-erased#user/dataflow.c#s/if (alive == -1 \&\& last_truncation == n)/if (alive == -1)/#lineage_ends_at_truncation unit:test_dataflow"
	"files-read-again-ctime#user/dataflow.c#s/\t       e->ctime_ns == ino->ctime_ns \&\& e->path \&\&/\t       e->path \&\&/#input_changed_after_its_read_gets_no_hash"
	# issue 8: the run's inputs, outputs and temporaries, their hashes, diff
	"summary-temporaries#user/summary.c#s/if (f->removed || (f->end \&\& f->end->status == PROBE_HASH_GONE))/if (0)/#unit:test_summary info_json_of_a_known_script identical_clean_builds_diff_to_nothing"
	"summary-gone-at-end#user/summary.c#s/if (f->removed || (f->end \&\& f->end->status == PROBE_HASH_GONE))/if (f->removed)/#unit:test_summary"
	"summary-inputs-were-read#user/summary.c#s/return f->read ? SUMMARY_INPUT : -1;/return SUMMARY_INPUT;/#unit:test_summary"
	"summary-created-output#user/summary.c#s/bool made = f->nversions || f->created;/bool made = f->nversions;/#unit:test_summary"
	"summary-regular-files#user/summary.c#s/(!type || type == S_IFREG);/(1 || type);/#unit:test_summary fifo_and_huge_outputs_do_not_hang_the_recorder"
	"summary-hash-when-done#user/summary.c#s/return end \&\& end->status == PROBE_HASH_DONE ? end->sha256 : NULL;/return end ? end->sha256 : NULL;/#unit:test_summary"
	"filter-exclude#user/filter.c#s/i < f->nexclude; i++)/i < 0 * f->nexclude; i++)/#unit:test_summary unit:test_exports info_json_of_a_known_script"
	"filter-only#user/filter.c#s/only = under(path, f->only\[i\]);/only = 1 || under(path, f->only[i]);/#unit:test_summary info_json_of_a_known_script"
	"filter-fold#user/filter.c#s/if (under(path, f->fold\[i\]) \&\& path\[n\]/if (0 \&\& under(path, f->fold[i]) \&\& path[n]/#unit:test_summary"
	"hash-input-ctime#user/hash.c#s/input ? ns_of(\&st.st_ctim) != f->ctime_ns :/input ? 0 :/#unit:test_hash input_changed_after_its_read_gets_no_hash"
	"hash-output-end#user/hash.c#s/\t\t    ns_of(\&st.st_ctim) > h->end_realtime_ns) {/\t\t    0) {/#unit:test_hash"
	"hash-stat-recheck#user/hash.c#s/if (!same_stat(before, \&after) || total/if (0 \&\& !same_stat(before, \&after) \&\& total/#unit:test_hash"
	"hash-nofollow#user/hash.c#s/.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,/.flags = O_PATH | O_CLOEXEC,/#unit:test_hash"
	"hash-generation#user/hash.c#s/return !gen || ioctl(/return 1 || !gen || ioctl(/#unit:test_hash"
	"hash-max-size#user/hash.c#s/if ((__u64)st.st_size > h->o->max_size) {/if (0) {/#unit:test_hash"
	"hash-system-inputs#user/hash.c#s/(h->o->system || !filter_is_system(path));/(h->o->system || 1);/#unit:test_hash"
	"hash-pseudo-files#user/hash.c#s/if (path\[0\] != '\/' || filter_is_pseudo(path))/if (path[0] != '\/')/#unit:test_hash"
	"record-no-hash#user/record.c#s/if (!r->o->no_hash)/if (1)/#hashes_at_the_end_are_sha256sum"
	"sha256-length#user/sha256.c#s/uint64_t bits = s->bytes \* 8;/uint64_t bits = s->bytes * 4;/#unit:test_hash hashes_at_the_end_are_sha256sum"
	"sha256-schedule#user/sha256.c#s/rotr(w\[t - 15\], 7)/rotr(w[t - 15], 8)/#unit:test_hash"
	"sha256-pieces#user/sha256.c#s/\t\ts->fill += n;/\t\ts->fill = n;/#unit:test_hash"
	"sha256-padding-block#user/sha256.c#s/memset(s->block + s->fill, 0, 64 - s->fill);/memset(s->block + s->fill, 1, 64 - s->fill);/#unit:test_hash"
	"diff-temporaries#user/diff_files.c#s/\tcompare_role(c, r1, r2, SUMMARY_OUTPUT, o);/\tcompare_role(c, r1, r2, SUMMARY_OUTPUT, o);\n\tcompare_role(c, r1, r2, SUMMARY_TEMPORARY, o);/#unit:test_summary identical_clean_builds_diff_to_nothing"
	"diff-ignore#user/diff_files.c#s/if (!fnmatch(o->ignore\[i\], path, 0))/if (0)/#unit:test_summary identical_clean_builds_diff_to_nothing"
	"diff-inputs-first#user/diff_files.c#s/compare_role(c, r1, r2, SUMMARY_INPUT, o);/compare_role(c, r1, r2, SUMMARY_OUTPUT, o);/;t;s/compare_role(c, r1, r2, SUMMARY_OUTPUT, o);/compare_role(c, r1, r2, SUMMARY_INPUT, o);/#unit:test_summary diff_of_two_runs identical_clean_builds_diff_to_nothing"
	"diff-causes#user/diff_files.c#s/\t\tfind_causes(c, r1, r2, \&c->v\[k\]);/\t\t(void)find_causes;/#unit:test_summary diff_of_two_runs identical_clean_builds_diff_to_nothing"
	"diff-by-hash#user/diff_files.c#s/if (ha \&\& hb) {/if (0 \&\& ha \&\& hb) {/#unit:test_summary diff_of_two_runs identical_clean_builds_diff_to_nothing"
	"info-at-end#user/info.c#s/json_str(\&j, \"at_end\", summary_end_name(end), -1);/(void)0;/#hashes_at_the_end_are_sha256sum input_changed_after_its_read_gets_no_hash"
	# issue 8: lineage's summary and JSON, who
	"lineage-summary-inputs#user/lineage.c#s/return n != l->view.of_entity\[l->root\] \&\& node_is_input(l, n);/return n != l->view.of_entity[l->root];/#lineage_of_a_compiled_object"
	"lineage-summary-processes#user/lineage.c#s/\t\t\tl->between\[e->to\] = true;/\t\t\t(void)0;/#lineage_of_a_compiled_object"
	"lineage-json-edge-direction#user/lineage.c#s/json_str(\&j, \"from\", from, -1);/json_str(\&j, \"from\", to, -1);/#lineage_of_a_compiled_object"
	"lineage-json-edge-kind#user/lineage.c#s/\[DF_GENERATED\] = \"generated\",/[DF_GENERATED] = \"used\",/#lineage_of_a_compiled_object"
	"lineage-json-input#user/lineage.c#s/json_bool(\&j, \"input\", is_input(l, v->i));/json_bool(\&j, \"input\", false);/#lineage_of_an_append lineage_of_a_file_only_read"
	"lineage-depth#user/lineage.c#s/df_walk(l.g, l.root, l.down, depth, \&l.walk);/df_walk(l.g, l.root, l.down, depth * 0 - 1, \&l.walk);/#lineage_of_a_compiled_object"
	"who-op-ids#user/who_report.c#s/json_i64(\&j, \"op\", a->op);/json_i64(\&j, \"op\", 0);/#who_used_a_path"
	"who-times#user/who_report.c#s/seconds(w, a->ts_ns)/seconds(w, w->start_ns)/#who_used_a_path"
	"who-removed#user/who_report.c#s/json_bool(\&j, \"removed\", f->removed);/json_bool(\&j, \"removed\", false);/#who_used_a_path"
	# pictures: labels, the dataflow graph drawn from a view, hb-dot, rendering
	"dot-quote#user/dot.c#s/if (\*u == '\"')/if (0)/#unit:test_exports"
	"dot-backslash#user/dot.c#s/else if (\*u == '\\\\\\\\')\$/else if (0)/#unit:test_exports"
	"dot-bytes#user/dot.c#s/size_t n = utf8_seq(u, left);/size_t n = 0 * utf8_seq(u, left) + 1;/#unit:test_exports"
	"dot-backslash-shell#user/dot.c#s/else if (\*u == '\\\\\\\\' \&\& shell)/else if (0 \&\& shell)/#unit:test_exports"
	"dot-merge-epochs#user/view.c#s/\t\tb->stands_for\[proc->parent\] = b->stands_for\[p\];/\t\t(void)0;/#unit:test_exports dot_picture_of_a_c_build"
	"dot-fork-label#user/view.c#s/\t\tif (p->parent >= 0)/\t\tif (0)/#unit:test_exports"
	"dot-used#user/export_dot.c#s/%s\", e->from, e->to,/%s\", e->rel == DF_USED ? e->to : e->from, e->rel == DF_USED ? e->from : e->to,/#unit:test_exports"
	"hb-dot-clusters#user/export_hb_dot.c#s/d->ops\[d->nodes\[n\].first\].process;/NONE;/#unit:test_exports dot_graphs_of_a_pipeline dot_picture_of_a_c_build"
	"hb-dot-pid-reuse#user/export_hb_dot.c#s/idmap_set(\&d->process_of, h->pid, 0, IDMAP_NONE);/(void)0;/#unit:test_exports"
	"hb-dot-colours#user/export_hb_dot.c#s/\[HB_CLONE\] = \"blue\"/[HB_CLONE] = \"gray40\"/#unit:test_exports"
	"dot-svg#user/export.c#s/execlp(\"dot\", \"dot\", arg, (char \*)NULL);/execlp(\"cat\", \"cat\", (char *)NULL);/#dot_graphs_of_a_pipeline"
	"dot-svg-graphs-only#user/export.c#s/if (given\[k\] \&\& !(fmt->takes \& (1u << k)))/if (0)/#dot_graphs_of_a_pipeline dot_refuses_a_graph_too_big"
	"dot-svg-needs-graphviz#user/export.c#s/access(file, X_OK) == 0)/(access(file, X_OK) == 0 || 1))/#dot_graphs_of_a_pipeline"
	"dot-fold-system#user/view.c#s/filter_group(b->opts->filter, path);/0;/#unit:test_exports dot_picture_of_a_c_build"
	"dot-fold-channels#user/view.c#s/\t    b->opts->fold_channels) {/\t    0) {/#unit:test_exports"
	"dot-merge-edges#user/view.c#s/if (k != IDMAP_NONE) {/if (0) {/#unit:test_exports"
	"dot-edge-count#user/export_dot.c#s/\tif (e->count > 1)/\tif (0)/#unit:test_exports"
	"dot-short-argv#user/view.c#s/if (total > max \&\& h > 0 \&\& t < n) {/if (0) {/#unit:test_exports dot_picture_of_a_c_build"
	"dot-home#user/export_dot.c#s/if (dir > best) {/if (0 \&\& dir > best) {/#unit:test_exports dot_picture_of_a_c_build"
	"dot-hubs-apart#user/export_dot.c#s/return is_group(d, n) \&\& d->users\[n\] > HUB_USERS;/return 0 \&\& is_group(d, n) \&\& d->users[n] > HUB_USERS;/#unit:test_exports dot_picture_of_a_c_build"
	"dot-around#user/export_dot.c#s/view_build(\&d.view, d.g, opts->around ? \&d.walk : NULL, \&vo);/view_build(\&d.view, d.g, NULL, \&vo);/#unit:test_exports dot_picture_of_a_c_build"
	"dot-around-descendants#user/export_dot.c#s/df_walk(d->g, d->root, true, depth, \&down);/df_walk(d->g, d->root, false, depth, \&down);/#unit:test_exports"
	"dot-depth#user/export_dot.c#s/walk_around(\&d, opts->depth);/walk_around(\&d, -1);/#unit:test_exports dot_picture_of_a_c_build"
	"dot-max-nodes#user/dot.c#s/if (!max || n <= max)/if (1)/#unit:test_exports dot_refuses_a_graph_too_big"
	"dot-max-nodes-default#user/export.c#s/opts.max_nodes = fmt->max_nodes;/opts.max_nodes = 0;/#dot_refuses_a_graph_too_big"
	"hb-dot-runs#user/export_hb_dot.c#s/\t\t\tcontinues\[e\[i\].to\] = e\[i\].from;/\t\t\t(void)0;/#unit:test_exports dot_picture_of_a_c_build"
	"hb-dot-runs-end-at-ties#user/export_hb_dot.c#s/\t\t\ttied\[e\[i\].from\] = tied\[e\[i\].to\] = true;/\t\t\t;/#unit:test_exports"
	"hb-dot-window-pid#user/export_hb_dot.c#s/bool pid = !w->npids;/bool pid = true;/#unit:test_exports dot_picture_of_a_c_build"
	"hb-dot-window-ops#user/export_hb_dot.c#s/if (w->by_op \&\& (id/if (0 \&\& (id/#unit:test_exports dot_refuses_a_graph_too_big"
	"hb-dot-window-time#user/export_hb_dot.c#s/if (w->by_time \&\& (op->ts_ns/if (0 \&\& (op->ts_ns/#unit:test_exports"
	"hb-dot-stubs#user/export_hb_dot.c#s/\t\t\tnode_new(d, outside, true);/\t\t\t(void)outside;/#unit:test_exports dot_picture_of_a_c_build"
	"export-fifo-direct#user/export.c#s/if (out_path \&\& !stat(out_path/if (0 \&\& out_path \&\& !stat(out_path/#export_to_file_is_whole_or_absent"
	"export-failure-unlink#user/export.c#s/\t\t\tunlink(tmp);/\t\t\t(void)0;/#dot_render_failure_and_interruption dot_refuses_a_graph_too_big export_to_file_is_whole_or_absent"
	"export-signal-unlink#user/export.c#s/\t\tunlink(unfinished_file);/\t\t(void)0;/#dot_render_failure_and_interruption"
	"export-signal-stops-dot#user/export.c#s/\t\tkill(unfinished_dot, SIGTERM);/\t\t(void)0;/#dot_render_failure_and_interruption"
	"export-signal-handlers#user/export.c#s/\t\t\tsigaction(fatal\[i\], \&sa, NULL);/\t\t\t(void)0;/#dot_render_failure_and_interruption"
	"dot-render-failure#user/export.c#s/if (WIFEXITED(status) \&\& WEXITSTATUS(status) == 0)/if (1)/#dot_render_failure_and_interruption"
	"dot-error-line#user/export.c#s/char \*line = strstr(msg, \"Error\");/char *line = NULL;/#dot_render_failure_and_interruption"
	"quote-invalid-bytes#user/text.c#s/\t\t\tfprintf(out, \"\\\\\\\\x%02x\", s\[i\]);/\t\t\tfputc(s[i], out);/#text_outputs_quote_names"
	"quote-c0#user/text.c#s/return cp < 0x20 || (cp >= 0x7f/return (cp >= 0x7f/#text_outputs_quote_names"
	"quote-lineage-path#user/lineage.c#s/\t\tshell_quote(out, path, strlen(path));/\t\tfputs(path, out);/#text_outputs_quote_names"
	"quote-info-command#user/info.c#s/\t\tshell_quote(stdout, h->target + i, n);/\t\tfwrite(h->target + i, 1, n, stdout);/#text_outputs_quote_names"
	"json-name-bytes#user/json.c#s/\tif (utf8_valid(s, n))/\tif (1)/#json_keeps_names_apart"
	"json-namev-bytes#user/json.c#s/\tif (utf8_valid(blob, len))/\tif (1)/#json_keeps_names_apart"
	"loss-alive-window#user/dataflow.c#s/\treturn w->from_ns <= to \&\& from <= w->to_ns;/\treturn true;/#unit:test_dataflow"
	"loss-window-start#user/dataflow.c#s/last == IDMAP_NONE ? 0 : last, h->ts_ns/0, h->ts_ns/#unit:test_dataflow"
	"loss-marks-processes#user/dataflow.c#s/\t\t\tp->incomplete = alive_in(p, \&g->windows\[k\]);/\t\t\tp->incomplete = false;/#unit:test_dataflow losses_mark_the_outputs"
	"loss-marks-files#user/dataflow.c#s/\tl->any = all || g->nwindows;/\tl->any = all;/#unit:test_dataflow losses_mark_the_outputs"
	"loss-lineage-json#user/view.c#s/\tif (p->incomplete)/\tif (0)/#losses_mark_the_outputs"
	"loss-prov-process#user/export_prov.c#s/\t\tif (proc->incomplete)/\t\tif (0)/#losses_mark_the_outputs"
	"loss-dot-process#user/export_dot.c#s/\tbool incomplete = d->procs\[v->i\].incomplete;/\tbool incomplete = false;/#losses_mark_the_outputs"
	"log-regular-only#user/log.c#s/if (fstat(fd, \&st) || !S_ISREG(st.st_mode)) {/if (fstat(fd, \&st)) {/#readers_refuse_a_damaged_log"
	"log-record-size#user/log.c#s/h.size % 8 || h.size > PROBE_REC_SIZE_MAX)/h.size % 8)/#readers_refuse_a_damaged_log"
)

want() { [ $# -eq 0 ] && return 0; local n; for n in "${selected[@]}"; do [ "$n" = "$1" ] && return 0; done; return 1; }
selected=("$@")
caught=0 missed=0
for m in "${mutations[@]}"; do
	IFS='#' read -r name file expr tests <<<"$m"
	[ $# -eq 0 ] || want "$name" || continue
	rm -rf "$work/tree"
	mkdir -p "$work/tree"
	(cd "$src" && git ls-files -co --exclude-standard | grep -v '^build/' |
		tar -cf - -T -) | tar -xf - -C "$work/tree"
	sed -i "$expr" "$work/tree/$file"
	if cmp -s "$src/$file" "$work/tree/$file"; then
		echo "mutation $name did not apply to $file"; exit 1
	fi
	make -s -C "$work/tree" all scenarios unit-bins >/dev/null 2>&1 || { echo "mutation $name does not build"; exit 1; }
	for t in $tests; do
		case $t in
		unit:*) run=(build/tests/"${t#unit:}") ;;
		*) run=(/usr/bin/python3 tests/integration/run.py -k "$t") ;;
		esac
		if (cd "$work/tree" && "${run[@]}") >"$work/out" 2>&1; then
			echo "MISSED  $name: $t still passes"; missed=$((missed + 1))
		else
			echo "caught  $name: $t fails"; caught=$((caught + 1))
		fi
	done
done
echo "$caught caught, $missed missed"
[ "$missed" -eq 0 ]
