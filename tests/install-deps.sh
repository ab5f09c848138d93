#!/bin/sh
# Install what building and testing berth needs, from Debian 12's packages.
# Run as root.  Used by the README's first command and by CI.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends \
  gcc make libc6-dev autoconf automake libtool pkg-config \
  libseccomp-dev libcap-dev libyajl-dev libsystemd-dev \
  bats busybox-static jq iproute2 util-linux procps python3 clang-format libcap2-bin podman catatonit runc crun containerd \
  valgrind clang libclang-rt-dev \
  libarchive-dev libssl-dev libyaml-dev libcurl4-openssl-dev libmnl-dev libnftables-dev nftables zstd skopeo umoci strace \
  docker-registry apache2-utils scdoc mandoc
# the tests run their own registries on 127.0.0.1; the package's service listens on every interface
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now docker-registry >/dev/null 2>&1 || true; fi
