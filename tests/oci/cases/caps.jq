# A reduced, uneven capability set as root with noNewPrivileges: the kernel keeps
# permitted within what the runtime set, and ambient within permitted & inheritable.
.process.capabilities = {
  "bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW", "CAP_SETUID", "CAP_SETGID", "CAP_SYS_CHROOT"],
  "effective": ["CAP_CHOWN", "CAP_KILL"],
  "permitted": ["CAP_CHOWN", "CAP_KILL", "CAP_SETUID"],
  "inheritable": ["CAP_KILL", "CAP_SETUID"],
  "ambient": ["CAP_KILL"]
}
