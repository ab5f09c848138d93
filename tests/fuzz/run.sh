#!/bin/bash
# tests/fuzz/run.sh: build the libFuzzer targets with clang out of tree (ASan with leak detection,
# UBSan with no recovery: a leak or any UB is a crash), replay every input in
# tests/fuzz/regressions/TARGET, then fuzz each target for FUZZ_SECONDS from its seed corpus
# tests/fuzz/corpus/TARGET.  TAP on stdout, one line per build, per regression replay and per
# fuzz run, with the number of executions:
#
#   ok 3 - fuzz spec: 1234567 runs in 40 s, no crash (cov 1843, corpus 64 -> 310)
#
# Targets (tests/fuzz/fuzz-TARGET.c): spec (config.json, process.json, update -r resources:
# parse + validate + free), state (state.json), shim-ctl (ctl/winsz fifo lines), shim-dns (the
# DNS server's queries, answers and table), shim-attach
# (attach socket clients, fifos and output through the shim's event loop), dock-layer (dock's
# layer reader and contained unpacker), dock-manifest (archive manifest.json, OCI index and
# manifest, image config, image references), dock-ref (image references alone, with the
# invariants the registry client relies on), dock-challenge (the registry client's
# WWW-Authenticate parser), dock-dockerfile (the Dockerfile parser and the
# substitution of each instruction), dock-dockerignore (.dockerignore patterns and matching),
# dock-compose (dock compose's loader: YAML, interpolation, merge keys, include, extends, the
# override merge, and `config`'s output read back).
#
# Environment: FUZZ_SECONDS (per target, default 45; two targets at a time, so about 5 minutes
# in all), FUZZ_TARGETS (default: all twelve), FUZZ_JOBS (targets fuzzed at once, default 2), CC
# (default clang), FUZZ_BUILDDIR (default: a temp dir, removed), FUZZ_ARTIFACTS (crashing inputs
# are kept there, default /tmp/berth-fuzz-artifacts), FUZZ_CORPUS_OUT (a dir: keep each
# target's grown corpus in FUZZ_CORPUS_OUT/TARGET), FUZZ_FLAGS (more libFuzzer flags).  Without
# clang's libFuzzer every line is a skip.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
FUZZ_SECONDS=${FUZZ_SECONDS:-45}
FUZZ_TARGETS=${FUZZ_TARGETS:-spec state shim-ctl shim-attach shim-dns dock-layer dock-manifest dock-ref dock-challenge dock-dockerfile dock-dockerignore dock-compose}
FUZZ_JOBS=${FUZZ_JOBS:-2}
FUZZ_ARTIFACTS=${FUZZ_ARTIFACTS:-/tmp/berth-fuzz-artifacts}
CC=${CC:-clang}

n=0 failed=0
tap() { # tap ok|fail DESCRIPTION
  n=$((n + 1))
  if [ "$1" = ok ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}

work=$(mktemp -d "${TMPDIR:-/tmp}/berth-fuzz.XXXXXX") || exit 1
build=${FUZZ_BUILDDIR:-$work/build}
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
mkdir -p "$build" "$work/tmp" "$FUZZ_ARTIFACTS"

# ---- build -------------------------------------------------------------------------------
if ! command -v "$CC" >/dev/null || ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n){return 0;}' |
  "$CC" -x c -fsanitize=fuzzer -o "$work/probe" - 2>/dev/null; then
  for t in $FUZZ_TARGETS; do tap ok "fuzz $t # skip $CC with libFuzzer is not installed (clang, libclang-rt-dev)"; done
  echo "1..$n"
  exit 0
fi

libcrun=$top/src/libcrun shim=$top/src/shim frontend=$top/src/frontend
declare -A srcs=(
  [dock-layer]="$frontend/image/layer.c $frontend/image/digest.c $libcrun/resolve.c $libcrun/error.c $libcrun/utils.c"
  [dock-manifest]="$frontend/image/parse.c $frontend/image/ref.c $frontend/image/digest.c $frontend/util/jv.c $frontend/store/store.c $libcrun/spec.c $libcrun/spec-validate.c $libcrun/error.c $libcrun/utils.c"
  [dock-ref]="$frontend/image/ref.c $frontend/image/digest.c $frontend/store/store.c $frontend/util/jv.c $libcrun/spec.c $libcrun/spec-validate.c $libcrun/error.c $libcrun/utils.c"
  [dock-challenge]="$frontend/registry/challenge.c $libcrun/error.c $libcrun/utils.c"
  [dock-dockerfile]="$frontend/build/dockerfile.c $frontend/build/subst.c $frontend/util/jv.c $libcrun/spec.c $libcrun/spec-validate.c $libcrun/error.c $libcrun/utils.c"
  [dock-dockerignore]="$frontend/build/ignore.c $libcrun/error.c $libcrun/utils.c"
  [dock-compose]="$frontend/compose/yaml-load.c $frontend/compose/interp.c $frontend/compose/merge.c $frontend/compose/resolve.c $frontend/compose/emit.c $frontend/util/jv.c $libcrun/spec.c $libcrun/spec-validate.c $libcrun/error.c $libcrun/utils.c"
  [spec]="$libcrun/spec.c $libcrun/spec-validate.c $libcrun/error.c $libcrun/utils.c"
  [state]="$libcrun/state.c $libcrun/spec.c $libcrun/spec-validate.c $libcrun/error.c $libcrun/utils.c"
  [shim-ctl]="$shim/ctl-msg.c"
  [shim-dns]="$shim/dns-msg.c $shim/dns-table.c $libcrun/error.c $libcrun/utils.c"
  [shim-attach]="$shim/attach.c $shim/ctl.c $shim/ctl-msg.c $shim/loop.c $shim/msg.c $shim/logs.c $shim/health.c $shim/health-state.c $shim/exit.c $libcrun/error.c $libcrun/utils.c"
)
cflags="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
  -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers -I$libcrun -I$shim -I$frontend"
yajl=$(pkg-config --cflags --libs yajl 2>/dev/null || echo -lyajl)
# dock's targets read archives and hash (harmless for the others)
yajl="$yajl $(pkg-config --cflags --libs libarchive libcrypto 2>/dev/null || echo -larchive -lcrypto)"
# and compose's YAML
yajl="$yajl $(pkg-config --cflags --libs yaml-0.1 2>/dev/null || echo -lyaml)"
start=$SECONDS
for t in $FUZZ_TARGETS; do
  # shellcheck disable=SC2086
  "$CC" $cflags -o "$build/fuzz-$t" "$here/fuzz-$t.c" ${srcs[$t]} $yajl >"$build/$t.build.log" 2>&1 &
  pids+=($!)
  if [ "${#pids[@]}" -ge "$FUZZ_JOBS" ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
wait
pids=()
built=()
for t in $FUZZ_TARGETS; do
  if [ -x "$build/fuzz-$t" ]; then
    built+=("$t")
  else
    tap fail "fuzz $t: build with $CC failed"
    sed 's/^/#   /' "$build/$t.build.log" | head -n 20
  fi
done
tap ok "fuzz build: ${#built[@]} targets with $("$CC" --version | head -n 1) in $((SECONDS - start)) s"

# ---- dictionaries: the JSON keys and names the parsers know, from their sources ---------------
dict() { # dict FILE...: every identifier-like string literal as a JSON string
  grep -ho '"[A-Za-z_][A-Za-z0-9_.+/-]*"' "$@" | sort -u | sed 's/"/\\"/g; s/.*/"&"/'
  printf '"%s"\n' '{' '}' '[' ']' ':' ',' 'true' 'false' 'null' '\"\"' '-1' '4294967296' '18446744073709551616'
}
dict "$libcrun/spec.c" "$libcrun/spec-validate.c" >"$work/spec.dict"
dict "$libcrun/state.c" >"$work/state.dict"
dict "$top/src/frontend/image/parse.c" "$top/src/frontend/image/load.c" >"$work/dock-manifest.dict"
# the Dockerfile's keywords, flags and the lexer's tokens
{
  printf '"%s"\n' FROM RUN CMD LABEL MAINTAINER EXPOSE ENV ADD COPY ENTRYPOINT VOLUME USER WORKDIR ARG ONBUILD \
    STOPSIGNAL HEALTHCHECK SHELL NONE AS --from= --chown= --chmod= --link --mount= --platform= --interval= \
    '# escape=`' '# syntax=' '<<EOF' '<<-' 'EOF' '${' ':-' ':+' ':?' '##' '%%' '//' '\\\x0a' '[\"' '\",' '\"]'
} >"$work/dock-dockerfile.dict"
printf '"%s"\n' docker.io index.docker.io localhost library latest sha256: @sha256: : / . _ __ - '[' ']' \
  >"$work/dock-ref.dict"
printf '"%s"\n' Bearer Basic bearer basic realm= service= scope= '=\"' '\"' '\\' ', ' ' ' >"$work/dock-challenge.dict"
printf '"%s"\n' '**' '**/' '!' '[^' '\\' '/' '*' '?' '#' >"$work/dock-dockerignore.dict"
# compose: the keys the loader knows, and YAML's and interpolation's tokens
{
  grep -ho '"[a-z_][a-z0-9_]*"' "$top/src/frontend/compose/yaml-load.c" | sort -u
  printf '"%s"\n' '${' '${A}' '${E:-d}' '${X?e}' '${A:+r}' '$$' '<<: *' '&a' '*a' 'x-' ': ' '- ' '{' '}' '[' ']' \
    'other.yaml' 'file: other.yaml' 'extends:' 'include:' 'services:' './' 'type: bind' 'type: tmpfs' '\x00'
} >"$work/dock-compose.dict"

# ---- replay the regressions, then fuzz ---------------------------------------------------
ulimit -c 0
# A small stack: recursion that grows with the input (yajl_tree_free did) overflows it at sizes
# the fuzzer and the regression files reach, instead of only at megabytes.
ulimit -s 1024
export TMPDIR=$work/tmp
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

for t in "${built[@]}"; do
  reg=$here/regressions/$t
  files=()
  [ -d "$reg" ] && mapfile -t files < <(find "$reg" -type f ! -name '*.md' | sort)
  if [ "${#files[@]}" -eq 0 ]; then
    tap ok "fuzz $t regressions: none recorded"
    continue
  fi
  if "$build/fuzz-$t" -runs=1 "${files[@]}" >"$work/$t.replay.log" 2>&1; then
    tap ok "fuzz $t regressions: ${#files[@]} inputs replay without a crash"
  else
    tap fail "fuzz $t regressions: an input from tests/fuzz/regressions/$t crashes"
    grep -E '^Running: |ERROR|SUMMARY|runtime error|^    #[0-9] ' "$work/$t.replay.log" | head -n 25 | sed 's/^/#   /'
  fi
done

run_one() { # run_one TARGET: fuzz it from a scratch copy of its corpus
  local t=$1
  local corpus=$work/corpus-$t extra=()
  mkdir -p "$corpus"
  [ -d "$here/corpus/$t" ] && cp "$here/corpus/$t"/* "$corpus"/ 2>/dev/null
  ls "$corpus" | wc -l >"$work/$t.seeds"
  [ -s "$work/$t.dict" ] && extra+=(-dict="$work/$t.dict")
  # shellcheck disable=SC2086
  "$build/fuzz-$t" -max_total_time="$FUZZ_SECONDS" -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$FUZZ_ARTIFACTS/$t-" "${extra[@]}" ${FUZZ_FLAGS:-} "$corpus" >"$work/$t.log" 2>&1
  echo $? >"$work/$t.rc"
  if [ -n "${FUZZ_CORPUS_OUT:-}" ]; then
    mkdir -p "$FUZZ_CORPUS_OUT/$t" && cp "$corpus"/* "$FUZZ_CORPUS_OUT/$t"/ 2>/dev/null
  fi
}

for t in "${built[@]}"; do
  run_one "$t" &
  pids+=($!)
  if [ "${#pids[@]}" -ge "$FUZZ_JOBS" ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
wait
pids=()

for t in "${built[@]}"; do
  log=$work/$t.log
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
  cov=$(grep -o 'DONE *cov: [0-9]*' "$log" | grep -o '[0-9]*$' | tail -n 1)
  rc=$(cat "$work/$t.rc" 2>/dev/null || echo 1)
  corp=$(ls "$work/corpus-$t" | wc -l)
  if [ "$rc" = 0 ] && [ -n "$runs" ]; then
    tap ok "fuzz $t: $runs runs in ${secs:-$FUZZ_SECONDS} s, no crash (cov ${cov:-?}, corpus $(cat "$work/$t.seeds") -> $corp)"
  else
    crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    tap fail "fuzz $t: crashed after ${runs:-?} runs (exit $rc); input kept at ${crash:-?}"
    grep -E 'ERROR|SUMMARY|runtime error|^    #[0-9] ' "$log" | head -n 25 | sed 's/^/#   /'
  fi
done

echo "1..$n"
[ "$failed" -eq 0 ]
