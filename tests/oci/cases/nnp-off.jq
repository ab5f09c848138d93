# noNewPrivileges false: NoNewPrivs must be 0.  As root without it, execve gives
# permitted = effective = bounding | inheritable.
.process.noNewPrivileges = false
