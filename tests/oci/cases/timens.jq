# A time namespace with offsets.
.linux.namespaces += [{ "type": "time" }]
| .linux.timeOffsets = { "monotonic": { "secs": 86400, "nanosecs": 0 }, "boottime": { "secs": 3600, "nanosecs": 500 } }
