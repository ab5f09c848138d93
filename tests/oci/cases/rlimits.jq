# rlimits within the current hard limits (this host's bounding set lacks CAP_SYS_RESOURCE).
.process.rlimits = [
  { "type": "RLIMIT_NOFILE", "soft": 512, "hard": 1024 },
  { "type": "RLIMIT_NPROC", "soft": 1000, "hard": 2000 },
  { "type": "RLIMIT_CORE", "soft": 0, "hard": 0 },
  { "type": "RLIMIT_MSGQUEUE", "soft": 4096, "hard": 8192 },
  { "type": "RLIMIT_FSIZE", "soft": 1048576, "hard": 2097152 }
]
