#!/bin/sh
# old-kernel.sh RUNTIME ARGS...: RUNTIME as on a kernel older than 5.3, so that its fallbacks are
# tested on this one: a seccomp filter (inherited by all it starts) makes the system calls newer
# kernels added fail with ENOSYS, as an old kernel - or valgrind 3.19 - does.  The filter leaves
# no_new_privs alone (we are root), so the container's own setting still shows.
#   printf '#!/bin/sh\nexec %s %s "$@"\n' "$PWD/tests/old-kernel.sh" "$PWD/berth" >/tmp/berth-old
#   chmod +x /tmp/berth-old; RUNTIME=/tmp/berth-old bats tests/bats/lifecycle.bats
# (a wrapper with the runtime written in, since podman and containerd clear the environment).
# NOSYS="a b" replaces the list.
exec python3 -c '
import ctypes, os, sys
lib = ctypes.CDLL("libseccomp.so.2")
lib.seccomp_init.restype = ctypes.c_void_p
ctx = ctypes.c_void_p(lib.seccomp_init(0x7FFF0000))  # SCMP_ACT_ALLOW
assert lib.seccomp_attr_set(ctx, 3, 0) == 0  # SCMP_FLTATR_CTL_NNP off
for name in os.environ.get("NOSYS", "").split() or [
        "openat2",             # 5.6
        "pidfd_open",          # 5.3
        "pidfd_send_signal",   # 5.1
        "pidfd_getfd",         # 5.6
        "clone3",              # 5.3
        "close_range",         # 5.9
]:
    nr = lib.seccomp_syscall_resolve_name(name.encode())
    if lib.seccomp_rule_add(ctx, 0x00050000 | 38, nr, 0) != 0:  # SCMP_ACT_ERRNO(ENOSYS)
        sys.exit("old-kernel.sh: cannot filter " + name)
if lib.seccomp_load(ctx) != 0:
    sys.exit("old-kernel.sh: seccomp_load failed")
os.execv(sys.argv[1], sys.argv[1:])
' "$@"
