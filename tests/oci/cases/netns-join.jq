# Join a network namespace by path (the runner makes one and binds $netns to it).
.linux.namespaces |= map(if .type == "network" then { "type": "network", "path": $netns } else . end)
