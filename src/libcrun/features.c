/* berth — the features document (runtime-spec features.md): only what berth
 * really does.  Grows with each feature as it lands. */
#define _GNU_SOURCE
#include <seccomp.h>
#include <stdio.h>
#include <string.h>

#include "berth-commit.h"
#include "config.h"

#include "container.h"
#include "utils.h"

static const char features_json[]
    = "{\n"
      "  \"ociVersionMin\": \"1.0.0\",\n"
      "  \"ociVersionMax\": \"1.2.0\",\n"
      "  \"hooks\": [\"prestart\", \"createRuntime\", \"createContainer\", \"startContainer\", \"poststart\", "
      "\"poststop\"],\n"
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
      "    \"cgroup\": { \"v1\": true, \"v2\": true, \"systemd\": true, \"systemdUser\": false, \"rdma\": false },\n"
      "    \"seccomp\": {\n"
      "      \"enabled\": true,\n"
      "      \"actions\": [\"SCMP_ACT_ALLOW\", \"SCMP_ACT_ERRNO\", \"SCMP_ACT_KILL\", \"SCMP_ACT_KILL_PROCESS\",\n"
      "                  \"SCMP_ACT_KILL_THREAD\", \"SCMP_ACT_LOG\", \"SCMP_ACT_NOTIFY\", \"SCMP_ACT_TRACE\", "
      "\"SCMP_ACT_TRAP\"],\n"
      "      \"operators\": [\"SCMP_CMP_EQ\", \"SCMP_CMP_GE\", \"SCMP_CMP_GT\", \"SCMP_CMP_LE\", \"SCMP_CMP_LT\",\n"
      "                    \"SCMP_CMP_MASKED_EQ\", \"SCMP_CMP_NE\"],\n"
      "      \"archs\": [\"SCMP_ARCH_AARCH64\", \"SCMP_ARCH_ARM\", \"SCMP_ARCH_MIPS\", \"SCMP_ARCH_MIPS64\",\n"
      "                \"SCMP_ARCH_MIPS64N32\", \"SCMP_ARCH_MIPSEL\", \"SCMP_ARCH_MIPSEL64\", "
      "\"SCMP_ARCH_MIPSEL64N32\",\n"
      "                \"SCMP_ARCH_PPC\", \"SCMP_ARCH_PPC64\", \"SCMP_ARCH_PPC64LE\", \"SCMP_ARCH_RISCV64\",\n"
      "                \"SCMP_ARCH_S390\", \"SCMP_ARCH_S390X\", \"SCMP_ARCH_X32\", \"SCMP_ARCH_X86\", "
      "\"SCMP_ARCH_X86_64\"],\n"
      "      \"knownFlags\": [\"SECCOMP_FILTER_FLAG_TSYNC\", \"SECCOMP_FILTER_FLAG_LOG\", "
      "\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\",\n"
      "                     \"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"],\n"
      "      \"supportedFlags\": [\"SECCOMP_FILTER_FLAG_TSYNC\", \"SECCOMP_FILTER_FLAG_LOG\", "
      "\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\",\n"
      "                         \"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"]\n"
      "    },\n"
      "    \"apparmor\": { \"enabled\": false },\n"
      "    \"selinux\": { \"enabled\": false },\n"
      "    \"intelRdt\": { \"enabled\": false },\n"
      "    \"mountExtensions\": { \"idmap\": { \"enabled\": true } }\n"
      "  },\n"
      "  \"annotations\": {\n";

/* What a packager or a bug report needs that the spec's fields don't say:
   the libseccomp berth was linked with (static by default: the build's, not
   the host's), the commit it was built from, and its cgroup drivers. */
char *
lcr_features_json (void)
{
  char *json;
  xasprintf (&json,
             "%s"
             "    \"io.github.seccomp.libseccomp.version\": \"%s\",\n"
             "    \"io.github.berth.version\": \"" PACKAGE_VERSION "\",\n"
             "    \"io.github.berth.commit\": \"%s\",\n"
             "    \"io.github.berth.cgroup.drivers\": \"%s\"\n"
             "  }\n"
             "}\n",
             features_json, lcr_libseccomp_version (), BERTH_COMMIT, LCR_CGROUP_DRIVERS);
  return json;
}

const char *
lcr_libseccomp_version (void)
{
  static char buf[48];
  const struct scmp_version *v = seccomp_version ();
  if (buf[0] == '\0')
    snprintf (buf, sizeof buf, "%u.%u.%u", v->major, v->minor, v->micro);
  return buf;
}
