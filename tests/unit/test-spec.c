/* Unit tests for the config.json parser, validator and default spec. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec.h"
#include "tap.h"
#include "utils.h"

/* JSON with single quotes for readability; turned into real JSON here. */
static char *
J (const char *s)
{
  char *r = xstrdup (s);
  for (char *c = r; *c; c++)
    if (*c == '\'')
      *c = '"';
  return r;
}

static struct lcr_spec *
parse (const char *sq, lcr_error_t *err)
{
  cleanup_free char *json = J (sq);
  return lcr_spec_parse (json, strlen (json), err);
}

/* Parsing must fail and the message must contain every given fragment. */
static void
expect_error (const char *sq, const char *frag1, const char *frag2, const char *name)
{
  cleanup_error lcr_error_t err = NULL;
  struct lcr_spec *spec = parse (sq, &err);
  bool good = spec == NULL && err != NULL && err->code == LCR_ERR_INVALID && strstr (err->msg, frag1)
              && (frag2 == NULL || strstr (err->msg, frag2));
  ok (good, "%s", name);
  if (err)
    printf ("#   message: %s\n", err->msg);
  if (!good)
    printf ("#   wanted: %s%s%s\n", frag1, frag2 ? " … " : "", frag2 ? frag2 : "");
  if (spec)
    lcr_spec_free (spec);
}

#define MIN "'ociVersion':'1.0.0','root':{'path':'rootfs'}"

static const char full_config[]
    = "{'ociVersion':'1.0.2-dev',"
      "'process':{'terminal':true,'consoleSize':{'height':25,'width':80},"
      "  'user':{'uid':1000,'gid':1001,'umask':18,'additionalGids':[5,6,4294967295],'username':'u'},"
      "  'args':['sh','-c','echo hi'],'commandLine':'cmd','env':['PATH=/bin','TERM=xterm'],'cwd':'/work',"
      "  'capabilities':{'bounding':['CAP_CHOWN','CAP_KILL'],'effective':['CAP_KILL'],'inheritable':[],"
      "    'permitted':['CAP_KILL','CAP_CHECKPOINT_RESTORE'],'ambient':['CAP_KILL']},"
      "  'rlimits':[{'type':'RLIMIT_NOFILE','hard':1024,'soft':512},"
      "             {'type':'RLIMIT_CORE','hard':18446744073709551615,'soft':0}],"
      "  'noNewPrivileges':true,'apparmorProfile':'aa','oomScoreAdj':-500,'selinuxLabel':'sl',"
      "  'scheduler':{'policy':'SCHED_DEADLINE','nice':-5,'priority':3,'flags':['SCHED_FLAG_RESET_ON_FORK'],"
      "    'runtime':100,'deadline':200,'period':300},"
      "  'ioPriority':{'class':'IOPRIO_CLASS_BE','priority':4},"
      "  'execCPUAffinity':{'initial':'0-3','final':'7'},'unknownKey':{'x':[1,2]}},"
      "'root':{'path':'rootfs','readonly':true},"
      "'hostname':'box','domainname':'example.org',"
      "'mounts':[{'destination':'/proc','type':'proc','source':'proc'},"
      "  {'destination':'/data','type':'bind','source':'/srv','options':['rbind','ro'],"
      "   'uidMappings':[{'containerID':0,'hostID':100000,'size':65536}],"
      "   'gidMappings':[{'containerID':0,'hostID':200000,'size':65536}]},"
      "  {'destination':'relative/ok'}],"
      "'hooks':{'prestart':[{'path':'/bin/pre','args':['pre','1'],'env':['A=1'],'timeout':5}],"
      "  'createRuntime':[{'path':'/bin/cr'}],'createContainer':[{'path':'/bin/cc'}],"
      "  'startContainer':[{'path':'/bin/sc'}],'poststart':[{'path':'/bin/ps'},{'path':'/bin/ps2'}],"
      "  'poststop':[{'path':'/bin/pst','timeout':1}]},"
      "'annotations':{'org.example.key':'v1','b':'v2'},"
      "'linux':{"
      "  'uidMappings':[{'containerID':0,'hostID':1000,'size':1},{'containerID':1,'hostID':100000,'size':65535}],"
      "  'gidMappings':[{'containerID':0,'hostID':1001,'size':1}],"
      "  'timeOffsets':{'boottime':{'secs':-10,'nanosecs':5},'monotonic':{'secs':9223372036854775807,'nanosecs':0}},"
      "  'sysctl':{'net.ipv4.ip_forward':'1','kernel.shmmax':'100'},"
      "  'resources':{"
      "    'devices':[{'allow':false,'access':'rwm'},{'allow':true,'type':'c','major':1,'minor':3,'access':'rw'}],"
      "    'memory':{'limit':1073741824,'reservation':-1,'swap':2147483648,'kernel':0,'kernelTCP':5,'swappiness':60,"
      "      'disableOOMKiller':true,'useHierarchy':false,'checkBeforeUpdate':true},"
      "    'cpu':{'shares':1024,'quota':-1,'burst':10,'period':100000,'realtimeRuntime':950,'realtimePeriod':1000,"
      "      'cpus':'0-1','mems':'0','idle':1},"
      "    'pids':{'limit':-1},"
      "    'blockIO':{'weight':500,'leafWeight':300,"
      "      'weightDevice':[{'major':8,'minor':0,'weight':700},{'major':8,'minor':16,'leafWeight':10}],"
      "      'throttleReadBpsDevice':[{'major':8,'minor':0,'rate':1000}],"
      "      'throttleWriteBpsDevice':[{'major':8,'minor':0,'rate':2000}],"
      "      'throttleReadIOPSDevice':[{'major':8,'minor':0,'rate':30}],"
      "      'throttleWriteIOPSDevice':[{'major':8,'minor':0,'rate':40}]},"
      "    'hugepageLimits':[{'pageSize':'2MB','limit':209715200}],"
      "    'network':{'classID':1048577,'priorities':[{'name':'eth0','priority':500}]},"
      "    'rdma':{'mlx5_1':{'hcaHandles':3,'hcaObjects':10000},'mlx4_0':{'hcaHandles':1}},"
      "    'unified':{'memory.high':'max','io.weight':'100'}},"
      "  'cgroupsPath':'/myctr',"
      "  'namespaces':[{'type':'pid'},{'type':'network','path':'/var/run/netns/n1'},{'type':'mount'},"
      "    {'type':'ipc'},{'type':'uts'},{'type':'user'},{'type':'cgroup'},{'type':'time'}],"
      "  'devices':[{'path':'/dev/fuse','type':'c','major':10,'minor':229,'fileMode':438,'uid':0,'gid':0},"
      "    {'path':'/dev/sda','type':'b','major':8,'minor':0}],"
      "  'seccomp':{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':1,"
      "    'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86'],'flags':['SECCOMP_FILTER_FLAG_LOG'],"
      "    'listenerPath':'/run/l.sock','listenerMetadata':'meta',"
      "    'syscalls':[{'names':['read','write'],'action':'SCMP_ACT_ALLOW'},"
      "      {'names':['personality'],'action':'SCMP_ACT_ERRNO','errnoRet':38,"
      "       'args':[{'index':0,'value':8,'valueTwo':0,'op':'SCMP_CMP_EQ'},"
      "               {'index':1,'value':18446744073709551615,'op':'SCMP_CMP_MASKED_EQ'}]}]},"
      "  'rootfsPropagation':'rslave',"
      "  'maskedPaths':['/proc/kcore','/sys/firmware'],'readonlyPaths':['/proc/sys'],"
      "  'mountLabel':'ml','personality':{'domain':'LINUX32','flags':[]}},"
      "'vm':{'ignored':true}}";

static void
test_full_config (void)
{
  cleanup_error lcr_error_t err = NULL;
  cleanup_spec struct lcr_spec *s = parse (full_config, &err);
  if (!ok (s != NULL, "full config parses"))
    {
      printf ("#   %s\n", err ? err->msg : "(no error)");
      return;
    }

  diag ("top level");
  is_str (s->oci_version, "1.0.2-dev", "ociVersion");
  is_str (s->hostname, "box", "hostname");
  is_str (s->domainname, "example.org", "domainname");
  is_str (s->root->path, "rootfs", "root.path");
  ok (s->root->readonly, "root.readonly");

  diag ("process");
  struct lcr_spec_process *p = s->process;
  ok (p->terminal, "terminal");
  ok (p->console_size && p->console_size->height == 25 && p->console_size->width == 80, "consoleSize");
  is_int (p->user.uid, 1000, "user.uid");
  is_int (p->user.gid, 1001, "user.gid");
  ok (p->user.has_umask && p->user.umask == 18, "user.umask");
  is_int (p->user.additional_gids_len, 3, "additionalGids length");
  ok (p->user.additional_gids[0] == 5 && p->user.additional_gids[2] == UINT32_MAX, "additionalGids values");
  is_str (p->user.username, "u", "user.username");
  is_int (p->args_len, 3, "args length");
  is_str (p->args[2], "echo hi", "args[2]");
  ok (p->args[3] == NULL, "args NULL-terminated");
  is_str (p->command_line, "cmd", "commandLine");
  ok (p->env_len == 2 && strcmp (p->env[1], "TERM=xterm") == 0 && p->env[2] == NULL, "env");
  is_str (p->cwd, "/work", "cwd");
  struct lcr_spec_capabilities *c = p->capabilities;
  ok (c->bounding_len == 2 && strcmp (c->bounding[1], "CAP_KILL") == 0, "capabilities.bounding");
  ok (c->inheritable != NULL && c->inheritable_len == 0 && c->inheritable[0] == NULL,
      "empty capabilities.inheritable is present and empty");
  ok (c->permitted_len == 2 && strcmp (c->permitted[1], "CAP_CHECKPOINT_RESTORE") == 0, "capabilities.permitted");
  ok (c->effective_len == 1 && c->ambient_len == 1, "capabilities.effective and ambient");
  is_int (p->rlimits_len, 2, "rlimits length");
  ok (strcmp (p->rlimits[0].type, "RLIMIT_NOFILE") == 0 && p->rlimits[0].hard == 1024 && p->rlimits[0].soft == 512,
      "rlimits[0]");
  ok (p->rlimits[1].hard == UINT64_MAX, "rlimit hard = UINT64_MAX (above INT64_MAX)");
  ok (p->no_new_privileges, "noNewPrivileges");
  is_str (p->apparmor_profile, "aa", "apparmorProfile");
  ok (p->has_oom_score_adj && p->oom_score_adj == -500, "oomScoreAdj");
  is_str (p->selinux_label, "sl", "selinuxLabel");
  ok (p->scheduler && strcmp (p->scheduler->policy, "SCHED_DEADLINE") == 0 && p->scheduler->nice == -5
          && p->scheduler->priority == 3 && p->scheduler->flags_len == 1 && p->scheduler->runtime == 100
          && p->scheduler->deadline == 200 && p->scheduler->period == 300,
      "scheduler");
  ok (p->io_priority && strcmp (p->io_priority->class_, "IOPRIO_CLASS_BE") == 0 && p->io_priority->priority == 4,
      "ioPriority");
  ok (p->exec_cpu_affinity && strcmp (p->exec_cpu_affinity->initial, "0-3") == 0
          && strcmp (p->exec_cpu_affinity->final, "7") == 0,
      "execCPUAffinity");

  diag ("mounts");
  is_int (s->mounts_len, 3, "mounts length");
  ok (strcmp (s->mounts[0].destination, "/proc") == 0 && strcmp (s->mounts[0].type, "proc") == 0
          && s->mounts[0].options == NULL,
      "mounts[0]");
  ok (s->mounts[1].options_len == 2 && strcmp (s->mounts[1].options[1], "ro") == 0, "mounts[1].options");
  ok (s->mounts[1].uid_mappings_len == 1 && s->mounts[1].uid_mappings[0].host_id == 100000
          && s->mounts[1].gid_mappings[0].host_id == 200000 && s->mounts[1].gid_mappings[0].size == 65536,
      "mounts[1] id mappings");
  ok (s->mounts[2].type == NULL && s->mounts[2].source == NULL, "relative destination, no type: accepted");

  diag ("hooks");
  struct lcr_spec_hooks *h = s->hooks;
  ok (h->prestart_len == 1 && strcmp (h->prestart[0].path, "/bin/pre") == 0 && h->prestart[0].args_len == 2
          && h->prestart[0].env_len == 1 && h->prestart[0].has_timeout && h->prestart[0].timeout == 5,
      "hooks.prestart");
  ok (h->create_runtime_len == 1 && h->create_container_len == 1 && h->start_container_len == 1
          && strcmp (h->start_container[0].path, "/bin/sc") == 0 && !h->start_container[0].has_timeout,
      "hooks.createRuntime/createContainer/startContainer");
  ok (h->poststart_len == 2 && h->poststop_len == 1 && h->poststop[0].timeout == 1, "hooks.poststart/poststop");

  diag ("annotations");
  ok (s->annotations_len == 2 && strcmp (s->annotations[0].key, "org.example.key") == 0
          && strcmp (s->annotations[1].value, "v2") == 0,
      "annotations");

  diag ("linux");
  struct lcr_spec_linux *l = s->linux_;
  ok (l->uid_mappings_len == 2 && l->uid_mappings[1].container_id == 1 && l->uid_mappings[1].size == 65535,
      "linux.uidMappings");
  ok (l->gid_mappings_len == 1 && l->gid_mappings[0].host_id == 1001, "linux.gidMappings");
  ok (l->time_offsets_boottime && l->time_offsets_boottime->secs == -10 && l->time_offsets_boottime->nanosecs == 5,
      "timeOffsets.boottime");
  ok (l->time_offsets_monotonic && l->time_offsets_monotonic->secs == INT64_MAX, "timeOffsets.monotonic");
  ok (l->sysctl_len == 2 && strcmp (l->sysctl[0].key, "net.ipv4.ip_forward") == 0
          && strcmp (l->sysctl[1].value, "100") == 0,
      "sysctl");
  is_str (l->cgroups_path, "/myctr", "cgroupsPath");
  is_int (l->namespaces_len, 8, "namespaces length");
  is_int (l->namespaces[7].type, LCR_NS_TIME, "namespaces[7] is time");
  is_str (l->namespaces[1].path, "/var/run/netns/n1", "namespaces[1].path");
  ok (l->devices_len == 2 && l->devices[0].type == 'c' && l->devices[0].major == 10 && l->devices[0].minor == 229
          && l->devices[0].has_file_mode && l->devices[0].file_mode == 0666 && l->devices[0].has_uid,
      "devices[0]");
  ok (l->devices[1].type == 'b' && !l->devices[1].has_file_mode && !l->devices[1].has_gid, "devices[1]");
  struct lcr_spec_seccomp *sc = l->seccomp;
  ok (sc && strcmp (sc->default_action, "SCMP_ACT_ERRNO") == 0 && sc->has_default_errno_ret
          && sc->default_errno_ret == 1,
      "seccomp.defaultAction/defaultErrnoRet");
  ok (sc->architectures_len == 2 && sc->flags_len == 1 && strcmp (sc->listener_path, "/run/l.sock") == 0
          && strcmp (sc->listener_metadata, "meta") == 0,
      "seccomp.architectures/flags/listener");
  ok (sc->syscalls_len == 2 && sc->syscalls[0].names_len == 2 && !sc->syscalls[0].has_errno_ret
          && sc->syscalls[1].has_errno_ret && sc->syscalls[1].errno_ret == 38,
      "seccomp.syscalls");
  ok (sc->syscalls[1].args_len == 2 && sc->syscalls[1].args[0].value == 8 && sc->syscalls[1].args[1].value == UINT64_MAX
          && sc->syscalls[1].args[1].index == 1 && strcmp (sc->syscalls[1].args[1].op, "SCMP_CMP_MASKED_EQ") == 0,
      "seccomp.syscalls[1].args");
  is_str (l->rootfs_propagation, "rslave", "rootfsPropagation");
  ok (l->masked_paths_len == 2 && l->masked_paths[2] == NULL && l->readonly_paths_len == 1, "masked/readonly paths");
  is_str (l->mount_label, "ml", "mountLabel");
  ok (l->personality && strcmp (l->personality->domain, "LINUX32") == 0 && l->personality->flags_len == 0,
      "personality");

  diag ("linux.resources");
  struct lcr_spec_resources *r = l->resources;
  ok (r->devices_len == 2 && !r->devices[0].allow && r->devices[0].type == 0 && !r->devices[0].has_major,
      "resources.devices[0] (deny all)");
  ok (r->devices[1].allow && r->devices[1].type == 'c' && r->devices[1].has_major && r->devices[1].major == 1
          && r->devices[1].minor == 3 && strcmp (r->devices[1].access, "rw") == 0,
      "resources.devices[1]");
  struct lcr_spec_memory *m = r->memory;
  ok (m->has_limit && m->limit == 1073741824 && m->has_reservation && m->reservation == -1 && m->swap == 2147483648
          && m->has_kernel && m->kernel == 0 && m->kernel_tcp == 5 && m->has_swappiness && m->swappiness == 60,
      "resources.memory values");
  ok (m->disable_oom_killer && !m->use_hierarchy && m->check_before_update, "resources.memory flags");
  struct lcr_spec_cpu *cpu = r->cpu;
  ok (cpu->has_shares && cpu->shares == 1024 && cpu->has_quota && cpu->quota == -1 && cpu->burst == 10
          && cpu->period == 100000 && cpu->realtime_runtime == 950 && cpu->realtime_period == 1000
          && strcmp (cpu->cpus, "0-1") == 0 && strcmp (cpu->mems, "0") == 0 && cpu->has_idle && cpu->idle == 1,
      "resources.cpu");
  ok (r->pids && r->pids->limit == -1, "resources.pids");
  struct lcr_spec_block_io *b = r->block_io;
  ok (b->has_weight && b->weight == 500 && b->leaf_weight == 300, "blockIO weights");
  ok (b->weight_device_len == 2 && b->weight_device[0].has_weight && b->weight_device[0].weight == 700
          && !b->weight_device[0].has_leaf_weight && b->weight_device[1].has_leaf_weight
          && b->weight_device[1].minor == 16,
      "blockIO.weightDevice");
  ok (b->throttle_read_bps_device[0].rate == 1000 && b->throttle_write_bps_device[0].rate == 2000
          && b->throttle_read_iops_device[0].rate == 30 && b->throttle_write_iops_device_len == 1
          && b->throttle_write_iops_device[0].rate == 40,
      "blockIO throttles");
  ok (r->hugepage_limits_len == 1 && strcmp (r->hugepage_limits[0].page_size, "2MB") == 0
          && r->hugepage_limits[0].limit == 209715200,
      "hugepageLimits");
  ok (r->network && r->network->has_class_id && r->network->class_id == 1048577 && r->network->priorities_len == 1
          && strcmp (r->network->priorities[0].name, "eth0") == 0 && r->network->priorities[0].priority == 500,
      "resources.network");
  ok (r->rdma_len == 2 && strcmp (r->rdma[0].device, "mlx5_1") == 0 && r->rdma[0].hca_handles == 3
          && r->rdma[0].hca_objects == 10000 && r->rdma[1].has_hca_handles && !r->rdma[1].has_hca_objects,
      "resources.rdma keyed by device");
  ok (r->unified_len == 2 && strcmp (r->unified[0].key, "memory.high") == 0 && strcmp (r->unified[0].value, "max") == 0,
      "resources.unified");
}

static void
test_minimal_and_nulls (void)
{
  cleanup_error lcr_error_t err = NULL;
  cleanup_spec struct lcr_spec *s = parse ("{" MIN ",'hostname':null,'process':null,'linux':{}}", &err);
  ok (s != NULL && s->process == NULL && s->hostname == NULL && s->mounts == NULL && s->linux_ != NULL,
      "minimal config; null counts as absent");
  if (err)
    printf ("#   %s\n", err->msg);
  for (const char *const *v = (const char *const[]){"1.0.0", "1.1.0", "1.2.0", "1.0.2-dev", NULL}; *v; v++)
    {
      cleanup_error lcr_error_t e2 = NULL;
      cleanup_free char *doc = NULL;
      xasprintf (&doc, "{'ociVersion':'%s','root':{'path':'r'}}", *v);
      cleanup_spec struct lcr_spec *s2 = parse (doc, &e2);
      ok (s2 != NULL, "ociVersion %s accepted", *v);
    }

  /* Go's encoding/json (runc) keeps the last of duplicated keys. */
  cleanup_error lcr_error_t e3 = NULL;
  cleanup_spec struct lcr_spec *dup = parse ("{" MIN ",'hostname':'first','hostname':'last'}", &e3);
  is_str (dup ? dup->hostname : NULL, "last", "duplicated key: the last one wins");

  const char nul[] = "{\"ociVersion\":\"1.0.0\",\0\"root\":{\"path\":\"r\"}}";
  cleanup_error lcr_error_t e4 = NULL;
  struct lcr_spec *s4 = lcr_spec_parse (nul, sizeof nul - 1, &e4);
  ok (s4 == NULL && e4 && strstr (e4->msg, "config.json: invalid JSON: NUL byte at offset 22"),
      "NUL byte inside the document is rejected");
}

static void
test_bad (void)
{
  expect_error ("{" MIN ",'process':{'cwd':'/'", "config.json: invalid JSON", "premature EOF", "truncated JSON");
  expect_error ("{'ociVersion' '1.0.0'}", "invalid JSON", "line 1", "bad JSON names a position");
  expect_error ("[1,2]", "config.json: .: expected an object, got an array", NULL, "top level not an object");
  expect_error ("{" MIN ",'process':{'args':['sh',1],'cwd':'/'}}",
                "config.json: .process.args[1]: expected a string, got a number", NULL, "number in args");
  expect_error ("{" MIN ",'process':'sh'}", ".process: expected an object, got a string", NULL, "process is a string");
  expect_error ("{" MIN ",'process':{'args':['sh'],'cwd':'/','terminal':'yes'}}",
                ".process.terminal: expected a boolean, got a string", NULL, "terminal is a string");
  expect_error ("{" MIN ",'linux':{'resources':{'memory':{'limit':'1G'}}}}",
                ".linux.resources.memory.limit: expected an integer, got a string", NULL, "deep type error");
  expect_error ("{" MIN ",'linux':{'resources':{'cpu':{'shares':1.5}}}}",
                ".linux.resources.cpu.shares: expected an integer, got 1.5", NULL, "fraction rejected");
  expect_error ("{" MIN ",'mounts':[{'destination':'/a','options':{'x':1}}]}",
                ".mounts[0].options: expected an array, got an object", NULL, "options is an object");
  expect_error ("{" MIN ",'annotations':{'a.b':1}}", ".annotations[\"a.b\"]: expected a string, got a number", NULL,
                "annotation value not a string");
  expect_error ("{" MIN ",'linux':{'namespaces':[{'type':'pid'},{'type':'mount'},{'type':'foo'}]}}",
                ".linux.namespaces[2].type: unknown namespace type \"foo\"", NULL, "unknown namespace type");
  expect_error ("{" MIN ",'mounts':[{'destination':'/a'},{'destination':'/b'},{'destination':'/c'},{'type':'tmpfs'}]}",
                ".mounts[3]: missing \"destination\"", NULL, "mount without destination");
  expect_error ("{'ociVersion':'1.0.0'}", ".root: required", NULL, "missing root");
  expect_error ("{'ociVersion':'1.0.0','root':{'readonly':true}}", ".root: missing \"path\"", NULL,
                "root without path");
  expect_error ("{'root':{'path':'r'}}", ".ociVersion: required", NULL, "missing ociVersion");
  expect_error ("{'ociVersion':'2.0.0','root':{'path':'r'}}", ".ociVersion: unsupported version \"2.0.0\"", NULL,
                "ociVersion 2.0.0");
  expect_error ("{'ociVersion':'0.5','root':{'path':'r'}}", ".ociVersion: unsupported version \"0.5\"", NULL,
                "ociVersion 0.5");
  expect_error ("{" MIN ",'process':{'args':['sh'],'cwd':'/','capabilities':{'bounding':['CAP_KILL'],"
                "'permitted':['CAP_CHOWN','CAP_FLY']}}}",
                ".process.capabilities.permitted[1]: unknown capability \"CAP_FLY\"", NULL, "unknown capability");
  expect_error ("{" MIN ",'process':{'args':['sh'],'cwd':'/','rlimits':[{'type':'RLIMIT_NOFILE','hard':1,'soft':1},"
                "{'type':'RLIMIT_FOO','hard':1,'soft':1}]}}",
                ".process.rlimits[1].type: unknown rlimit \"RLIMIT_FOO\"", NULL, "unknown rlimit");
  expect_error ("{" MIN
                ",'process':{'args':['sh'],'cwd':'/','rlimits':[{'type':'RLIMIT_NOFILE','hard':10,'soft':20}]}}",
                ".process.rlimits[0]: RLIMIT_NOFILE soft limit 20 is above the hard limit 10", NULL, "soft > hard");
  expect_error ("{" MIN ",'process':{'args':['sh'],'cwd':'/','rlimits':[{'type':'RLIMIT_NOFILE','hard':1}]}}",
                ".process.rlimits[0]: missing \"soft\"", NULL, "rlimit without soft");
  expect_error ("{" MIN ",'process':{'args':['sh'],'cwd':'/','user':{'uid':-1,'gid':0}}}",
                ".process.user.uid: -1 is out of range for uint32", NULL, "negative uid");
  expect_error ("{" MIN ",'process':{'args':['sh'],'cwd':'/','user':{'uid':4294967296}}}",
                ".process.user.uid: 4294967296 is out of range for uint32", NULL, "uid above uint32");
  expect_error ("{" MIN ",'process':{'args':['sh'],'cwd':'/','oomScoreAdj':2147483648}}",
                ".process.oomScoreAdj: 2147483648 is out of range for int32", NULL, "int32 overflow");
  expect_error ("{" MIN ",'linux':{'resources':{'memory':{'limit':-9223372036854775809}}}}",
                ".linux.resources.memory.limit: -9223372036854775809 is out of range for int64", NULL,
                "int64 underflow");
  expect_error ("{" MIN ",'linux':{'resources':{'blockIO':{'weight':65536}}}}",
                ".linux.resources.blockIO.weight: 65536 is out of range for uint16", NULL, "uint16 overflow");
  expect_error ("{" MIN
                ",'process':{'args':['sh'],'cwd':'/','rlimits':[{'type':'RLIMIT_CPU','hard':18446744073709551616,"
                "'soft':1}]}}",
                ".process.rlimits[0].hard: 18446744073709551616 is out of range for uint64", NULL, "uint64 overflow");
  expect_error ("{" MIN ",'process':{'args':['sh'],'cwd':'work'}}",
                ".process.cwd: must be an absolute path, got \"work\"", NULL, "relative cwd");
  expect_error ("{" MIN ",'process':{'args':['sh']}}", ".process.cwd: required", NULL, "missing cwd");
  expect_error ("{" MIN ",'process':{'args':[],'cwd':'/'}}", ".process.args: must name a program", NULL, "empty args");
  expect_error ("{" MIN ",'linux':{'namespaces':[{'type':'pid'},{'type':'ipc'},{'type':'pid'}]}}",
                ".linux.namespaces[2]: duplicate namespace \"pid\"", NULL, "duplicate namespace");
  expect_error ("{" MIN ",'linux':{'uidMappings':[{'containerID':0,'hostID':1000,'size':1}],"
                "'gidMappings':[{'containerID':0,'hostID':1000,'size':1}],'namespaces':[{'type':'pid'}]}}",
                ".linux.uidMappings: id mappings need a user namespace", NULL, "mappings without user namespace");
  expect_error ("{" MIN ",'linux':{'namespaces':[{'type':'pid'},{'type':'user'}]}}",
                ".linux.namespaces[1]: a new user namespace needs both", NULL, "new user namespace without mappings");
  expect_error ("{" MIN ",'linux':{'timeOffsets':{'monotonic':{'secs':1}},'namespaces':[{'type':'pid'}]}}",
                ".linux.timeOffsets.monotonic: time offsets need a time namespace", NULL,
                "time offsets without time namespace");
  expect_error ("{" MIN ",'linux':{'devices':[{'path':'/dev/x','type':'c'},{'path':'/dev/y','type':'x'}]}}",
                ".linux.devices[1].type: device type must be", NULL, "bad device type");
  expect_error ("{" MIN ",'linux':{'devices':[{'path':'/dev/x','type':'cb'}]}}", ".linux.devices[0].type:", NULL,
                "two-letter device type");
  expect_error ("{" MIN ",'linux':{'devices':[{'path':'dev/x','type':'c'}]}}",
                ".linux.devices[0].path: must be an absolute path", NULL, "relative device path");
  expect_error ("{" MIN ",'linux':{'rootfsPropagation':'sideways'}}",
                ".linux.rootfsPropagation: unknown rootfs propagation \"sideways\"", NULL, "bad propagation");
  expect_error ("{" MIN ",'hooks':{'poststop':[{'path':'/x'},{'path':'hook.sh'}]}}",
                ".hooks.poststop[1].path: must be an absolute path", NULL, "relative hook path");
  expect_error ("{" MIN ",'hooks':{'prestart':[{'path':'/x','timeout':0}]}}",
                ".hooks.prestart[0].timeout: must be greater than zero", NULL, "hook timeout 0");
  expect_error ("{" MIN ",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_MAYBE'}}}",
                ".linux.seccomp.defaultAction: unknown seccomp action \"SCMP_ACT_MAYBE\"", NULL,
                "bad seccomp default action");
  expect_error ("{" MIN ",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['x'],"
                "'action':'SCMP_ACT_ERRNO','args':[{'index':0,'value':1,'op':'SCMP_CMP_ABOUT'}]}]}}}",
                ".linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator", NULL, "bad seccomp operator");
  expect_error ("{" MIN ",'linux':{'resources':{'devices':[{'allow':true,'type':'x'}]}}}",
                ".linux.resources.devices[0].type: device type must be", NULL, "bad cgroup device type");
  expect_error ("{" MIN ",'linux':{'resources':{'devices':[{'allow':true,'type':'c','access':'rwx'}]}}}",
                ".linux.resources.devices[0].access:", NULL, "bad cgroup device access");
  expect_error ("{" MIN ",'linux':{'personality':{'domain':'LINUX64'}}}",
                ".linux.personality.domain: unknown personality domain", NULL, "bad personality domain");
}

static void
test_default_spec (void)
{
  for (int rootless = 0; rootless <= 1; rootless++)
    {
      cleanup_free char *json = lcr_spec_default_json (rootless, 1234, 5678);
      cleanup_error lcr_error_t err = NULL;
      cleanup_spec struct lcr_spec *s = lcr_spec_parse (json, strlen (json), &err);
      const char *what = rootless ? "rootless" : "root";
      if (!ok (s != NULL, "default %s spec round-trips through the parser", what))
        {
          printf ("#   %s\n", err ? err->msg : "");
          continue;
        }
      ok (s->process->terminal && strcmp (s->process->args[0], "sh") == 0 && s->process->args_len == 1
              && strcmp (s->process->cwd, "/") == 0 && s->process->no_new_privileges,
          "%s default: process", what);
      ok (s->process->capabilities->bounding_len == 3 && s->process->capabilities->ambient == NULL
              && s->process->rlimits_len == 1 && s->process->rlimits[0].soft == 1024,
          "%s default: capabilities and rlimits", what);
      ok (s->root->readonly && strcmp (s->root->path, "rootfs") == 0 && strcmp (s->hostname, "berth") == 0,
          "%s default: root and hostname", what);
      bool has_network = false, has_user = false, has_gid5 = false, has_cgroup_mount = false;
      for (size_t i = 0; i < s->linux_->namespaces_len; i++)
        {
          has_network |= s->linux_->namespaces[i].type == LCR_NS_NETWORK;
          has_user |= s->linux_->namespaces[i].type == LCR_NS_USER;
        }
      for (size_t i = 0; i < s->mounts_len; i++)
        {
          has_cgroup_mount |= strcmp (s->mounts[i].destination, "/sys/fs/cgroup") == 0;
          for (size_t j = 0; j < s->mounts[i].options_len; j++)
            has_gid5 |= strcmp (s->mounts[i].options[j], "gid=5") == 0;
        }
      ok (has_network == !rootless && has_user == (bool)rootless, "%s default: namespaces", what);
      ok (has_gid5 == !rootless && has_cgroup_mount == !rootless, "%s default: devpts gid and cgroup mount", what);
      if (rootless)
        ok (s->linux_->uid_mappings_len == 1 && s->linux_->uid_mappings[0].host_id == 1234
                && s->linux_->uid_mappings[0].container_id == 0 && s->linux_->gid_mappings[0].host_id == 5678
                && s->linux_->resources == NULL,
            "rootless default: id mappings, no resources");
      else
        ok (s->linux_->resources && s->linux_->resources->devices_len == 1 && !s->linux_->resources->devices[0].allow
                && s->linux_->masked_paths_len >= 10,
            "root default: device cgroup denies all, masked paths");
    }
}

static void
test_process_and_resources (void)
{
  cleanup_error lcr_error_t err = NULL;
  cleanup_free char *pj = J ("{'args':['ls','-l'],'cwd':'/tmp','user':{'uid':5}}");
  struct lcr_spec_process *p = lcr_spec_parse_process (pj, strlen (pj), &err);
  ok (p && p->args_len == 2 && p->user.uid == 5 && strcmp (p->cwd, "/tmp") == 0, "lcr_spec_parse_process");
  lcr_spec_process_free (p);

  cleanup_free char *bad = J ("{'args':['ls',false],'cwd':'/tmp'}");
  p = lcr_spec_parse_process (bad, strlen (bad), &err);
  ok (p == NULL && err && strstr (err->msg, ".args[1]: expected a string, got a boolean"),
      "lcr_spec_parse_process: type error path relative to the process object");
  lcr_error_release (&err);

  cleanup_free char *rj = J ("{'memory':{'limit':100},'pids':{'limit':10},'cpu':{'cpus':'1'}}");
  struct lcr_spec_resources *r = lcr_spec_parse_resources (rj, strlen (rj), &err);
  ok (r && r->memory->limit == 100 && r->pids->limit == 10 && strcmp (r->cpu->cpus, "1") == 0,
      "lcr_spec_parse_resources");
  lcr_spec_resources_free (r);

  cleanup_free char *rbad = J ("{'devices':[{'allow':true,'access':'q'}]}");
  r = lcr_spec_parse_resources (rbad, strlen (rbad), &err);
  ok (r == NULL && err && strstr (err->msg, ".devices[0].access:"), "lcr_spec_parse_resources: validation");
  lcr_error_release (&err);
}

static void
test_ns_names (void)
{
  is_int (lcr_ns_type_from_name ("network"), LCR_NS_NETWORK, "ns name → type");
  is_int (lcr_ns_type_from_name ("net"), -1, "unknown ns name → -1");
  is_str (lcr_ns_type_name (LCR_NS_CGROUP), "cgroup", "ns type → name");
  ok (lcr_ns_type_name (LCR_NS_COUNT) == NULL, "out-of-range type → NULL");
}

static void
test_load (void)
{
  char dir[] = "/tmp/berth-test-spec-XXXXXX";
  if (!ok (mkdtemp (dir) != NULL, "make temp bundle"))
    return;
  cleanup_free char *file = NULL;
  xasprintf (&file, "%s/config.json", dir);

  cleanup_error lcr_error_t err = NULL;
  struct lcr_spec *s = lcr_spec_load (dir, &err);
  ok (s == NULL && err && strstr (err->msg, file) && strstr (err->msg, "No such file")
          && err->code == LCR_ERR_NOT_FOUND,
      "missing config.json: message names the file");
  if (err)
    printf ("#   message: %s\n", err->msg);
  lcr_error_release (&err);

  cleanup_free char *good = J ("{" MIN ",'process':{'args':['true'],'cwd':'/'}}");
  lcr_write_file_at (AT_FDCWD, file, good, strlen (good), 0644, NULL);
  s = lcr_spec_load (dir, &err);
  ok (s && strcmp (s->process->args[0], "true") == 0, "lcr_spec_load reads BUNDLE/config.json");
  lcr_spec_free (s);

  cleanup_free char *bad = J ("{" MIN ",'process':{'args':['true'],'cwd':'x'}}");
  lcr_write_file_at (AT_FDCWD, file, bad, strlen (bad), 0644, NULL);
  s = lcr_spec_load (dir, &err);
  cleanup_free char *want = NULL;
  xasprintf (&want, "load `%s`: .process.cwd: must be an absolute path", file);
  ok (s == NULL && err && strstr (err->msg, want), "bad config.json: message names the file and the path");
  if (err)
    printf ("#   message: %s\n", err->msg);
  lcr_error_release (&err);

  unlink (file);
  rmdir (dir);
}

/* A document of `depth` nested arrays in an unknown key of a valid config. */
static char *
nested (size_t depth)
{
  const char *head = "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"rootfs\"},\"x-ext\":";
  size_t hl = strlen (head);
  char *j = xmalloc0 (hl + 2 * depth + 2);
  memcpy (j, head, hl);
  memset (j + hl, '[', depth);
  memset (j + hl + depth, ']', depth);
  j[hl + 2 * depth] = '}';
  return j;
}

/* yajl frees trees recursively: depth is bounded before a tree is built */
static void
test_deep_nesting (void)
{
  cleanup_error lcr_error_t err = NULL;
  /* the root object is level 1, "x-ext" level 2 */
  cleanup_free char *at_limit = nested (LCR_JSON_MAX_DEPTH - 1);
  struct lcr_spec *s = lcr_spec_parse (at_limit, strlen (at_limit), &err);
  ok (s != NULL, "nesting of %d levels is accepted: %s", LCR_JSON_MAX_DEPTH, err ? err->msg : "ok");
  lcr_spec_free (s);

  cleanup_free char *over = nested (LCR_JSON_MAX_DEPTH);
  s = lcr_spec_parse (over, strlen (over), &err);
  ok (s == NULL && err && err->code == LCR_ERR_INVALID && strstr (err->msg, "nested deeper than 1000 levels"),
      "nesting of %d levels is refused: %s", LCR_JSON_MAX_DEPTH + 1, err ? err->msg : "(accepted)");

  /* 4 MB of brackets overflowed the stack in yajl_tree_free (SIGSEGV) */
  cleanup_free char *huge = nested (2000000);
  s = lcr_spec_parse (huge, strlen (huge), &err);
  ok (s == NULL && err && strstr (err->msg, "nested deeper"), "2000000 levels are refused, no crash");
  struct lcr_spec_process *p = lcr_spec_parse_process (huge, strlen (huge), &err);
  ok (p == NULL && err && strstr (err->msg, "nested deeper"), "process.json: 2000000 levels are refused, no crash");
  struct lcr_spec_resources *r = lcr_spec_parse_resources (huge, strlen (huge), &err);
  ok (r == NULL && err && strstr (err->msg, "nested deeper"), "resources: 2000000 levels are refused, no crash");

  /* unclosed: a syntax error, reported as one */
  cleanup_free char *open_only = nested (10);
  open_only[strlen (open_only) - 5] = '\0';
  s = lcr_spec_parse (open_only, strlen (open_only), &err);
  ok (s == NULL && err && strstr (err->msg, "invalid JSON") && !strstr (err->msg, "nested"),
      "an unclosed document is a syntax error: %s", err ? err->msg : "(accepted)");
}

/* values and keys from config.json reach a terminal in the message: escaped */
static void
test_control_chars (void)
{
  expect_error ("{" MIN ",'annotations':{'x\\u001b[31m\\nforged':1}}", ".annotations[\"x\\x1b[31m\\nforged\"]",
                "expected a string", "a key's control characters are escaped in the message");
  expect_error ("{" MIN ",'process':{'cwd':'x\\u001b[2J\\u007f','args':['a']}}", "got \"x\\x1b[2J\\x7f\"", NULL,
                "a value's control characters are escaped in the message");
}

int
main (void)
{
  test_full_config ();
  test_minimal_and_nulls ();
  test_bad ();
  test_default_spec ();
  test_process_and_resources ();
  test_ns_names ();
  test_load ();
  test_deep_nesting ();
  test_control_chars ();
  return done_testing ();
}
