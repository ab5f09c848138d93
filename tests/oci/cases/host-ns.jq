# Only pid and mount namespaces: network, ipc, uts and cgroup are the runtime's own
# (no hostname: that needs a private uts namespace; no mqueue: that needs a private ipc one).
.linux.namespaces = [{ "type": "pid" }, { "type": "mount" }]
| del(.hostname)
| .mounts |= map(select(.destination != "/dev/mqueue" and .destination != "/sys" and .destination != "/sys/fs/cgroup"))
