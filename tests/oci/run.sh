#!/bin/bash
# tests/oci/run.sh [CASE...]: OCI conformance checks from inside the container.
# A CASE is a name in tests/oci/cases (user, mounts.jq) or a path to a .jq file.
#
# For each tests/oci/cases/NAME.jq (or only the CASEs named), it makes a busybox
# bundle with tests/make-bundle.sh, applies the jq filter to its config.json
# (with $bundle and $netns bound; an optional NAME.sh runs first with BUNDLE and
# ROOTFS set, to prepare files), digests the final config.json into a flat
# expectations file (/oci/expect in the rootfs), copies the static checker to
# /oci/oci-check, and runs `$RUNTIME --root TMP run -b BUNDLE ID` with the checker
# as the process.  The checker's TAP is re-emitted as one stream, renumbered and
# prefixed with the case name, plus one line per case for the runtime's exit status.
#
# Then, if OCI_VALIDATION_DIR names a built opencontainers/runtime-tools checkout,
# runs its validation/*.t tests from there, in the same stream, with RUNTIME a wrapper
# adding a private --root and TMPDIR in our temp dir, cleaning up after each test.  A test
# fails on a failing point, a non-zero exit, or (with no points) anything but a bare plan.
# The last line is "N passed, N failed".
#
# Environment: RUNTIME (default ./berth), OCI_CHECK (default ./tests/oci/oci-check),
# OCI_TIMEOUT (seconds per container, default 60), OCI_VALIDATION_DIR,
# OCI_VALIDATION_TIMEOUT (seconds per validation test, default 300), OCI_KEEP=1
# keeps the temp dir for inspection.  Must run as root.  Exit status 1 if anything failed.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
RUNTIME=${RUNTIME:-./berth}
OCI_CHECK=${OCI_CHECK:-./tests/oci/oci-check}
OCI_TIMEOUT=${OCI_TIMEOUT:-60}

abspath() {
  case $1 in
    */*) (cd "$(dirname "$1")" 2>/dev/null && echo "$(pwd)/$(basename "$1")") ;;
    *) command -v "$1" ;;
  esac
}
runtime=$(abspath "$RUNTIME") || runtime=
checker=$(abspath "$OCI_CHECK") || checker=

n=0 failed=0 todo=0
known=()
# Known failures for this runtime: "TEST-ERE<TAB>REASON" from tests/oci/known-failures.
load_known() {
  local version rt test why
  version=$("$runtime" --version 2>/dev/null | head -n 1)
  while IFS=$'\t' read -r rt test why; do
    case $rt in "#"* | "") continue ;; esac
    [[ $version =~ $rt ]] && known+=("$test"$'\t'"$why")
  done <"$here/known-failures"
}
# report OK DESCRIPTION: one renumbered test line; a known failure gets a TODO directive.
report() {
  local k desc=$2
  n=$((n + 1))
  if [ "$1" = ok ]; then
    echo "ok $n - $desc"
    return 0
  fi
  if ! [[ $desc =~ \#\ *[Tt][Oo][Dd][Oo] ]]; then
    for k in "${known[@]}"; do
      if [[ $desc =~ ${k%%$'\t'*} ]]; then
        # The directive must be the first "#": the got/want diagnostic goes in parentheses.
        [[ $desc == *" # "* ]] && desc="${desc%% # *} (${desc#* # })"
        desc="$desc # TODO known failure: ${k#*$'\t'}"
        break
      fi
    done
  fi
  echo "not ok $n - $desc"
  if [[ $desc =~ \#\ *[Tt][Oo][Dd][Oo] ]]; then
    todo=$((todo + 1))
    return 0
  fi
  failed=$((failed + 1))
  return 1
}
# emit PREFIX < TAP: re-emit test lines renumbered, comments as they are, anything else as a comment.
emit() {
  local prefix=$1 l re='^(not )?ok( +[0-9]+)?( +-)?( +(.*))?$'
  while IFS= read -r l; do
    if [[ $l =~ $re ]]; then
      if [ -n "${BASH_REMATCH[1]}" ]; then
        report fail "$prefix${BASH_REMATCH[5]}"
      else
        report ok "$prefix${BASH_REMATCH[5]}"
      fi
    else
      case $l in
        1..* | "TAP version"* | "") ;;
        "Bail out!"*) result 1 "$prefix$l" ;;
        "#"* | " "*) echo "$l" ;;
        *) echo "# $l" ;;
      esac
    fi
  done
}
# result FAILED DESCRIPTION [DIAGNOSTIC-FILE]
result() {
  if [ "$1" = 0 ]; then
    report ok "$2"
  else
    report fail "$2"
    [ -n "${3:-}" ] && [ -s "$3" ] && sed 's/^/#   /' "$3" | head -n 20
  fi
  return 0
}

tmp=$(mktemp -d /tmp/berth-oci.XXXXXX) || exit 1
state=$tmp/state
netns=$tmp/netns
ids=()
child=
cleanup() {
  trap - EXIT INT TERM HUP
  local id
  for id in "${ids[@]}"; do
    [ -n "$runtime" ] && "$runtime" --root "$state" delete --force "$id" >/dev/null 2>&1
  done
  if [ -n "$child" ]; then
    kill -TERM "$child" 2>/dev/null
    wait "$child" 2>/dev/null
  fi
  validation_cleanup
  if [ -e "$netns" ]; then umount "$netns" 2>/dev/null; fi
  if [ "${OCI_KEEP:-0}" = 1 ]; then echo "# kept $tmp"; else rm -rf --one-file-system "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# A network namespace cases can join by path ($netns in the jq filters).
touch "$netns" && unshare --net="$netns" true 2>/dev/null || rm -f "$netns"

# Flat expectations for oci-check, one per line (see the header of oci-check.c).
digest_jq='
def esc: tostring | gsub("\\\\"; "\\134") | gsub(" "; "\\040") | gsub("\n"; "\\012") | gsub("\t"; "\\011");
def oct: if . < 8 then tostring else ((. / 8 | floor) | oct) + (. % 8 | tostring) end;
def list: if . == null or length == 0 then "-" else map(tostring) | join(",") end;
.process as $p |
( ["userns", (if any(.linux.namespaces[]?; .type == "user") then 1 else 0 end)],
  (if .hostname != null then ["hostname", .hostname] else empty end),
  (if .domainname != null then ["domainname", .domainname] else empty end),
  ["uid", ($p.user.uid // 0)],
  ["gid", ($p.user.gid // 0)],
  ["groups", ($p.user.additionalGids | list)],
  (if $p.user.umask != null then ["umask", ("0" + ($p.user.umask | oct))] else empty end),
  ["cwd", $p.cwd],
  ($p.env // [] | .[] | ["env", .]),
  ["nnp", (if $p.noNewPrivileges then 1 else 0 end)],
  (if $p.capabilities != null then
     ("bounding", "effective", "inheritable", "permitted", "ambient") as $s | ["cap", $s, ($p.capabilities[$s] | list)]
   else empty end),
  ($p.rlimits // [] | .[] | ["rlimit", .type, .soft, .hard]),
  (if $p.oomScoreAdj != null then ["oom", $p.oomScoreAdj] else empty end),
  (.linux.sysctl // {} | to_entries[] | ["sysctl", .key, .value]),
  (.linux.uidMappings // [] | .[] | ["uidmap", .containerID, .hostID, .size]),
  (.linux.gidMappings // [] | .[] | ["gidmap", .containerID, .hostID, .size]),
  ["rootro", (if .root.readonly then 1 else 0 end)],
  (.mounts // [] | .[] | ["mount", .destination, (.type // "none"), (.source // "-"), (.options | list)]),
  (.linux.maskedPaths // [] | .[] | ["masked", .]),
  (.linux.readonlyPaths // [] | .[] | ["readonly", .]),
  (.linux.devices // [] | .[] | ["device", .path, .type, (.major // 0), (.minor // 0), (.fileMode // "-"), (.uid // "-"), (.gid // "-")]),
  (.linux.timeOffsets // {} | to_entries[] | ["timeoffset", .key, (.value.secs // 0), (.value.nanosecs // 0)]),
  (if .linux.personality.domain != null then ["personality", .linux.personality.domain] else empty end),
  (if $p.scheduler != null then ["sched", $p.scheduler.policy, ($p.scheduler.nice // 0), ($p.scheduler.priority // 0)] else empty end),
  (if $p.ioPriority != null then ["ioprio", $p.ioPriority.class, ($p.ioPriority.priority // 0)] else empty end),
  (if $p.execCPUAffinity.final != null then ["cpus", $p.execCPUAffinity.final] else empty end),
  ["defaultdevs"]
) | map(esc) | join(" ")
'

# Namespace expectations: new ones differ from ours, joined ones equal their path's, absent ones equal ours.
ns_lines() {
  local config=$1 t p f
  for t in pid network ipc uts mount cgroup user time; do
    case $t in network) f=net ;; mount) f=mnt ;; *) f=$t ;; esac
    [ -e "/proc/self/ns/$f" ] || continue
    p=$(jq -r --arg t "$t" '[.linux.namespaces[]? | select(.type == $t)] | if length == 0 then "" else (.[0].path // "new") end' "$config")
    case $p in
      "") echo "ns $f same $(stat -L -c %i "/proc/self/ns/$f")" ;;
      new)
        echo "ns $f new $(stat -L -c %i "/proc/self/ns/$f")"
        if [ "$t" = pid ]; then echo pid1; fi
        if [ "$t" = cgroup ]; then echo cgroupns-root; fi ;;
      *) echo "ns $f same $(stat -L -c %i "$p")" ;;
    esac
  done
}

# Bind mounts: the mounted file must be the host file (same device and inode).
bind_lines() {
  local bundle=$1 dest src
  jq -r '.mounts[]? | select(.type == "bind" or ((.options // []) | index("bind") or index("rbind"))) | [.destination, .source] | @tsv' \
    "$bundle/config.json" | while IFS=$'\t' read -r dest src; do
    case $src in /*) ;; *) src=$bundle/$src ;; esac
    echo "bindsrc ${dest// /\\040} $(stat -L -c '%d %i' "$src")"
  done
}

run_case() {
  local jqf=$1 name bundle id rc hostuid hostgid
  name=$(basename "$jqf" .jq)
  bundle=$tmp/$name
  id=berth-oci-$$-$name
  if ! sh "$top/tests/make-bundle.sh" "$bundle" /oci/oci-check /oci/expect >"$tmp/$name.log" 2>&1 ||
    ! mkdir -p "$bundle/rootfs/oci" || ! cp "$checker" "$bundle/rootfs/oci/oci-check" 2>>"$tmp/$name.log"; then
    result 1 "$name: make the bundle" "$tmp/$name.log"
    return
  fi
  if [ -f "${jqf%.jq}.sh" ] && ! BUNDLE=$bundle ROOTFS=$bundle/rootfs bash "${jqf%.jq}.sh" >>"$tmp/$name.log" 2>&1; then
    result 1 "$name: case setup ${jqf%.jq}.sh" "$tmp/$name.log"
    return
  fi
  if ! jq --arg bundle "$bundle" --arg netns "$netns" -f "$jqf" "$bundle/config.json" >"$bundle/config.new" 2>>"$tmp/$name.log" ||
    ! jq '.process.args = ["/oci/oci-check", "/oci/expect"]' "$bundle/config.new" >"$bundle/config.json" 2>>"$tmp/$name.log"; then
    result 1 "$name: apply $jqf" "$tmp/$name.log"
    return
  fi
  { ns_lines "$bundle/config.json" && bind_lines "$bundle" && jq -r "$digest_jq" "$bundle/config.json"; } \
    >"$bundle/rootfs/oci/expect" 2>>"$tmp/$name.log" || {
    result 1 "$name: digest config.json" "$tmp/$name.log"
    return
  }
  chmod 755 "$bundle/rootfs/oci" "$bundle/rootfs/oci/oci-check"
  chmod 644 "$bundle/rootfs/oci/expect"
  # With a user namespace, the rootfs belongs to whoever container root maps to.
  hostuid=$(jq -r '[.linux.uidMappings[]? | select(.containerID == 0)][0].hostID // empty' "$bundle/config.json")
  hostgid=$(jq -r '[.linux.gidMappings[]? | select(.containerID == 0)][0].hostID // empty' "$bundle/config.json")
  if [ -n "$hostuid" ]; then
    chown -R -h "$hostuid:${hostgid:-$hostuid}" "$bundle/rootfs"
    chmod 755 "$tmp" "$bundle"
  fi

  ids+=("$id")
  # In the background so that a signal runs the cleanup trap at once.
  timeout -k 10 "$OCI_TIMEOUT" "$runtime" --root "$state" run -b "$bundle" "$id" \
    </dev/null >"$bundle/tap" 2>"$bundle/stderr" &
  child=$!
  wait "$child"
  rc=$?
  child=
  emit "$name: " <"$bundle/tap"
  if ! grep -Eq '^(not )?ok ' "$bundle/tap"; then
    result 1 "$name: the checker ran and reported" "$bundle/stderr"
  fi
  local why="exit status $rc"
  [ "$rc" = 124 ] && why="timed out after ${OCI_TIMEOUT}s"
  if [ "$rc" = 0 ]; then
    result 0 "$name: $RUNTIME run exited 0"
  else
    result 1 "$name: $RUNTIME run exited 0 # got $why" "$bundle/stderr"
  fi
  "$runtime" --root "$state" delete --force "$id" >/dev/null 2>&1
}

# The validation tests run `$RUNTIME` with its default root and make their bundles
# with os.MkdirTemp: give them a private root through a wrapper, TMPDIR in our temp dir,
# and clean up after each test (containers, mounts, bundles, the cgroups they name).
vdir=$tmp/validation
vstate=$vdir/state
vtmp=$vdir/tmp
vcgroups=()
# Cgroups the validation tests name (cgroups.AbsCgroupPath, RelCgroupPath), innermost first.
test_cgroups() {
  find /sys/fs/cgroup -mindepth 2 -maxdepth 10 -type d \( -name cgrouptest -o -name testdir \) 2>/dev/null | sort -r
}
validation_cleanup() {
  local id m c old
  [ -n "${vdir:-}" ] && [ -d "$vdir" ] || return 0
  if [ -d "$vstate" ] && [ -n "$runtime" ]; then
    for id in $("$runtime" --root "$vstate" list -q 2>/dev/null); do
      "$runtime" --root "$vstate" delete --force "$id" >/dev/null 2>&1
    done
  fi
  # Mounts left under the bundles (runc's linux_ns_itype), innermost first.
  while IFS= read -r m; do
    umount -l "$m" 2>/dev/null
  done < <(awk -v d="$vdir/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
  rm -rf --one-file-system "$vtmp" 2>/dev/null; mkdir -p "$vtmp"
  # Only the ones that were not there before the suite started; rmdir fails on busy ones.
  while IFS= read -r c; do
    for old in "${vcgroups[@]}"; do [ "$c" = "$old" ] && continue 2; done
    find "$c" -depth -type d -exec rmdir {} + 2>/dev/null
  done < <(test_cgroups)
  return 0
}

# validation_result NAME RC: the verdict for a test from its stdout ($out) and stderr ($out.err).
validation_result() {
  local name=$1 rc=$2 why l
  if grep -Eq '^(not )?ok( |$)' "$out"; then
    emit "$name: " <"$out"
  else
    # No test points: the tests that check one thing (hooks, prestart_fail, ...) print
    # just the plan when it held, and a YAML "error" block or a message when it did not.
    why=
    if [ ! -s "$out" ] && [ "$rc" = 0 ] && [[ $name == *_fail ]] && [ -s "$out.err" ]; then
      # process_capabilities_fail, process_rlimits_fail: util.Fatal (exit 1) if the runtime
      # took the bad value, silence and exit 0 if it refused it (its error on stderr).
      report ok "$name: the runtime refused the config (no output, exit status 0)"
      sed 's/^/#   stderr: /' "$out.err" | head -n 5
    elif [ ! -s "$out" ]; then
      why="no output"
    elif grep -Eq '^[[:space:]]*"?error"?[[:space:]]*:' "$out"; then
      why="error reported"
    elif grep -Ev '^(TAP version|1\.\.[0-9]|#|[[:space:]]*$)' "$out" | grep -q .; then
      why="unexpected output"
    elif ! grep -Eq '^1\.\.[0-9]' "$out"; then
      why="no plan"
    fi
    if [ -n "$why" ]; then
      report fail "$name: no test points ($why)"
      while IFS= read -r l; do echo "#   $l"; done < <(grep -Ev '^(TAP version|[[:space:]]*$)' "$out" | head -n 40)
      [ -s "$out.err" ] && sed 's/^/#   stderr: /' "$out.err" | head -n 20
    elif [ "$rc" = 0 ] && [ -s "$out" ]; then
      report ok "$name: no test points, plan and no error"
    fi
  fi
  case $rc in
    0) ;;
    124 | 137) result 1 "$name: timed out after ${OCI_VALIDATION_TIMEOUT:-300}s" "$out.err" ;;
    *) result 1 "$name: exited 0 # got exit status $rc" "$out.err" ;;
  esac
}

run_validation() {
  local dir=$OCI_VALIDATION_DIR t name out rc
  if [ ! -d "$dir/validation" ]; then
    result 1 "validation suite: $dir/validation exists"
    return
  fi
  [ -x "$dir/runtimetest" ] || result 1 "validation suite: $dir/runtimetest is built (make runtimetest validation-executables)"
  # runtime-tools runs `$RUNTIME create|start|state|kill|delete ...` without --root.
  mkdir -p "$vdir" "$vstate" "$vtmp" || return
  printf '#!/bin/bash\nexec %q --root %q "$@"\n' "$runtime" "$vstate" >"$vdir/runtime"
  chmod 755 "$vdir/runtime"
  mapfile -t vcgroups < <(test_cgroups)
  out=$vdir/out
  while IFS= read -r t; do
    # validation/hooks/hooks.t is validation/hooks.
    name=${t#./}
    name=${name%.t}
    [ "$(basename "$name")" = "$(basename "$(dirname "$name")")" ] && name=$(dirname "$name")
    (cd "$dir" && TMPDIR=$vtmp RUNTIME=$vdir/runtime exec timeout -k 10 "${OCI_VALIDATION_TIMEOUT:-300}" "$t") \
      >"$out" 2>"$out.err" </dev/null &
    child=$!
    wait "$child"
    rc=$?
    child=
    validation_result "$name" "$rc"
    validation_cleanup
  done < <(cd "$dir" && find ./validation -name '*.t' -type f | sort)
}

echo "TAP version 13"
if [ "$(id -u)" != 0 ]; then
  echo "1..0 # SKIP tests/oci needs root"
  exit 0
fi
if [ -z "$runtime" ] || [ ! -x "$runtime" ]; then
  result 1 "runtime $RUNTIME is an executable"
elif [ -z "$checker" ] || [ ! -x "$checker" ]; then
  result 1 "checker $OCI_CHECK is an executable (gcc -static -O2 -o tests/oci/oci-check tests/oci/oci-check.c)"
else
  echo "# runtime: $runtime ($("$runtime" --version 2>/dev/null | head -n 1))"
  load_known
  cases=()
  if [ $# -gt 0 ]; then
    for c in "$@"; do
      case $c in */*) cases+=("$c") ;; *) cases+=("$here/cases/${c%.jq}.jq") ;; esac
    done
  else
    cases=("$here"/cases/*.jq)
  fi
  for c in "${cases[@]}"; do
    if [ -f "$c" ]; then run_case "$c"; else result 1 "case $c exists"; fi
  done
fi

if [ -n "${OCI_VALIDATION_DIR:-}" ]; then
  run_validation
else
  echo "# validation suite: skipped (OCI_VALIDATION_DIR not set)"
fi

echo "1..$n"
echo "# $((n - failed - todo)) passed, $failed failed, $todo known failures (TODO)"
echo "$((n - failed - todo)) passed, $failed failed"
[ "$failed" = 0 ]
