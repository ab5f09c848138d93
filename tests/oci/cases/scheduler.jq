# process.scheduler, process.ioPriority and execCPUAffinity, with values an unprivileged
# process could set too.
.process.scheduler = { "policy": "SCHED_BATCH", "nice": 5 }
| .process.ioPriority = { "class": "IOPRIO_CLASS_BE", "priority": 6 }
| .process.execCPUAffinity = { "initial": "0", "final": "0" }
