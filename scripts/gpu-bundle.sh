#!/usr/bin/env bash
# Makes gpu-bundle/ (ignored by git): everything scripts/gpu-checks.sh needs on the device machine,
# which has a GPU but no JDK, no Maven and no network. See docs/gpu-checks.md.
#
# Run here, after a build of this checkout (./mvnw -q -o package -DskipTests, which also compiles
# the test classes) and scripts/fetch-models.sh. gpu-bundle/ then holds
#   edgepipe-gpu.tar.xz  a jlinked Java 17 runtime, the jars the checks load, the CUDA test classes
#                        with JUnit and a small launcher (scripts/gpu/GpuTestLauncher.java), and the
#                        models and photos the model tests read
#   BUILD-INFO.txt       the commit it was built from, its jars and sizes
# One archive, because a device call carries at most 64 MiB with the tracked tree: xz across the
# stored class files and the uncompressed runtime is about half the size of the same files
# deflated one by one (jars, jlink --compress=2).
#
# Environment: JDK (default /usr/lib/jvm/java-17-openjdk-amd64), EDGEPIPE_DATA (default data),
# M2_REPO (default ~/.m2/repository), GPU_BUNDLE_LIMIT_MIB (default 60: tracked tree + bundle).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
JDK=${JDK:-/usr/lib/jvm/java-17-openjdk-amd64}
DATA=${EDGEPIPE_DATA:-data}
M2_REPO=${M2_REPO:-$HOME/.m2/repository}
LIMIT_MIB=${GPU_BUNDLE_LIMIT_MIB:-60}
bundle=gpu-bundle
archive=$bundle/edgepipe-gpu.tar.xz

die() { echo "gpu-bundle: $*" >&2; exit 1; }

# The modules the checks use (jdeps -s over the bundled jars, and -Xlog:class+load of every check):
# java.desktop for ImageIO (the model tests' photos) and java.beans; jdk.jfr and jdk.management.jfr
# for the harness's JVM metrics; java.naming, jdk.naming.dns and jdk.net for gRPC's Netty;
# jdk.incubator.vector, which ./pipeline adds for the CPU twins.
MODULES=java.base,java.desktop,java.logging,java.management,java.naming,java.sql,jdk.httpserver,\
jdk.incubator.vector,jdk.jfr,jdk.management,jdk.management.jfr,jdk.naming.dns,jdk.net,jdk.unsupported

# Jars of cli's class path that no check loads (-Xlog:class+load over the tests and the three
# benches), left out by path (extended regex). Everything else goes in, so a new dependency
# makes the bundle bigger (and the size check below loud) rather than a check fail on the GPU.
EXCLUDED=(
  'com/microsoft/onnxruntime/'        # 136 MB: ORT, for `model check` and OrtAgreementTest only
  'org/bytedeco/.*-linux-x86_64\.jar' # 76 MB: the natives of OpenCV, FFmpeg, OpenBLAS (video sources, OpenCV baselines); the checks use
                                      # synthetic frames. Their Java classes (3 MB) stay: cheap, and a check that reaches one
                                      # (bench gpu-kernels did, through KernelBench, until ea9163c) would otherwise fail only on the GPU
  'io/fabric8/(kubernetes-client/|kubernetes-httpclient|zjsonpatch|kubernetes-model-(admission|apiext|apps|autoscaling|batch|certificates|coordination|discovery|events|extensions|flowcontrol|gatewayapi|metrics|networking|node|policy|rbac|resource|scheduling|storageclass))'
                                      # deploy; picocli does load client-api, model-core and model-common for the deploy commands' types
  'io/vertx/'                         # fabric8's HTTP client
  'io/netty/'                         # Netty for Vert.x; gRPC uses its shaded copy
  'org/bouncycastle/'                 # `pipeline certs`
  'tools/jackson/|org/snakeyaml/snakeyaml-engine/'  # Jackson 3, for fabric8
  'org/knowm/xchart/'                 # charts
  'com/google/api/grpc/proto-google-common-protos/'  # gRPC's health/reflection protos, never served here
)
# Entries left out of the jars that stay (scripts/gpu/store_jar.py): natives of other platforms,
# and JCuda's libraries other than the driver API's (vgpu's CudaGpu uses the driver API alone).
declare -A DROP=(
  [grpc-netty-shaded]='^META-INF/native/.*(aarch_64|osx|windows)'
  [zstd-jni]='^(aix|darwin|freebsd|win)/|^linux/(?!amd64/)'
  [jcuda-natives]='^lib/(?!libJCudaDriver-)'
)
# The CUDA tests: every Cuda*Test, and the two that check devices and PTX without a GPU. Found by
# name, so that a new one in any module is bundled and run; their modules, by folder (stages/conv)
TEST_NAMES=(-name 'Cuda*Test.java' -o -name DevicesTest.java -o -name ModelKernelPtxTest.java)
mapfile -t TEST_MODULES < <(find . -path '*/target' -prune -o -path '*/src/test/java/*' \( "${TEST_NAMES[@]}" \) -print \
  | sed 's:^\./::; s:/src/test/java/.*::' | sort -u)
(( ${#TEST_MODULES[@]} > 0 )) || die "no CUDA tests found"

classpath_file=cli/target/classpath.txt
cli_jar=$(ls cli/target/cli-*.jar 2>/dev/null | grep -v -- '-sources\|-tests' | head -1 || true)
[[ -f $classpath_file && -f $cli_jar ]] || die "cli is not built: run ./mvnw -q -o package -DskipTests first"
for m in "${TEST_MODULES[@]}"; do
  [[ -d $m/target/test-classes/io ]] || die "$m's test classes are missing: run ./mvnw -q -o package -DskipTests first"
done
# A source edited after the build would make the device run old code: refuse (a GPU call is scarce)
while IFS= read -r jar; do
  [[ $jar == "$root"/*/target/*.jar ]] || continue
  mod=${jar#"$root"/}
  mod=${mod%/target/*}
  newer=$(find "$mod/src/main" -type f -newer "$jar" -print -quit 2>/dev/null)
  [[ -z $newer ]] || die "$newer is newer than $jar: build again (./mvnw -q -o package -DskipTests)"
done < <(tr ':' '\n' < "$classpath_file"; echo; echo "$root/$cli_jar")
for m in "${TEST_MODULES[@]}"; do
  newest=$(find "$m/target/test-classes" -name '*.class' -printf '%T@\n' | sort -n | tail -1)
  newer=$(find "$m/src/test" -type f -newermt "@$newest" -print -quit)
  [[ -z $newer ]] || die "$newer is newer than $m's test classes: build again (./mvnw -q -o package -DskipTests)"
done
[[ -f $DATA/models/blazeface-front-128.onnx ]] || die "no models under $DATA: run scripts/fetch-models.sh first"
[[ -x $JDK/bin/jlink && -d $JDK/jmods ]] || die "no jlink/jmods under $JDK (set JDK=...)"
junit_version=$(sed -n 's:.*<junit.version>\(.*\)</junit.version>.*:\1:p' pom.xml)
[[ -n $junit_version ]] || die "no junit.version in pom.xml"
platform_version=1.${junit_version#5.}  # JUnit 5.x.y runs on Platform 1.x.y

stage=$(mktemp -d "${TMPDIR:-/tmp}/gpu-bundle.XXXXXX")
trap 'rm -rf "$stage"' EXIT
b=$stage/bundle
mkdir -p "$b/lib" "$b/test-lib" "$b/test-classes" "$b/launcher" "$b/data/models" "$b/data/photos"

echo "gpu-bundle: runtime ($MODULES)"
"$JDK/bin/jlink" --module-path "$JDK/jmods" --add-modules "$MODULES" --strip-debug --no-header-files \
  --no-man-pages --compress=0 --output "$b/jre" 2>&1 | { grep -v 'incubator modules' || true; }

echo "gpu-bundle: jars"
excluded_re=$(IFS='|'; echo "${EXCLUDED[*]}")
: > "$b/classpath.txt"
left_out=0
while IFS= read -r jar; do
  [[ -n $jar ]] || continue
  if [[ $jar =~ $excluded_re ]]; then
    left_out=$((left_out + 1))
    continue
  fi
  name=$(basename "$jar")
  [[ -e $b/lib/$name ]] && die "two jars named $name on the class path"
  drop=()
  for key in "${!DROP[@]}"; do
    [[ $name == "$key"-* ]] && drop=("${DROP[$key]}")
  done
  python3 scripts/gpu/store_jar.py "$jar" "$b/lib/$name" "${drop[@]}" | sed 's/^/gpu-bundle: /'
  echo "lib/$name" >> "$b/classpath.txt"
done < <(tr ':' '\n' < "$classpath_file"; echo; echo "$root/$cli_jar")
echo "gpu-bundle: $(wc -l < "$b/classpath.txt") jars in, $left_out left out"

echo "gpu-bundle: tests"
test_jars=(
  "org/junit/jupiter/junit-jupiter-api/$junit_version/junit-jupiter-api-$junit_version.jar"
  "org/junit/jupiter/junit-jupiter-engine/$junit_version/junit-jupiter-engine-$junit_version.jar"
  "org/junit/platform/junit-platform-commons/$platform_version/junit-platform-commons-$platform_version.jar"
  "org/junit/platform/junit-platform-engine/$platform_version/junit-platform-engine-$platform_version.jar"
  "org/junit/platform/junit-platform-launcher/$platform_version/junit-platform-launcher-$platform_version.jar"
)
# JUnit's own dependencies, whatever versions its poms name
for dep in org/opentest4j/opentest4j org/apiguardian/apiguardian-api; do
  v=$(ls "$M2_REPO/$dep" | sort -V | tail -1)
  test_jars+=("$dep/$v/$(basename "$dep")-$v.jar")
done
: > "$b/test-classpath.txt"
for j in "${test_jars[@]}"; do
  [[ -f $M2_REPO/$j ]] || die "missing $M2_REPO/$j (run the module's tests once with Maven to fetch it)"
  python3 scripts/gpu/store_jar.py "$M2_REPO/$j" "$b/test-lib/$(basename "$j")"
  echo "test-lib/$(basename "$j")" >> "$b/test-classpath.txt"
done
# per module NAME (its folder with - for /): NAME/ its test classes, NAME.dir the folder the tests
# run from (they read src/ relative to it), NAME.tests the classes to run
for m in "${TEST_MODULES[@]}"; do
  name=${m//\//-}
  cp -r "$m/target/test-classes" "$b/test-classes/$name"
  echo "$m" > "$b/test-classes/$name.dir"
  (cd "$m/src/test/java" && find . \( "${TEST_NAMES[@]}" \)) | sed 's:^\./::; s:\.java$::; s:/:.:g' | sort > "$b/test-classes/$name.tests"
done
"$JDK/bin/javac" --release 17 -d "$b/launcher" -cp "$(sed "s:^:$b/:" "$b/test-classpath.txt" | paste -sd:)" \
  scripts/gpu/GpuTestLauncher.java
cp "$DATA"/models/*.onnx "$b/data/models/"
# the model tests' photos; not the 8 MB video (no check reads it)
find "$DATA/photos" -maxdepth 1 -type f \( -name '*.png' -o -name '*.jpg' \) -exec cp {} "$b/data/photos/" \;

commit=$(git rev-parse HEAD)
dirty=$(git status --porcelain --untracked-files=no | wc -l)
{
  echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) from $commit ($dirty modified tracked files) on $(hostname)"
  echo "runtime: $("$b/jre/bin/java" -version 2>&1 | head -1); modules $MODULES"
  echo "tests: $(cat "$b"/test-classes/*.tests | paste -sd' ')"
  echo "jars:"
  (cd "$b" && du -k lib/*.jar test-lib/*.jar | sort -rn | awk '{printf "  %6d KB  %s\n", $1, $2}')
} > "$b/BUILD-INFO.txt"

echo "gpu-bundle: compressing"
rm -rf "$bundle"
mkdir -p "$bundle"
tar -C "$stage" -cf - bundle | xz -T2 -6 > "$archive"
cp "$b/BUILD-INFO.txt" "$bundle/"

# What a device call carries: tracked and untracked-not-ignored files, plus the carried bundle
travel_bytes=$(git ls-files -z --cached --others --exclude-standard | xargs -0 stat -c %s 2>/dev/null | awk '{s+=$1} END {print s+0}')
bundle_bytes=$(du -cb "$bundle" | tail -1 | cut -f1)
unpacked_bytes=$(du -sb "$b" | cut -f1)
mib() { awk -v b="$1" 'BEGIN {printf "%.1f", b / 1048576}'; }
total=$((travel_bytes + bundle_bytes))
echo "gpu-bundle: $archive $(mib "$bundle_bytes") MiB ($(mib "$unpacked_bytes") MiB unpacked); with the tree a call sends ($(mib "$travel_bytes") MiB): $(mib "$total") MiB of $LIMIT_MIB"
if (( total > LIMIT_MIB * 1048576 )); then
  rm -f "$archive"  # so that no call carries it; BUILD-INFO.txt stays, to see what is in it
  die "TOO BIG: tree + bundle is $(mib "$total") MiB, over $LIMIT_MIB MiB (the call's limit is 64): leave out more jars (EXCLUDED) or data"
fi
