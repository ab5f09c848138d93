#!/bin/bash
# Companion setup of the .jq case of the same name; env BUNDLE and ROOTFS are set by run.sh.
# Bind sources for mounts.jq, inside the bundle so cleanup is rm -rf.
mkdir -p "$BUNDLE/hostdir/sub"
echo data > "$BUNDLE/hostdir/file"
echo host-file > "$BUNDLE/hostfile"
