/* berth — the features document (runtime-spec features.md): only what berth
 * really does.  Grows with each feature as it lands. */
#define _GNU_SOURCE
#include <string.h>

#include "config.h"

#include "container.h"
#include "utils.h"

static const char features_json[]
    = "{\n"
      "  \"ociVersionMin\": \"1.0.0\",\n"
      "  \"ociVersionMax\": \"1.2.0\",\n"
      "  \"hooks\": [],\n"
      "  \"mountOptions\": [\n"
      "    \"async\", \"atime\", \"bind\", \"dev\", \"diratime\", \"dirsync\", \"exec\", \"idmap\", \"lazytime\", "
      "\"mand\",\n"
      "    \"noatime\", \"nodev\", \"nodiratime\", \"noexec\", \"nolazytime\", \"nomand\", \"norelatime\",\n"
      "    \"nostrictatime\", \"nosuid\", \"nosymfollow\", \"private\", \"rbind\", \"rdev\", \"rdiratime\", "
      "\"relatime\",\n"
      "    \"remount\", \"rexec\", \"ridmap\", \"rnodev\", \"rnodiratime\", \"rnoexec\", \"rnosuid\", "
      "\"rnosymfollow\", \"ro\",\n"
      "    \"rprivate\", \"rro\", \"rrw\", \"rshared\", \"rslave\", \"rsuid\", \"rsymfollow\", \"runbindable\", "
      "\"rw\",\n"
      "    \"shared\", \"slave\", \"strictatime\", \"suid\", \"symfollow\", \"sync\", \"tmpcopyup\", \"unbindable\"\n"
      "  ],\n"
      "  \"linux\": {\n"
      "    \"namespaces\": [\"cgroup\", \"ipc\", \"mount\", \"network\", \"pid\", \"time\", \"user\", \"uts\"],\n"
      "    \"capabilities\": [\n"
      "      \"CAP_CHOWN\", \"CAP_DAC_OVERRIDE\", \"CAP_DAC_READ_SEARCH\", \"CAP_FOWNER\", \"CAP_FSETID\", "
      "\"CAP_KILL\",\n"
      "      \"CAP_SETGID\", \"CAP_SETUID\", \"CAP_SETPCAP\", \"CAP_LINUX_IMMUTABLE\", \"CAP_NET_BIND_SERVICE\",\n"
      "      \"CAP_NET_BROADCAST\", \"CAP_NET_ADMIN\", \"CAP_NET_RAW\", \"CAP_IPC_LOCK\", \"CAP_IPC_OWNER\",\n"
      "      \"CAP_SYS_MODULE\", \"CAP_SYS_RAWIO\", \"CAP_SYS_CHROOT\", \"CAP_SYS_PTRACE\", \"CAP_SYS_PACCT\",\n"
      "      \"CAP_SYS_ADMIN\", \"CAP_SYS_BOOT\", \"CAP_SYS_NICE\", \"CAP_SYS_RESOURCE\", \"CAP_SYS_TIME\",\n"
      "      \"CAP_SYS_TTY_CONFIG\", \"CAP_MKNOD\", \"CAP_LEASE\", \"CAP_AUDIT_WRITE\", \"CAP_AUDIT_CONTROL\",\n"
      "      \"CAP_SETFCAP\", \"CAP_MAC_OVERRIDE\", \"CAP_MAC_ADMIN\", \"CAP_SYSLOG\", \"CAP_WAKE_ALARM\",\n"
      "      \"CAP_BLOCK_SUSPEND\", \"CAP_AUDIT_READ\", \"CAP_PERFMON\", \"CAP_BPF\", \"CAP_CHECKPOINT_RESTORE\"\n"
      "    ],\n"
      "    \"cgroup\": { \"v1\": true, \"v2\": true, \"systemd\": false, \"systemdUser\": false, \"rdma\": false },\n"
      "    \"seccomp\": { \"enabled\": false },\n"
      "    \"apparmor\": { \"enabled\": false },\n"
      "    \"selinux\": { \"enabled\": false },\n"
      "    \"intelRdt\": { \"enabled\": false },\n"
      "    \"mountExtensions\": { \"idmap\": { \"enabled\": true } }\n"
      "  },\n"
      "  \"annotations\": {\n"
      "    \"io.github.berth.version\": \"" PACKAGE_VERSION "\"\n"
      "  }\n"
      "}\n";

char *
lcr_features_json (void)
{
  return xstrdup (features_json);
}
