#!/bin/bash
# Companion setup of the .jq case of the same name; env BUNDLE and ROOTFS are set by run.sh.
mkdir -p "$ROOTFS/secret-dir/sub" "$ROOTFS/ro-dir"
echo secret > "$ROOTFS/secret-dir/file"
echo secret > "$ROOTFS/secret-file"
echo ro > "$ROOTFS/ro-file"
