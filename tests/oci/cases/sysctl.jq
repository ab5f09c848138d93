# Namespaced sysctls in a new network and ipc namespace.
.linux.sysctl = { "net.ipv4.ip_forward": "1", "kernel.shmmax": "1234567", "kernel.msgmax": "4096",
                  "net.ipv4.ping_group_range": "0 2147483647" }
