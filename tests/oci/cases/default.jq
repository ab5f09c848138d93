# The base bundle of tests/make-bundle.sh as it is: new pid, net, ipc, uts, mount and
# cgroup namespaces, read-only root, the usual mounts, masked and readonly paths,
# three capabilities, an rlimit, noNewPrivileges.
.
