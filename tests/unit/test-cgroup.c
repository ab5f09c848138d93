/* Unit tests (TAP) of the cgroup resource writers.
 *
 * Fake trees in a temp dir stand for cgroupfs: the writers open existing
 * files, so each fake cgroup is a directory of regular files; one-value
 * files are truncated at each write, rule files (devices.allow, io.max…)
 * collect one line a write.  Then, as root only, the real thing: the v1
 * hierarchies of this host (limits read back, freezer, OOM eventfd, stats)
 * and a cgroup2 hierarchy (eBPF device filter, cgroup.freeze, hugetlb and
 * subtree_control).  Real parts are skipped when they cannot run. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "cgroup.h"
#include "spec.h"
#include "tap.h"
#include "utils.h"

/* cgroup-v1.c / cgroup-v2.c mount code needs these from mounts.c, which would
   pull in the whole container setup; never called here.  Weak, so linking
   against libberth.a works too. */
__attribute__ ((weak)) int
lcr_open_in_root (int rootfd, const char *path, bool create, bool dir, lcr_error_t *err)
{
  return lcr_error_make (err, ENOSYS, LCR_ERR_SYSTEM, "stub");
}
__attribute__ ((weak)) void
lcr_fd_path (int fd, char buf[64])
{
  snprintf (buf, 64, "/proc/self/fd/%d", fd);
}
__attribute__ ((weak)) int
lcr_remount_bind (const char *path, unsigned long flags, bool in_userns, lcr_error_t *err)
{
  return lcr_error_make (err, ENOSYS, LCR_ERR_SYSTEM, "stub");
}

static char tmp[] = "/tmp/test-cgroup.XXXXXX";

/* ---------------------------------------------------------------- helpers */

static void
mk (const char *rel, const char *content)
{
  char path[4096];
  snprintf (path, sizeof path, "%s/%s", tmp, rel);
  char *slash = strrchr (path, '/');
  *slash = '\0';
  lcr_mkdir_p (path, 0755, NULL);
  *slash = '/';
  lcr_write_file_at (AT_FDCWD, path, content, strlen (content), 0644, NULL);
}

static char *
rd (const char *rel)
{
  static char buf[8192];
  char path[4096];
  char *s = NULL;
  snprintf (path, sizeof path, "%s/%s", tmp, rel);
  if (lcr_read_file (path, &s, NULL, NULL) < 0)
    return NULL;
  snprintf (buf, sizeof buf, "%s", s);
  free (s);
  return buf;
}

static struct lcr_spec_resources *
res_json (const char *json)
{
  lcr_error_t err = NULL;
  struct lcr_spec_resources *r = lcr_spec_parse_resources (json, strlen (json), &err);
  if (r == NULL)
    {
      printf ("# parse %s: %s\n", json, err->msg);
      lcr_error_release (&err);
    }
  return r;
}

/* apply JSON; returns the error message (static) or NULL on success */
static const char *
apply (struct lcr_cgroup *cg, const char *json, bool update)
{
  static char msg[1024];
  lcr_error_t err = NULL;
  struct lcr_spec_resources *r = res_json (json);
  if (r == NULL)
    return "parse error";
  int ret = lcr_cgroup_apply (cg, r, update, &err);
  lcr_spec_resources_free (r);
  if (ret == 0)
    return NULL;
  snprintf (msg, sizeof msg, "%s", err->msg);
  lcr_error_release (&err);
  return msg;
}

static void
ok_apply (struct lcr_cgroup *cg, const char *json, bool update, const char *name)
{
  const char *e = apply (cg, json, update);
  if (!ok (e == NULL, "%s", name))
    printf ("#   error: %s\n", e);
}

/* the apply fails and the message starts with `prefix` (and holds `also`) */
static void
bad_apply (struct lcr_cgroup *cg, const char *json, bool update, const char *prefix, const char *also, const char *name)
{
  const char *e = apply (cg, json, update);
  if (!ok (e && strncmp (e, prefix, strlen (prefix)) == 0 && (also == NULL || strstr (e, also)), "%s", name))
    printf ("#   error: %s\n#   want: %s…%s\n", e ? e : "(none)", prefix, also ? also : "");
}

/* ---------------------------------------------------------------- fake v1 */

static const char *const v1_files[][2] = {
    {"memory/ctr/memory.limit_in_bytes", "9223372036854771712\n"},
    {"memory/ctr/memory.memsw.limit_in_bytes", "9223372036854771712\n"},
    {"memory/ctr/memory.soft_limit_in_bytes", "9223372036854771712\n"},
    {"memory/ctr/memory.kmem.limit_in_bytes", "untouched"},
    {"memory/ctr/memory.swappiness", "60\n"},
    {"memory/ctr/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n"},
    {"memory/ctr/memory.usage_in_bytes", "1048576\n"},
    {"memory/ctr/memory.max_usage_in_bytes", "2097152\n"},
    {"memory/ctr/memory.failcnt", "4\n"},
    {"memory/ctr/memory.memsw.usage_in_bytes", "1052672\n"},
    {"memory/ctr/memory.stat", "cache 4096\nrss 8192\ntotal_rss 8192\n"},
    {"cpu,cpuacct/ctr/cpu.shares", "1024\n"},
    {"cpu,cpuacct/ctr/cpu.cfs_period_us", "100000\n"},
    {"cpu,cpuacct/ctr/cpu.cfs_quota_us", "-1\n"},
    {"cpu,cpuacct/ctr/cpu.rt_period_us", "1000000\n"},
    {"cpu,cpuacct/ctr/cpu.rt_runtime_us", "0\n"},
    {"cpu,cpuacct/ctr/cpu.idle", "0\n"},
    {"cpu,cpuacct/ctr/cpu.stat", "nr_periods 7\nnr_throttled 2\nthrottled_time 5000\n"},
    {"cpu,cpuacct/ctr/cpuacct.usage", "300\n"},
    {"cpu,cpuacct/ctr/cpuacct.usage_percpu", "100 200 \n"},
    {"cpu,cpuacct/ctr/cpuacct.usage_percpu_user", "60 120 \n"},
    {"cpu,cpuacct/ctr/cpuacct.usage_percpu_sys", "40 80 \n"},
    {"cpu,cpuacct/ctr/cpuacct.stat", "user 3\nsystem 2\n"},
    {"cpuset/cpuset.effective_cpus", "0-3\n"},
    {"cpuset/cpuset.effective_mems", "0\n"},
    {"cpuset/ctr/cpuset.cpus", "\n"},
    {"cpuset/ctr/cpuset.mems", "\n"},
    {"pids/ctr/pids.max", "max\n"},
    {"pids/ctr/pids.current", "5\n"},
    {"blkio/ctr/blkio.weight", "500\n"},
    {"blkio/ctr/blkio.weight_device", ""},
    {"blkio/ctr/blkio.leaf_weight", "500\n"},
    {"blkio/ctr/blkio.leaf_weight_device", ""},
    {"blkio/ctr/blkio.throttle.read_bps_device", ""},
    {"blkio/ctr/blkio.throttle.write_bps_device", ""},
    {"blkio/ctr/blkio.throttle.read_iops_device", ""},
    {"blkio/ctr/blkio.throttle.write_iops_device", ""},
    {"blkio/ctr/blkio.throttle.io_service_bytes_recursive", "8:0 Read 4096\n8:0 Write 8192\nTotal 12288\n"},
    {"hugetlb/ctr/hugetlb.2MB.limit_in_bytes", "9223372036854771712\n"},
    {"hugetlb/ctr/hugetlb.2MB.usage_in_bytes", "2097152\n"},
    {"hugetlb/ctr/hugetlb.1GB.limit_in_bytes", "9223372036854771712\n"},
    {"net_cls/ctr/net_cls.classid", "0\n"},
    {"rdma/ctr/rdma.max", ""},
    {"devices/ctr/devices.allow", ""},
    {"devices/ctr/devices.deny", ""},
    {"devices/ctr/devices.list", "a *:* rwm\n"},
    {"freezer/ctr/freezer.state", "THAWED\n"},
};

static void
reset_v1 (void)
{
  for (size_t i = 0; i < sizeof v1_files / sizeof v1_files[0]; i++)
    mk (v1_files[i][0], v1_files[i][1]);
}

#define DEFAULT_ALLOWS                                                                                                 \
  "c *:* m\nb *:* m\nc 1:3 rwm\nc 1:8 rwm\nc 1:7 rwm\nc 5:0 rwm\nc 1:5 rwm\nc 1:9 rwm\nc 136:* rwm\nc 5:2 rwm\nc "     \
  "10:200 rwm\n"

static void
test_v1_fake (void)
{
  char root[4096];
  lcr_error_t err = NULL;
  struct lcr_cgroup *cg = NULL;
  reset_v1 ();
  /* the host's "cpu -> cpu,cpuacct" links must not count twice */
  snprintf (root, sizeof root, "%s/cpu", tmp);
  symlink ("cpu,cpuacct", root);
  snprintf (root, sizeof root, "%s", tmp);
  if (!ok (lcr_cgroup_load (root, "/ctr", &cg, &err) == 0 && cg->kind == LCR_CGROUP_V1, "v1: fake tree loads as v1"))
    return;

  /* memory */
  ok_apply (cg,
            "{\"memory\": {\"limit\": 33554432, \"swap\": 67108864, \"reservation\": 16777216, "
            "\"swappiness\": 10, \"disableOOMKiller\": true, \"kernel\": 1000, \"kernelTCP\": 1000}}",
            false, "v1 memory: apply");
  is_str (rd ("memory/ctr/memory.limit_in_bytes"), "33554432", "v1 memory.limit → memory.limit_in_bytes");
  is_str (rd ("memory/ctr/memory.memsw.limit_in_bytes"), "67108864", "v1 memory.swap → memory.memsw.limit_in_bytes");
  is_str (rd ("memory/ctr/memory.soft_limit_in_bytes"), "16777216",
          "v1 memory.reservation → memory.soft_limit_in_bytes");
  is_str (rd ("memory/ctr/memory.swappiness"), "10", "v1 memory.swappiness");
  is_str (rd ("memory/ctr/memory.oom_control"), "1", "v1 memory.disableOOMKiller → memory.oom_control 1");
  is_str (rd ("memory/ctr/memory.kmem.limit_in_bytes"), "untouched", "v1 memory.kernel is accepted and ignored");
  ok_apply (cg, "{\"memory\": {\"limit\": -1}}", false, "v1 memory: limit -1");
  is_str (rd ("memory/ctr/memory.limit_in_bytes"), "-1", "v1 limit -1 written as -1");
  is_str (rd ("memory/ctr/memory.memsw.limit_in_bytes"), "-1", "v1 limit -1 makes memsw unlimited too");
  reset_v1 ();
  bad_apply (cg, "{\"memory\": {\"limit\": -2}}", false, ".linux.resources.memory.limit: must be -1", NULL,
             "v1 memory: limit -2 refused naming the field");
  is_str (rd ("memory/ctr/memory.limit_in_bytes"), "9223372036854771712\n", "v1 memory: nothing written on error");
  bad_apply (cg, "{\"memory\": {\"reservation\": -7}}", false, ".linux.resources.memory.reservation:", NULL,
             "v1 memory: reservation -7 refused");
  bad_apply (cg, "{\"memory\": {\"limit\": 67108864, \"swap\": 33554432}}", false,
             ".linux.resources.memory.swap:", ">= the memory limit", "v1 memory: swap below limit refused");
  bad_apply (cg, "{\"memory\": {\"swappiness\": 101}}", false, ".linux.resources.memory.swappiness:", "0 and 100",
             "v1 memory: swappiness 101 refused");
  bad_apply (cg, "{\"memory\": {\"limit\": 4096, \"checkBeforeUpdate\": true}}", true,
             ".linux.resources.memory.limit:", "below the current usage 1048576",
             "v1 memory: checkBeforeUpdate refuses a limit below usage on update");
  ok_apply (cg, "{\"memory\": {\"limit\": 4096, \"checkBeforeUpdate\": true}}", false,
            "v1 memory: checkBeforeUpdate does not apply at create");
  ok_apply (cg, "{\"memory\": {\"limit\": 8388608, \"checkBeforeUpdate\": true}}", true,
            "v1 memory: checkBeforeUpdate lets a limit above usage through");

  /* cpu */
  ok_apply (cg,
            "{\"cpu\": {\"shares\": 512, \"quota\": 50000, \"period\": 200000, \"realtimePeriod\": 900000, "
            "\"realtimeRuntime\": 5000, \"idle\": 1}}",
            false, "v1 cpu: apply");
  is_str (rd ("cpu,cpuacct/ctr/cpu.shares"), "512", "v1 cpu.shares");
  is_str (rd ("cpu,cpuacct/ctr/cpu.cfs_quota_us"), "50000", "v1 cpu.quota → cpu.cfs_quota_us");
  is_str (rd ("cpu,cpuacct/ctr/cpu.cfs_period_us"), "200000", "v1 cpu.period → cpu.cfs_period_us");
  is_str (rd ("cpu,cpuacct/ctr/cpu.rt_period_us"), "900000", "v1 cpu.realtimePeriod → cpu.rt_period_us");
  is_str (rd ("cpu,cpuacct/ctr/cpu.rt_runtime_us"), "5000", "v1 cpu.realtimeRuntime → cpu.rt_runtime_us");
  is_str (rd ("cpu,cpuacct/ctr/cpu.idle"), "1", "v1 cpu.idle");
  ok_apply (cg, "{\"cpu\": {\"quota\": -1}}", false, "v1 cpu: quota -1");
  is_str (rd ("cpu,cpuacct/ctr/cpu.cfs_quota_us"), "-1", "v1 cpu quota -1 = unlimited");
  bad_apply (cg, "{\"cpu\": {\"burst\": 1000}}", false,
             ".linux.resources.cpu.burst: write cpu.cfs_burst_us (1000): No such file or directory", NULL,
             "v1 cpu: a missing file names the field, the file and the value");
  bad_apply (cg, "{\"cpu\": {\"shares\": 1}}", false, ".linux.resources.cpu.shares:", "2 and 262144",
             "v1 cpu: shares 1 refused");
  bad_apply (cg, "{\"cpu\": {\"quota\": -5}}", false, ".linux.resources.cpu.quota:", NULL, "v1 cpu: quota -5 refused");
  bad_apply (cg, "{\"cpu\": {\"idle\": 2}}", false, ".linux.resources.cpu.idle:", NULL, "v1 cpu: idle 2 refused");

  /* cpuset */
  ok_apply (cg, "{\"cpu\": {\"cpus\": \"1-2\", \"mems\": \"0\"}}", false, "v1 cpuset: apply");
  is_str (rd ("cpuset/ctr/cpuset.cpus"), "1-2", "v1 cpu.cpus → cpuset.cpus");
  is_str (rd ("cpuset/ctr/cpuset.mems"), "0", "v1 cpu.mems → cpuset.mems");
  bad_apply (cg, "{\"cpu\": {\"cpus\": \"0,7\"}}", false, ".linux.resources.cpu.cpus: 7 is out of range",
             "available: \"0-3\"", "v1 cpuset: cpu outside the parent's refused");
  is_str (rd ("cpuset/ctr/cpuset.cpus"), "1-2", "v1 cpuset: unchanged after the refusal");
  bad_apply (cg, "{\"cpu\": {\"mems\": \"1\"}}", false, ".linux.resources.cpu.mems: 1 is out of range", NULL,
             "v1 cpuset: node outside the parent's refused");
  bad_apply (cg, "{\"cpu\": {\"cpus\": \"1-\"}}", false, ".linux.resources.cpu.cpus:", "not a cpu list",
             "v1 cpuset: bad syntax refused");
  bad_apply (cg, "{\"cpu\": {\"cpus\": \"3-1\"}}", false, ".linux.resources.cpu.cpus:", NULL,
             "v1 cpuset: reversed range refused");

  /* pids */
  ok_apply (cg, "{\"pids\": {\"limit\": 10}}", false, "v1 pids: 10");
  is_str (rd ("pids/ctr/pids.max"), "10", "v1 pids.limit → pids.max");
  ok_apply (cg, "{\"pids\": {\"limit\": -1}}", false, "v1 pids: -1");
  is_str (rd ("pids/ctr/pids.max"), "max", "v1 pids -1 → max");
  ok_apply (cg, "{\"pids\": {\"limit\": 0}}", false, "v1 pids: 0");
  is_str (rd ("pids/ctr/pids.max"), "max", "v1 pids 0 → max");
  bad_apply (cg, "{\"pids\": {\"limit\": -3}}", false, ".linux.resources.pids.limit:", NULL, "v1 pids: -3 refused");

  /* blkio */
  ok_apply (
      cg,
      "{\"blockIO\": {\"weight\": 300, \"leafWeight\": 200, \"weightDevice\": [{\"major\": 8, \"minor\": 0, "
      "\"weight\": 400, \"leafWeight\": 100}], \"throttleReadBpsDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": "
      "1048576}, {\"major\": 8, \"minor\": 16, \"rate\": 2048}], \"throttleWriteBpsDevice\": [{\"major\": 8, "
      "\"minor\": 0, \"rate\": 4096}], \"throttleReadIOPSDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 100}], "
      "\"throttleWriteIOPSDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 50}]}}",
      false, "v1 blkio: apply");
  is_str (rd ("blkio/ctr/blkio.weight"), "300", "v1 blockIO.weight → blkio.weight");
  is_str (rd ("blkio/ctr/blkio.leaf_weight"), "200", "v1 blockIO.leafWeight → blkio.leaf_weight");
  is_str (rd ("blkio/ctr/blkio.weight_device"), "8:0 400\n", "v1 weightDevice → blkio.weight_device");
  is_str (rd ("blkio/ctr/blkio.leaf_weight_device"), "8:0 100\n", "v1 weightDevice leaf → blkio.leaf_weight_device");
  is_str (rd ("blkio/ctr/blkio.throttle.read_bps_device"), "8:0 1048576\n8:16 2048\n",
          "v1 throttleReadBpsDevice, one line a device");
  is_str (rd ("blkio/ctr/blkio.throttle.write_bps_device"), "8:0 4096\n", "v1 throttleWriteBpsDevice");
  is_str (rd ("blkio/ctr/blkio.throttle.read_iops_device"), "8:0 100\n", "v1 throttleReadIOPSDevice");
  is_str (rd ("blkio/ctr/blkio.throttle.write_iops_device"), "8:0 50\n", "v1 throttleWriteIOPSDevice");
  bad_apply (cg, "{\"blockIO\": {\"weight\": 5}}", false,
             ".linux.resources.blockIO.weight: must be between 10 and 1000", NULL, "v1 blkio: weight 5 refused");
  bad_apply (cg, "{\"blockIO\": {\"weight\": 1001}}", false, ".linux.resources.blockIO.weight:", NULL,
             "v1 blkio: weight 1001 refused");
  bad_apply (cg, "{\"blockIO\": {\"weightDevice\": [{\"major\": 8, \"minor\": 0, \"weight\": 2000}]}}", false,
             ".linux.resources.blockIO.weightDevice[0].weight:", NULL, "v1 blkio: device weight 2000 refused");
  /* no CFQ: runc's choice of BFQ's files */
  unlink (strcat (strcpy (root, tmp), "/blkio/ctr/blkio.weight"));
  mk ("blkio/ctr/blkio.bfq.weight", "100\n");
  ok_apply (cg, "{\"blockIO\": {\"weight\": 700}}", false, "v1 blkio: weight without CFQ");
  is_str (rd ("blkio/ctr/blkio.bfq.weight"), "700", "v1 blockIO.weight → blkio.bfq.weight without CFQ");

  /* hugetlb, net, rdma */
  ok_apply (cg,
            "{\"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 4194304}, {\"pageSize\": \"1GB\", \"limit\": "
            "0}]}",
            false, "v1 hugetlb: apply");
  is_str (rd ("hugetlb/ctr/hugetlb.2MB.limit_in_bytes"), "4194304", "v1 hugetlb 2MB → hugetlb.2MB.limit_in_bytes");
  is_str (rd ("hugetlb/ctr/hugetlb.1GB.limit_in_bytes"), "0", "v1 hugetlb 1GB");
  bad_apply (cg, "{\"hugepageLimits\": [{\"pageSize\": \"2XB\", \"limit\": 1}]}", false,
             ".linux.resources.hugepageLimits[0].pageSize:", NULL, "v1 hugetlb: bad page size refused");
  bad_apply (cg, "{\"hugepageLimits\": [{\"pageSize\": \"64KB\", \"limit\": 1}]}", false,
             ".linux.resources.hugepageLimits[0].limit: write hugetlb.64KB.limit_in_bytes", NULL,
             "v1 hugetlb: a size the kernel lacks names the field");
  ok_apply (cg, "{\"network\": {\"classID\": 1048577}}", false, "v1 net_cls: apply");
  is_str (rd ("net_cls/ctr/net_cls.classid"), "1048577", "v1 network.classID → net_cls.classid");
  bad_apply (cg, "{\"network\": {\"priorities\": [{\"name\": \"eth0\", \"priority\": 5}]}}", false,
             ".linux.resources.network.priorities: the net_prio cgroup controller is not mounted", NULL,
             "v1 net_prio: missing controller names the field");
  mk ("net_prio/ctr/net_prio.ifpriomap", "");
  cg->hierarchies = xrealloc (cg->hierarchies, (cg->hierarchies_len + 2) * sizeof (char *));
  cg->hierarchies[cg->hierarchies_len++] = xstrdup ("net_prio");
  cg->hierarchies[cg->hierarchies_len] = NULL;
  ok_apply (cg,
            "{\"network\": {\"priorities\": [{\"name\": \"eth0\", \"priority\": 5}, {\"name\": \"lo\", \"priority\": "
            "2}]}}",
            false, "v1 net_prio: apply");
  is_str (rd ("net_prio/ctr/net_prio.ifpriomap"), "eth0 5\nlo 2\n", "v1 network.priorities → net_prio.ifpriomap");
  bad_apply (cg, "{\"network\": {\"priorities\": [{\"name\": \"eth0 7\", \"priority\": 5}]}}", false,
             ".linux.resources.network.priorities[0].name:", NULL, "v1 net_prio: a name with a space refused");
  ok_apply (cg, "{\"rdma\": {\"mlx4_0\": {\"hcaHandles\": 2, \"hcaObjects\": 2000}, \"mlx5_1\": {\"hcaHandles\": 3}}}",
            false, "v1 rdma: apply");
  const char *rdma = rd ("rdma/ctr/rdma.max");
  ok (rdma && strstr (rdma, "mlx4_0 hca_handle=2 hca_object=2000\n") && strstr (rdma, "mlx5_1 hca_handle=3\n"),
      "v1 rdma → rdma.max lines");

  /* devices */
  reset_v1 ();
  ok_apply (cg,
            "{\"devices\": [{\"allow\": false, \"access\": \"rwm\"}, {\"allow\": true, \"type\": \"c\", \"major\": 10, "
            "\"minor\": 229, \"access\": \"rw\"}, {\"allow\": false, \"type\": \"b\", \"major\": 8, \"access\": "
            "\"m\"}]}",
            false, "v1 devices: apply");
  is_str (rd ("devices/ctr/devices.deny"), "a *:* rwm\na *:* rwm\nb 8:* m\n",
          "v1 devices.deny: deny-all first, then the spec's denies in order");
  is_str (rd ("devices/ctr/devices.allow"), "c 10:229 rw\n" DEFAULT_ALLOWS,
          "v1 devices.allow: the spec's allows, then runc's default devices");
  reset_v1 ();
  ok_apply (cg, "{}", false, "v1 devices: no rules at create");
  is_str (rd ("devices/ctr/devices.allow"), DEFAULT_ALLOWS,
          "v1 devices: a whitelist of the defaults even without rules");
  reset_v1 ();
  ok_apply (cg, "{\"pids\": {\"limit\": 3}}", true, "v1 update without devices");
  is_str (rd ("devices/ctr/devices.deny"), "", "v1 update without devices leaves devices alone");
  mk ("devices/ctr/devices.list", "c 1:3 rwm\nc 4:4 rwm\n");
  ok_apply (cg, "{\"devices\": [{\"allow\": false, \"access\": \"rwm\"}]}", true, "v1 update with devices");
  is_str (rd ("devices/ctr/devices.deny"), "c 4:4 rwm\na *:* rwm\n",
          "v1 update on a whitelist: no deny-all first, the entries no longer allowed withdrawn");
  /* the parser refuses an unknown type already; apply checks again for
     resources built in code */
  struct lcr_spec_device_cgroup bad_dev = {.allow = true, .type = 'x'};
  struct lcr_spec_resources bad_res = {.devices = &bad_dev, .devices_len = 1};
  ok (lcr_cgroup_apply (cg, &bad_res, false, &err) < 0
          && strncmp (err->msg, ".linux.resources.devices[0].type: unknown device type", 52) == 0,
      "v1 devices: unknown type refused naming the field");
  lcr_error_release (&err);

  /* unified on v1 without a unified hierarchy */
  bad_apply (cg, "{\"unified\": {\"memory.high\": \"100\"}}", false, ".linux.resources.unified[\"memory.high\"]:", NULL,
             "v1 unified: refused without a unified hierarchy");
  bad_apply (cg, "{\"unified\": {\"../../etc/passwd\": \"x\"}}", false,
             ".linux.resources.unified[\"../../etc/passwd\"]: not a cgroup file name", NULL,
             "unified: a key with .. or / refused");

  /* freezer */
  ok (lcr_cgroup_freeze (cg, true, &err) == 0, "v1 freeze");
  is_str (rd ("freezer/ctr/freezer.state"), "FROZEN", "v1 freeze writes FROZEN");
  ok (lcr_cgroup_is_frozen (cg), "v1 is_frozen after freeze");
  ok (lcr_cgroup_freeze (cg, false, &err) == 0, "v1 thaw");
  is_str (rd ("freezer/ctr/freezer.state"), "THAWED", "v1 thaw writes THAWED");
  ok (!lcr_cgroup_is_frozen (cg), "v1 not frozen after thaw");

  /* stats */
  reset_v1 ();
  struct lcr_cgroup_stats st;
  ok (lcr_cgroup_stats (cg, &st, &err) == 0, "v1 stats");
  long hz = sysconf (_SC_CLK_TCK);
  is_int (st.cpu.total, 300, "v1 stats cpu total");
  is_int (st.cpu.percpu_len, 2, "v1 stats percpu entries");
  is_int (st.cpu.percpu_len ? st.cpu.percpu[1] : 0, 200, "v1 stats percpu[1]");
  is_int (st.cpu.user, 3 * (1000000000ll / hz), "v1 stats cpu user (ticks → ns)");
  is_int (st.cpu.kernel, 2 * (1000000000ll / hz), "v1 stats cpu kernel");
  is_int (st.cpu.throttled_periods, 2, "v1 stats throttled periods");
  is_int (st.memory.usage.usage, 1048576, "v1 stats memory usage");
  is_int (st.memory.usage.max, 2097152, "v1 stats memory max usage");
  is_int (st.memory.usage.failcnt, 4, "v1 stats memory failcnt");
  is_int (st.memory.cache, 4096, "v1 stats memory cache");
  is_int (st.memory.raw_len, 3, "v1 stats memory raw entries");
  is_int (st.memory.oom_kill, 3, "v1 stats oom_kill");
  ok (st.memory.has_swap && st.memory.swap.usage == 1052672, "v1 stats swap (memsw) usage");
  is_int (st.pids.current, 5, "v1 stats pids current");
  is_int (st.pids.limit, 0, "v1 stats pids limit max → 0");
  is_int (st.blkio.io_service_bytes_recursive_len, 2, "v1 stats blkio entries (Total skipped)");
  is_int (st.hugetlb_len, 2, "v1 stats hugetlb sizes");
  char *json = lcr_cgroup_stats_json (&st);
  ok (json && strstr (json, "\"cpu\":{\"usage\":{\"total\":300,") && strstr (json, "\"percpu\":[100,200]")
          && strstr (json, "\"usage\":{\"limit\":9223372036854771712,\"usage\":1048576,\"max\":2097152,\"failcnt\":4}")
          && strstr (json, "\"raw\":{\"cache\":4096,\"rss\":8192,\"total_rss\":8192}")
          && strstr (json, "\"pids\":{\"current\":5}") && strstr (json, "{\"major\":8,\"op\":\"Read\",\"value\":4096}")
          && strstr (json, "\"2MB\":{\"usage\":2097152,\"failcnt\":0}"),
      "v1 stats JSON in runc's shape");
  if (json == NULL || !strstr (json, "\"total\":300"))
    printf ("# %s\n", json ? json : "(null)");
  free (json);
  lcr_cgroup_stats_free (&st);
  lcr_cgroup_free (cg);
}

/* ---------------------------------------------------------------- fake v2 */

static const char *const v2_files[][2] = {
    {"v2/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma\n"},
    {"v2/cgroup.subtree_control", ""},
    {"v2/a/cgroup.controllers", "cpu io memory pids\n"},
    {"v2/a/cgroup.subtree_control", "cpu\n"},
    {"v2/a/cpuset.cpus.effective", "0-1\n"},
    {"v2/a/cpuset.mems.effective", "0\n"},
    {"v2/a/ctr/memory.max", "max\n"},
    {"v2/a/ctr/memory.low", "0\n"},
    {"v2/a/ctr/memory.swap.max", "max\n"},
    {"v2/a/ctr/memory.current", "1048576\n"},
    {"v2/a/ctr/memory.peak", "2097152\n"},
    {"v2/a/ctr/memory.events", "low 0\nhigh 0\nmax 9\noom 1\noom_kill 1\n"},
    {"v2/a/ctr/memory.swap.current", "4096\n"},
    {"v2/a/ctr/memory.stat", "anon 8192\nfile 4096\n"},
    {"v2/a/ctr/cpu.weight", "100\n"},
    {"v2/a/ctr/cpu.max", "max 100000\n"},
    {"v2/a/ctr/cpu.max.burst", "0\n"},
    {"v2/a/ctr/cpu.idle", "0\n"},
    {"v2/a/ctr/cpu.stat", "usage_usec 5\nuser_usec 3\nsystem_usec 2\nnr_periods 4\nnr_throttled 1\n"
                          "throttled_usec 7\n"},
    {"v2/a/ctr/cpuset.cpus", ""},
    {"v2/a/ctr/cpuset.mems", ""},
    {"v2/a/ctr/pids.max", "max\n"},
    {"v2/a/ctr/pids.current", "2\n"},
    {"v2/a/ctr/io.weight", "default 100\n"},
    {"v2/a/ctr/io.max", ""},
    {"v2/a/ctr/io.stat", "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n"},
    {"v2/a/ctr/hugetlb.2MB.max", "max\n"},
    {"v2/a/ctr/hugetlb.2MB.current", "0\n"},
    {"v2/a/ctr/hugetlb.2MB.events", "max 0\n"},
    {"v2/a/ctr/rdma.max", ""},
    {"v2/a/ctr/memory.high", "max\n"},
    {"v2/a/ctr/cgroup.freeze", "0\n"},
    {"v2/a/ctr/cgroup.events", "populated 0\nfrozen 0\n"},
};

static void
reset_v2 (void)
{
  for (size_t i = 0; i < sizeof v2_files / sizeof v2_files[0]; i++)
    mk (v2_files[i][0], v2_files[i][1]);
}

static void
test_v2_fake (void)
{
  char root[4096];
  lcr_error_t err = NULL;
  reset_v2 ();
  snprintf (root, sizeof root, "%s/v2", tmp);
  struct lcr_cgroup cgs = {.kind = LCR_CGROUP_V2, .ops = &lcr_cgroup_v2_ops, .root = root, .path = (char *)"/a/ctr"};
  struct lcr_cgroup *cg = &cgs;

  /* update = true in the fake tree: no eBPF attach on a plain directory */
  ok_apply (cg, "{\"pids\": {\"limit\": 20}}", true, "v2 pids: apply");
  is_str (rd ("v2/a/ctr/pids.max"), "20", "v2 pids.limit → pids.max");
  is_str (rd ("v2/cgroup.subtree_control"), "+cpuset\n+cpu\n+io\n+memory\n+hugetlb\n+pids\n+rdma\n",
          "v2: every controller enabled in the root's subtree_control");
  is_str (rd ("v2/a/cgroup.subtree_control"), "cpu\n+io\n+memory\n+pids\n",
          "v2: and in the parent's, skipping those already there");
  ok (!lcr_cg_exists (root, "a/ctr/cgroup.subtree_control"), "v2: not in the container's own cgroup");

  ok_apply (cg, "{\"memory\": {\"limit\": 33554432, \"swap\": 67108864, \"reservation\": 16777216}}", true,
            "v2 memory: apply");
  is_str (rd ("v2/a/ctr/memory.max"), "33554432", "v2 memory.limit → memory.max");
  is_str (rd ("v2/a/ctr/memory.swap.max"), "33554432", "v2 memory.swap.max = swap - limit");
  is_str (rd ("v2/a/ctr/memory.low"), "16777216", "v2 memory.reservation → memory.low");
  ok_apply (cg, "{\"memory\": {\"limit\": -1}}", true, "v2 memory: -1");
  is_str (rd ("v2/a/ctr/memory.max"), "max", "v2 memory -1 → max");
  is_str (rd ("v2/a/ctr/memory.swap.max"), "max", "v2 memory -1 → swap max too");
  ok_apply (cg, "{\"memory\": {\"limit\": 1000000, \"swap\": 1000000}}", true, "v2 memory: swap = limit");
  is_str (rd ("v2/a/ctr/memory.swap.max"), "0", "v2 swap equal to the limit → no swap");
  mk ("v2/a/ctr/memory.max", "50000000\n");
  ok_apply (cg, "{\"memory\": {\"swap\": 80000000}}", true, "v2 memory: swap alone on update");
  is_str (rd ("v2/a/ctr/memory.swap.max"), "30000000", "v2 swap alone converts against the current memory.max");
  bad_apply (cg, "{\"memory\": {\"limit\": 4096, \"checkBeforeUpdate\": true}}", true,
             ".linux.resources.memory.limit:", "below the current usage", "v2 memory: checkBeforeUpdate");

  ok_apply (cg, "{\"cpu\": {\"shares\": 1024, \"quota\": 50000, \"period\": 100000, \"burst\": 1000, \"idle\": 0}}",
            true, "v2 cpu: apply");
  is_str (rd ("v2/a/ctr/cpu.weight"), "39", "v2 shares 1024 → cpu.weight 39");
  is_str (rd ("v2/a/ctr/cpu.max"), "50000 100000", "v2 quota/period → cpu.max");
  is_str (rd ("v2/a/ctr/cpu.max.burst"), "1000", "v2 burst → cpu.max.burst");
  is_str (rd ("v2/a/ctr/cpu.idle"), "0", "v2 idle → cpu.idle");
  ok_apply (cg, "{\"cpu\": {\"shares\": 2}}", true, "v2 shares 2");
  is_str (rd ("v2/a/ctr/cpu.weight"), "1", "v2 shares 2 → weight 1");
  ok_apply (cg, "{\"cpu\": {\"shares\": 262144}}", true, "v2 shares max");
  is_str (rd ("v2/a/ctr/cpu.weight"), "10000", "v2 shares 262144 → weight 10000");
  ok_apply (cg, "{\"cpu\": {\"period\": 250000}}", true, "v2 period alone");
  is_str (rd ("v2/a/ctr/cpu.max"), "50000 250000", "v2 period alone keeps the current quota");
  ok_apply (cg, "{\"cpu\": {\"quota\": -1}}", true, "v2 quota -1");
  is_str (rd ("v2/a/ctr/cpu.max"), "max", "v2 quota -1 → max");
  bad_apply (cg, "{\"cpu\": {\"realtimeRuntime\": 1000}}", true,
             ".linux.resources.cpu.realtimeRuntime:", "not supported on cgroup v2", "v2 realtime refused");
  ok_apply (cg, "{\"cpu\": {\"cpus\": \"1\", \"mems\": \"0\"}}", true, "v2 cpuset");
  is_str (rd ("v2/a/ctr/cpuset.cpus"), "1", "v2 cpus → cpuset.cpus");
  is_str (rd ("v2/a/ctr/cpuset.mems"), "0", "v2 mems → cpuset.mems");
  bad_apply (cg, "{\"cpu\": {\"cpus\": \"0-2\"}}", true, ".linux.resources.cpu.cpus: 2 is out of range",
             "available: \"0-1\"", "v2 cpuset out of the parent's cpuset.cpus.effective refused");

  ok_apply (
      cg,
      "{\"blockIO\": {\"weight\": 500, \"weightDevice\": [{\"major\": 8, \"minor\": 0, \"weight\": 1000}], "
      "\"throttleReadBpsDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 1048576}], \"throttleWriteIOPSDevice\": "
      "[{\"major\": 8, \"minor\": 16, \"rate\": 100}]}}",
      true, "v2 io: apply");
  const char *w = rd ("v2/a/ctr/io.weight");
  ok (w && strcmp (w, "4950") != 0 && strstr (w, "8:0 10000\n"), "v2 weightDevice → io.weight \"8:0 10000\"");
  is_str (rd ("v2/a/ctr/io.max"), "8:0 rbps=1048576\n8:16 wiops=100\n", "v2 throttles → io.max");
  ok_apply (cg, "{\"blockIO\": {\"weight\": 500}}", true, "v2 io weight");
  is_str (rd ("v2/a/ctr/io.weight"), "4950", "v2 blkio weight 500 → io.weight 4950");
  ok_apply (cg, "{\"blockIO\": {\"weight\": 10}}", true, "v2 io weight 10");
  is_str (rd ("v2/a/ctr/io.weight"), "1", "v2 blkio weight 10 → io.weight 1");
  ok_apply (cg, "{\"blockIO\": {\"weight\": 1000}}", true, "v2 io weight 1000");
  is_str (rd ("v2/a/ctr/io.weight"), "10000", "v2 blkio weight 1000 → io.weight 10000");
  mk ("v2/a/ctr/io.bfq.weight", "");
  ok_apply (cg, "{\"blockIO\": {\"weight\": 500}}", true, "v2 io weight with BFQ");
  is_str (rd ("v2/a/ctr/io.bfq.weight"), "500", "v2 with BFQ: io.bfq.weight takes the blkio weight as is");

  ok_apply (cg, "{\"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 2097152}]}", true, "v2 hugetlb");
  is_str (rd ("v2/a/ctr/hugetlb.2MB.max"), "2097152", "v2 hugetlb → hugetlb.2MB.max");
  ok_apply (cg, "{\"rdma\": {\"mlx4_0\": {\"hcaHandles\": 2, \"hcaObjects\": 2000}}}", true, "v2 rdma");
  is_str (rd ("v2/a/ctr/rdma.max"), "mlx4_0 hca_handle=2 hca_object=2000\n", "v2 rdma → rdma.max");
  ok_apply (cg, "{\"unified\": {\"memory.high\": \"50000000\"}}", true, "v2 unified");
  is_str (rd ("v2/a/ctr/memory.high"), "50000000", "v2 unified written verbatim");
  bad_apply (cg, "{\"unified\": {\"memory.nope\": \"1\"}}", true,
             ".linux.resources.unified[\"memory.nope\"]: write memory.nope (1): No such file", NULL,
             "v2 unified: a missing file names the key");
  bad_apply (cg, "{\"unified\": {\"a/b.c\": \"1\"}}", true, ".linux.resources.unified[\"a/b.c\"]: not a cgroup", NULL,
             "v2 unified: a key with / refused");
  bad_apply (cg, "{\"network\": {\"classID\": 1}}", true, ".linux.resources.network:", "cgroup v2",
             "v2 network refused");
  bad_apply (cg, "{}", false, ".linux.resources.devices: attach the eBPF device filter", NULL,
             "v2 create on a non-cgroup directory: the device filter error names the field");

  /* freezer */
  mk ("v2/a/ctr/cgroup.events", "populated 1\nfrozen 1\n");
  ok (lcr_cgroup_freeze (cg, true, &err) == 0, "v2 freeze");
  is_str (rd ("v2/a/ctr/cgroup.freeze"), "1", "v2 freeze writes cgroup.freeze 1");
  ok (lcr_cgroup_is_frozen (cg), "v2 is_frozen");
  mk ("v2/a/ctr/cgroup.events", "populated 1\nfrozen 0\n");
  ok (lcr_cgroup_freeze (cg, false, &err) == 0, "v2 thaw");
  is_str (rd ("v2/a/ctr/cgroup.freeze"), "0", "v2 thaw writes cgroup.freeze 0");

  /* stats */
  reset_v2 ();
  struct lcr_cgroup_stats st;
  ok (lcr_cgroup_stats (cg, &st, &err) == 0, "v2 stats");
  is_int (st.cpu.total, 5000, "v2 stats cpu usage (µs → ns)");
  is_int (st.cpu.user, 3000, "v2 stats cpu user");
  is_int (st.cpu.throttled_time, 7000, "v2 stats throttled time");
  is_int (st.memory.usage.usage, 1048576, "v2 stats memory.current");
  is_int (st.memory.usage.max, 2097152, "v2 stats memory.peak");
  ok (st.memory.usage.limit == UINT64_MAX, "v2 stats memory.max max → UINT64_MAX");
  is_int (st.memory.usage.failcnt, 9, "v2 stats failcnt from memory.events max");
  is_int (st.memory.swap.usage, 1048576 + 4096, "v2 stats swap reported as memory+swap");
  is_int (st.memory.cache, 4096, "v2 stats cache = file");
  is_int (st.memory.oom_kill, 1, "v2 stats oom_kill");
  is_int (st.pids.current, 2, "v2 stats pids");
  is_int (st.blkio.io_service_bytes_recursive_len, 2, "v2 stats io bytes entries");
  ok (st.blkio.io_service_bytes_recursive_len == 2 && st.blkio.io_service_bytes_recursive[1].value == 8192
          && strcmp (st.blkio.io_service_bytes_recursive[1].op, "Write") == 0,
      "v2 stats io wbytes → Write");
  is_int (st.hugetlb_len, 1, "v2 stats hugetlb sizes");
  lcr_cgroup_stats_free (&st);

  /* OOM watch: inotify on memory.events */
  struct lcr_cgroup_oom_watch ow;
  uint64_t n = 0;
  if (ok (lcr_cgroup_oom_watch (cg, &ow, &err) == 0, "v2 oom watch"))
    {
      mk ("v2/a/ctr/memory.events", "low 0\nhigh 0\nmax 9\noom 3\noom_kill 3\n");
      struct pollfd pfd = {ow.fd, POLLIN, 0};
      ok (poll (&pfd, 1, 2000) == 1, "v2 oom watch: the fd wakes up on memory.events");
      ok (lcr_cgroup_oom_read (&ow, &n, &err) == 0 && n == 2, "v2 oom read: two new OOM kills");
      lcr_cgroup_oom_unwatch (&ow);
    }
}

/* ---------------------------------------------------------------- pure helpers */

static void
test_helpers (void)
{
  is_int (lcr_cgroup_shares_to_weight (0), 0, "shares 0 → weight 0 (unset)");
  is_int (lcr_cgroup_shares_to_weight (1024), 39, "shares 1024 → 39");
  is_int (lcr_cgroup_blkio_to_io_weight (100), 910, "blkio 100 → io 910");
  int64_t s = 0;
  lcr_error_t err = NULL;
  ok (lcr_cgroup_swap_v2 (200, 100, &s, &err) == 0 && s == 100, "swap 200 / limit 100 → 100");
  ok (lcr_cgroup_swap_v2 (200, 0, &s, &err) < 0 && strstr (err->msg, ".linux.resources.memory.swap"),
      "swap without a limit refused");
  lcr_error_release (&err);
  static uint8_t set[LCR_CPUSET_BITS / 8];
  ok (lcr_cpulist_parse ("0-2,5,7-8\n", set, LCR_CPUSET_BITS) == 0 && set[0] == 0xa7 && set[1] == 0x01,
      "cpu list parsed");
  ok (lcr_cpulist_parse ("1,", set, LCR_CPUSET_BITS) < 0, "trailing comma refused");
  ok (lcr_cpulist_parse ("99999", set, LCR_CPUSET_BITS) < 0, "cpu beyond the bitmap refused");

  /* the eBPF program: rules last-first, a catch-all ends it */
  struct lcr_dev_rule rules[] = {
      {false, 'a', -1, -1, "rwm"},
      {true, 'c', 1, 3, "rwm"},
      {true, 'c', 136, -1, "rw"},
  };
  size_t n;
  struct bpf_insn *p = lcr_ebpf_device_program (rules, 3, &n);
  /* 6 prologue + (1 type + 3 access + 1 major + 2) + (1 + 1 + 1 + 2) + 2 (deny-all) */
  is_int (n, 6 + 7 + 5 + 2, "eBPF program length");
  free (p);
  struct lcr_dev_rule allow_all[] = {{true, 'a', -1, -1, "rwm"}, {false, 'c', 1, 5, "rwm"}};
  p = lcr_ebpf_device_program (allow_all, 2, &n);
  is_int (n, 6 + 5 + 2, "eBPF program: allow-all ends it, no unreachable epilogue");
  free (p);
}

/* ---------------------------------------------------------------- real v1 (root) */

static bool
is_fs (const char *path, long magic)
{
  struct statfs sfs;
  return statfs (path, &sfs) == 0 && (magic == 0 || (long)sfs.f_type == magic);
}

static pid_t
child_in (struct lcr_cgroup *cg, int (*fn) (void))
{
  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    return -1;
  pid_t pid = fork ();
  if (pid == 0)
    {
      char c;
      close (p[1]);
      if (read (p[0], &c, 1) != 1)
        _exit (99);
      _exit (fn ());
    }
  close (p[0]);
  lcr_error_t err = NULL;
  if (lcr_cgroup_enter (cg, pid, &err) < 0)
    {
      printf ("# enter: %s\n", err->msg);
      lcr_error_release (&err);
    }
  ok (write (p[1], "x", 1) == 1, "child %d entered the cgroup", pid);
  close (p[1]);
  return pid;
}

static int
eat_memory (void)
{
  /* 64 MiB under a 16 MiB limit (no swap): the OOM killer's */
  size_t len = 64 << 20;
  char *m = mmap (NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED)
    return 2;
  for (size_t i = 0; i < len; i += 4096)
    m[i] = 1;
  return 0;
}

static int
spin (void)
{
  for (;;)
    pause ();
  return 0;
}

static int
wait_status (pid_t pid)
{
  int st = 0;
  waitpid (pid, &st, 0);
  return st;
}

static char *
host_file (const char *h, const char *path, const char *file)
{
  static char buf[4096];
  char p[4096], *s = NULL;
  snprintf (p, sizeof p, "/sys/fs/cgroup/%s%s/%s", h, path, file);
  buf[0] = '\0';
  if (lcr_read_file (p, &s, NULL, NULL) == 0)
    {
      snprintf (buf, sizeof buf, "%s", s);
      buf[strcspn (buf, "\n")] = '\0';
      free (s);
    }
  return buf;
}

static void
test_v1_real (void)
{
  lcr_error_t err = NULL;
  struct lcr_cgroup *cg = NULL;
  char id[64];
  if (geteuid () != 0 || !is_fs ("/sys/fs/cgroup/memory", CGROUP_SUPER_MAGIC))
    {
      printf ("ok %d - # SKIP real v1: needs root and v1 hierarchies\n", ++tap_n);
      return;
    }
  snprintf (id, sizeof id, "berth-unit-%d", getpid ());
  if (!ok (lcr_cgroup_new ("/sys/fs/cgroup", id, NULL, &cg, &err) == 0 && lcr_cgroup_create (cg, &err) == 0,
           "real v1: create"))
    return;
  ok_apply (cg,
            "{\"devices\": [{\"allow\": false, \"access\": \"rwm\"}], \"memory\": {\"limit\": 16777216, \"swap\": "
            "16777216, \"reservation\": 8388608, \"swappiness\": 0}, \"cpu\": {\"shares\": 512, \"quota\": 20000, "
            "\"period\": 100000, \"cpus\": \"0\", \"mems\": \"0\"}, \"pids\": {\"limit\": 16}}",
            false, "real v1: apply");
  is_str (host_file ("memory", cg->path, "memory.limit_in_bytes"), "16777216", "real v1: memory.limit_in_bytes");
  is_str (host_file ("memory", cg->path, "memory.memsw.limit_in_bytes"), "16777216",
          "real v1: memory.memsw.limit_in_bytes");
  is_str (host_file ("memory", cg->path, "memory.soft_limit_in_bytes"), "8388608",
          "real v1: memory.soft_limit_in_bytes");
  is_str (host_file ("cpu", cg->path, "cpu.shares"), "512", "real v1: cpu.shares");
  is_str (host_file ("cpu", cg->path, "cpu.cfs_quota_us"), "20000", "real v1: cpu.cfs_quota_us");
  is_str (host_file ("cpuset", cg->path, "cpuset.cpus"), "0", "real v1: cpuset.cpus");
  is_str (host_file ("pids", cg->path, "pids.max"), "16", "real v1: pids.max");
  cleanup_free char *list = NULL, *lpath = NULL;
  xasprintf (&lpath, "/sys/fs/cgroup/devices%s/devices.list", cg->path);
  lcr_read_file (lpath, &list, NULL, NULL);
  ok (list && strstr (list, "b *:* m\n") && strstr (list, "c 1:5 rwm\n") && !strstr (list, "a *:*"),
      "real v1: devices whitelist");
  bad_apply (cg, "{\"cpu\": {\"cpus\": \"0-4095\"}}", true, ".linux.resources.cpu.cpus:", "out of range",
             "real v1: cpuset beyond the host refused");
  bad_apply (cg, "{\"memory\": {\"limit\": 67108864}}", true,
             ".linux.resources.memory.limit: write memory.limit_in_bytes (67108864): Invalid argument", NULL,
             "real v1: the kernel's refusal (limit above memsw) names the field");
  /* update raises memory+swap before the limit */
  ok_apply (cg, "{\"memory\": {\"limit\": 33554432, \"swap\": 67108864}}", true, "real v1: update raises both");
  is_str (host_file ("memory", cg->path, "memory.memsw.limit_in_bytes"), "67108864", "real v1: memsw raised first");
  ok_apply (cg, "{\"memory\": {\"limit\": 16777216, \"swap\": 16777216}}", true, "real v1: update lowers both");
  is_str (host_file ("memory", cg->path, "memory.limit_in_bytes"), "16777216", "real v1: limit lowered first");

  /* OOM: eventfd fires, the child is killed */
  struct lcr_cgroup_oom_watch ow;
  if (ok (lcr_cgroup_oom_watch (cg, &ow, &err) == 0, "real v1: OOM watch"))
    {
      pid_t pid = child_in (cg, eat_memory);
      int st = wait_status (pid);
      ok (WIFSIGNALED (st) && WTERMSIG (st) == SIGKILL, "real v1: a hungry child is OOM-killed");
      struct pollfd pfd = {ow.fd, POLLIN, 0};
      uint64_t n = 0;
      ok (poll (&pfd, 1, 2000) == 1 && lcr_cgroup_oom_read (&ow, &n, &err) == 0 && n >= 1,
          "real v1: the OOM eventfd reports it");
      struct lcr_cgroup_stats st2;
      lcr_cgroup_stats (cg, &st2, &err);
      if (!ok (st2.memory.oom_kill >= 1, "real v1: stats count the OOM kill"))
        printf ("#   oom_kill %llu failcnt %llu\n", (unsigned long long)st2.memory.oom_kill,
                (unsigned long long)st2.memory.usage.failcnt);
      lcr_cgroup_stats_free (&st2);
      lcr_cgroup_oom_unwatch (&ow);
    }

  /* freezer on a live process */
  pid_t pid = child_in (cg, spin);
  ok (lcr_cgroup_freeze (cg, true, &err) == 0, "real v1: freeze");
  is_str (host_file ("freezer", cg->path, "freezer.state"), "FROZEN", "real v1: freezer.state FROZEN");
  ok (lcr_cgroup_is_frozen (cg), "real v1: is_frozen");
  ok (lcr_cgroup_freeze (cg, false, &err) == 0 && !lcr_cgroup_is_frozen (cg), "real v1: thaw");
  struct lcr_cgroup_stats st;
  ok (lcr_cgroup_stats (cg, &st, &err) == 0 && st.pids.current == 1 && st.pids.limit == 16
          && st.memory.usage.limit == 16777216 && st.memory.raw_len > 0,
      "real v1: stats");
  lcr_cgroup_stats_free (&st);
  kill (pid, SIGKILL);
  wait_status (pid);
  ok (lcr_cgroup_destroy (cg, &err) == 0, "real v1: destroy");
  lcr_cgroup_free (cg);
}

/* ---------------------------------------------------------------- real cgroup2 (root) */

static int
open_dev (const char *dev, int flags)
{
  int fd = open (dev, flags | O_CLOEXEC);
  if (fd < 0)
    return errno;
  close (fd);
  return 0;
}

static int
probe_devices (void)
{
  /* bit 0: /dev/null read ok, 1: /dev/null write ok, 2: /dev/zero read ok, 3: /dev/full rw ok */
  int r = 0;
  r |= open_dev ("/dev/null", O_RDONLY) == 0 ? 1 : 0;
  r |= open_dev ("/dev/null", O_WRONLY) == 0 ? 2 : 0;
  r |= open_dev ("/dev/zero", O_RDONLY) == 0 ? 4 : 0;
  r |= open_dev ("/dev/full", O_RDWR) == 0 ? 8 : 0;
  return r;
}

static int
run_probe (struct lcr_cgroup *cg)
{
  pid_t pid = child_in (cg, probe_devices);
  int st = wait_status (pid);
  return WIFEXITED (st) ? WEXITSTATUS (st) : -1;
}

static bool
word_in_list (const char *list, const char *w)
{
  size_t wl = strlen (w);
  for (const char *p = list; (p = strstr (p, w)); p += wl)
    if ((p == list || p[-1] == ' ') && (p[wl] == ' ' || p[wl] == '\n' || p[wl] == '\0'))
      return true;
  return false;
}

static void
test_v2_real (void)
{
  const char *root = "/sys/fs/cgroup/unified";
  lcr_error_t err = NULL;
  char path[64];
  if (geteuid () != 0 || !is_fs (root, CGROUP2_SUPER_MAGIC))
    {
      printf ("ok %d - # SKIP real cgroup2: needs root and a cgroup2 mount at %s\n", ++tap_n, root);
      return;
    }
  snprintf (path, sizeof path, "/berth-unit-%d", getpid ());
  struct lcr_cgroup *cg = NULL;
  if (!ok (lcr_cgroup_load (root, path, &cg, &err) == 0 && cg->kind == LCR_CGROUP_V2
               && lcr_cgroup_create (cg, &err) == 0,
           "real cgroup2: create"))
    return;
  cleanup_free char *dir = NULL;
  xasprintf (&dir, "%s%s", root, path);

  /* the device filter, straight from rules */
  struct lcr_dev_rule r1[] = {{false, 'a', -1, -1, "rwm"}, {true, 'c', 1, 3, "rwm"}, {false, 'c', 1, 3, "w"}};
  ok (lcr_ebpf_apply_devices (dir, r1, 3, &err) == 0, "real eBPF: attach");
  is_int (run_probe (cg), 1, "real eBPF: /dev/null readable not writable, the rest denied");
  struct lcr_dev_rule r2[] = {{true, 'a', -1, -1, "rwm"}, {false, 'c', 1, 5, "r"}};
  ok (lcr_ebpf_apply_devices (dir, r2, 2, &err) == 0, "real eBPF: replace");
  is_int (run_probe (cg), 1 | 2 | 8, "real eBPF: replaced, only /dev/zero read denied");
  /* through apply: deny-all in the spec, runc's defaults after it */
  const char *huge = access ("/sys/kernel/mm/hugepages/hugepages-2048kB", F_OK) == 0 ? "2MB" : NULL;
  char json[512];
  snprintf (json, sizeof json,
            "{\"devices\": [{\"allow\": false, \"access\": \"rwm\"}, {\"allow\": false, \"type\": \"c\", \"major\": "
            "1, \"minor\": 7, \"access\": \"rwm\"}]%s%s%s}",
            huge ? ", \"hugepageLimits\": [{\"pageSize\": \"" : "", huge ? huge : "",
            huge ? "\", \"limit\": 4194304}]" : "");
  cleanup_free char *before = NULL;
  lcr_cgr (root, "cgroup.subtree_control", &before);
  ok_apply (cg, json, false, "real cgroup2: apply");
  /* defaults come after the spec's rules: /dev/full (1:7) is allowed again, as runc does */
  is_int (run_probe (cg), 1 | 2 | 4 | 8, "real cgroup2: default devices allowed");
  if (huge)
    {
      cleanup_free char *v = NULL;
      lcr_cgr (dir, "hugetlb.2MB.max", &v);
      ok (v && strncmp (v, "4194304", 7) == 0, "real cgroup2: hugetlb.2MB.max (controller enabled by apply)");
    }
  /* freeze a live process */
  pid_t pid = child_in (cg, spin);
  ok (lcr_cgroup_freeze (cg, true, &err) == 0, "real cgroup2: freeze");
  uint64_t frozen = 0;
  lcr_cgr_keyed (dir, "cgroup.events", "frozen", &frozen);
  ok (frozen == 1 && lcr_cgroup_is_frozen (cg), "real cgroup2: cgroup.events frozen 1");
  ok (lcr_cgroup_freeze (cg, false, &err) == 0 && !lcr_cgroup_is_frozen (cg), "real cgroup2: thaw");
  kill (pid, SIGKILL);
  wait_status (pid);
  ok (lcr_cgroup_destroy (cg, &err) == 0, "real cgroup2: destroy");
  /* leave the host's root as it was */
  if (huge && before && !word_in_list (before, "hugetlb"))
    lcr_cgw (root, "cgroup.subtree_control", "-hugetlb", "", NULL);
  lcr_cgroup_free (cg);
}

int
main (void)
{
  if (mkdtemp (tmp) == NULL)
    return 1;
  test_helpers ();
  test_v1_fake ();
  test_v2_fake ();
  test_v1_real ();
  test_v2_real ();
  lcr_rm_rf_at (AT_FDCWD, tmp, NULL);
  return done_testing ();
}
