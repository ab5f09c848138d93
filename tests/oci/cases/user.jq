# A non-root user with extra groups and a umask, started in /tmp.  Inheritable
# capabilities let the ambient set survive execve for a non-root user.
.process.user = { "uid": 1000, "gid": 1000, "additionalGids": [2000, 3000, 1000], "umask": 63 }
| .process.cwd = "/tmp"
| .process.capabilities.inheritable = .process.capabilities.ambient
