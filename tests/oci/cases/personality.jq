# linux.personality: a 32-bit uname in a 64-bit container.
.linux.personality = { "domain": "LINUX32" }
