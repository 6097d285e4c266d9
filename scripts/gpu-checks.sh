#!/usr/bin/env bash
# The GPU checks of issue 11 point 9 in one call on the device machine, from gpu-bundle/
# (scripts/gpu-bundle.sh; that machine has no JDK, Maven or network): nvidia-smi, the CUDA tests,
# bench gpu-kernels, bench vgpu and bench pipeline on --device cuda. Every step has its own time
# limit and the next one runs whatever the last did. $OUT/summary.txt gets each step's exit code,
# seconds and key lines as it ends; $OUT/gpu-checks.tar.gz the whole logs and CSVs, packed again
# after every step so that a call cut off at its limit still brings back what ran.
# See docs/gpu-checks.md for the call to make and how to read what comes back.
#
# Usage (from the repository root): OUT=DIR scripts/gpu-checks.sh [--cpu]
#   --cpu (or DEVICE=cpu): the same steps on the cpu device, to try the script without a GPU
#   (the CUDA tests then skip, saying why).
# Environment: TOTAL_S (the steps' time together, default 420), BUNDLE_DIR (where the archive is
# unpacked, default /tmp/edgepipe-gpu-bundle), GPU_KERNELS_ITERATIONS (default 50; 20, its least, with --cpu),
# STEPS (to rerun some: names from the summary, e.g. "tests-models bench-vgpu"; default all).
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
DEVICE=${DEVICE:-cuda}
[[ ${1:-} == --cpu ]] && DEVICE=cpu
: "${OUT:?set OUT to the folder the results go to}"
TOTAL_S=${TOTAL_S:-420}
BUNDLE_DIR=${BUNDLE_DIR:-/tmp/edgepipe-gpu-bundle}
if [[ $DEVICE == cpu ]]; then iterations=${GPU_KERNELS_ITERATIONS:-20}; else iterations=${GPU_KERNELS_ITERATIONS:-50}; fi
archive=$root/gpu-bundle/edgepipe-gpu.tar.xz
b=$BUNDLE_DIR/bundle
deadline=$(( $(date +%s) + TOTAL_S ))
mkdir -p "$OUT"
logs=$(mktemp -d "${TMPDIR:-/tmp}/gpu-checks.XXXXXX")
# the JVMs' temporary files (JCuda unpacks its native library there): a fresh folder, so that a
# copy another run left in /tmp cannot stand in for the bundle's
jtmp=$(mktemp -d "${TMPDIR:-/tmp}/gpu-checks-java.XXXXXX")
trap 'rm -rf "$logs" "$jtmp"' EXIT
results=$logs/results
summary=$OUT/summary.txt
failed=0

# Everything in $logs into $OUT/gpu-checks.tar.gz (one file: a call brings back at most 8)
pack() {
  tar -C "$logs" -czf "$OUT/gpu-checks.tar.gz.part" . && mv "$OUT/gpu-checks.tar.gz.part" "$OUT/gpu-checks.tar.gz"
}

# Whether STEPS names this step (the bundle is unpacked whatever it says: the others need it)
selected() {
  [[ -z ${STEPS:-} || $1 == bundle || " $STEPS " == *" $1 "* ]]
}

# A log's last lines without progress-bar redraws, for the summary
key_lines() { # log lines
  tr '\r' '\n' < "$1" | grep -v 'frames/s\|^WARNING: Using incubator\|^\$ ' | grep . | tail -n "$2" | sed 's/^/    /'
}

# step NAME LIMIT_S COMMAND...: runs COMMAND into $logs/NAME.log within LIMIT_S (and what is left of
# TOTAL_S), then writes its line to the summary: ok, FAILED or TIMEOUT, with its exit code and seconds;
# ABSENT where the command is not there (exit code 127; a failure only on the GPU).
step() {
  local name=$1 limit=$2
  shift 2
  selected "$name" || return 0
  local left=$(( deadline - $(date +%s) ))
  if (( left < 20 )); then
    printf '%-16s %-8s rc=-    %6s s  not run: TOTAL_S=%s used up\n' "$name" SKIPPED - "$TOTAL_S" >> "$summary"
    failed=$((failed + 1))
    return
  fi
  (( limit > left )) && limit=$left
  echo "== $name (limit ${limit}s)" >&2  # the whole command line is the log's first line
  local t0=$(date +%s%N)
  printf '$ %s\n' "$*" > "$logs/$name.log"
  timeout -k 10 "$limit" "$@" >> "$logs/$name.log" 2>&1
  local rc=$?
  local secs=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN {printf "%.1f", (b - a) / 1e9}')
  local status=ok
  if (( rc == 124 || rc == 137 )); then status=TIMEOUT; elif (( rc == 127 )); then status=ABSENT
  elif (( rc != 0 )); then status=FAILED; fi
  [[ $status == ok || ($status == ABSENT && $DEVICE == cpu) ]] || failed=$((failed + 1))
  printf '%-16s %-8s rc=%-4s %6s s  (limit %s s)\n' "$name" "$status" "$rc" "$secs" "$limit" >> "$summary"
  case $name in
    tests-*) grep -E '^(FAIL|SKIP|tests:)' "$logs/$name.log" | sed 's/^/    /' >> "$summary"
             # no totals: the launcher itself did not get far (a crash, a class path error)
             grep -q '^tests:' "$logs/$name.log" || key_lines "$logs/$name.log" 15 >> "$summary" ;;
    nvidia-smi) sed -n '2,3p' "$logs/$name.log" | sed 's/^/    /' >> "$summary" ;;
    bundle) grep -E '^(built|already|openjdk|no )' "$logs/$name.log" | sed 's/^/    /' >> "$summary" ;;
    *) key_lines "$logs/$name.log" 30 >> "$summary" ;;
  esac
  echo "== $name: $status (rc $rc, $secs s)" >&2
  pack
}

{
  echo "gpu-checks $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(cat /proc/sys/kernel/hostname), --device $DEVICE, TOTAL_S=$TOTAL_S"
  echo "repository: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo 'no .git here'); bundle: $(head -1 "$root/gpu-bundle/BUILD-INFO.txt" 2>/dev/null || echo 'no BUILD-INFO.txt')"
  echo "logs and CSVs: gpu-checks.tar.gz (one NAME.log per step, results/bench/*.csv)"
  echo
} > "$summary"

# 1. the bundle: unpacked once per archive (xz, or Python's tarfile where there is no xz)
unpack() {
  [[ -f $archive ]] || { echo "no $archive: run scripts/gpu-bundle.sh and carry gpu-bundle"; return 1; }
  local stamp
  stamp=$(stat -c '%s %Y' "$archive")
  if [[ -x $b/jre/bin/java && $(cat "$BUNDLE_DIR/.stamp" 2>/dev/null) == "$stamp" ]]; then
    echo "already unpacked in $BUNDLE_DIR"
  else
    rm -rf "$BUNDLE_DIR" && mkdir -p "$BUNDLE_DIR" || return 1
    if command -v xz > /dev/null; then
      tar -C "$BUNDLE_DIR" -xJf "$archive" || return 1
    else
      python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2], filter="fully_trusted")' \
        "$archive" "$BUNDLE_DIR" || return 1
    fi
    echo "$stamp" > "$BUNDLE_DIR/.stamp"
  fi
  cat "$b/BUILD-INFO.txt"
  "$b/jre/bin/java" -version
}
export -f unpack
export archive b BUNDLE_DIR
step bundle 90 bash -c unpack
java=$b/jre/bin/java
if [[ ! -x $java ]]; then
  echo "no runtime in the bundle: nothing else can run" >> "$summary"
  pack
  cat "$summary"
  exit 1
fi
# the bundle's Java only: a child JVM, if any, finds it first too
export JAVA_HOME=$b/jre PATH=$b/jre/bin:$PATH
cp=$(sed "s:^:$b/:" "$b/classpath.txt" | paste -sd:)
test_cp=$(sed "s:^:$b/:" "$b/test-classpath.txt" | paste -sd:)
# what ./pipeline runs (it reads cli/target/, which is not on the device machine)
# a JVM that crashes (JCuda's natives have never run here) leaves its hs_err file with the logs
jvm=("$java" --add-modules jdk.incubator.vector -Djava.awt.headless=true -Djava.io.tmpdir="$jtmp"
  -XX:ErrorFile="$logs/hs_err_pid%p.log")
cli=("${jvm[@]}" -Xmx4g -Djava.util.logging.config.file="$root/cli/logging.properties" -cp "$cp" io.edgepipe.cli.Main)

# 2. the GPU as the driver sees it
step nvidia-smi 30 bash -c 'nvidia-smi --query-gpu=name,driver_version,memory.total,memory.used,clocks.max.sm,clocks.max.memory --format=csv; rc=$?; nvidia-smi || rc=$?; exit $rc'

# 3. the CUDA tests, each module from its own folder (the tests read src/ and ../data relative to it).
# On the GPU a skip for want of one is a failure: the point is that they run.
skip_fails=()
[[ $DEVICE == cpu ]] || skip_fails=(--skip-fails "needs an NVIDIA GPU")
for tests in "$b"/test-classes/*.tests; do
  m=$(basename "$tests" .tests)
  step "tests-$m" 180 env -C "$root/$(cat "$b/test-classes/$m.dir")" "${jvm[@]}" -Dedgepipe.data="$b/data" \
    -cp "$b/test-classes/$m:$b/launcher:$test_cp:$cp" \
    GpuTestLauncher "${skip_fails[@]}" $(cat "$tests")
done

# 4. each stage's kernel alone against the device's memory bandwidth (a build without the
#    subcommand says so and goes on; `bench gpu-kernels --help` there prints bench's own help)
selected bench-gpu-kernels && timeout 60 "${cli[@]}" bench gpu-kernels --help > "$logs/gpu-kernels-help.log" 2>&1
if ! selected bench-gpu-kernels; then
  :
elif grep -q 'Usage: pipeline bench gpu-kernels' "$logs/gpu-kernels-help.log"; then
  step bench-gpu-kernels 150 "${cli[@]}" bench gpu-kernels --device "$DEVICE" --iterations "$iterations" --out "$results"
else
  printf '%-16s %-8s rc=%-4s %6s s  this build has no `pipeline bench gpu-kernels` (gpu-kernels-help.log)\n' \
    bench-gpu-kernels ABSENT - - >> "$summary"
  pack
fi

# 5. the stages' layers on the device vs through vgpu:// to a loopback backend on it
step bench-vgpu 150 "${cli[@]}" bench vgpu --device "$DEVICE" --sizes 128x128,512x512,1280x720 \
  --warmup 5 --frames 30 --until-jit-quiet=5 --out "$results"

# 6. the 4-stage pipeline vs the monolith, synthetic frames (no JavaCV in the bundle)
step bench-pipeline 180 "${cli[@]}" bench pipeline --device "$DEVICE" --source synthetic --frames 300 \
  --repeat 3 --out "$results"

echo >> "$summary"
echo "steps not ok: $failed; total $(( TOTAL_S - (deadline - $(date +%s)) )) s" >> "$summary"
pack
cat "$summary"
exit $(( failed > 0 ))
