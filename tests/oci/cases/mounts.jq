# Extra mounts: tmpfs with size/mode/flags, atime flags, bind mounts of host
# directories and a file (created in the bundle by mounts.sh), read-only and not.
.mounts += [
  { "destination": "/scratch", "type": "tmpfs", "source": "scratch",
    "options": ["nosuid", "nodev", "noexec", "size=1m", "mode=1770"] },
  { "destination": "/scratch-ro", "type": "tmpfs", "source": "tmpfs",
    "options": ["ro", "noatime", "size=4096k", "mode=0700", "nr_inodes=100", "uid=1000", "gid=1000"] },
  { "destination": "/scratch-atime", "type": "tmpfs", "source": "tmpfs", "options": ["strictatime", "nodiratime"] },
  { "destination": "/data", "type": "bind", "source": ($bundle + "/hostdir"), "options": ["rbind", "ro", "nosuid", "nodev"] },
  { "destination": "/data-rw", "type": "none", "source": "hostdir", "options": ["bind", "rw", "noexec", "rprivate"] },
  { "destination": "/etc/host-file", "type": "bind", "source": ($bundle + "/hostfile"), "options": ["bind", "ro"] },
  { "destination": "/deep/er/dir", "type": "tmpfs", "source": "tmpfs", "options": ["exec", "suid", "dev"] }
]
