# A user namespace: container root is host uid/gid 100000 (the runner chowns the
# rootfs to it); the other namespaces are created inside it.
.linux.namespaces += [{ "type": "user" }]
| .linux.uidMappings = [{ "containerID": 0, "hostID": 100000, "size": 65536 }]
| .linux.gidMappings = [{ "containerID": 0, "hostID": 100000, "size": 65536 }]
