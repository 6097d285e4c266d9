#!/usr/bin/env bash
# Builds every edgepipe container image and prints their sizes (docs/images.md).
#
#   scripts/build-images.sh                 offline: the local JRE base (scripts/build-base-image.sh,
#                                           rebuilt only when missing) and one tar per image under
#                                           stage-launcher/target/images/ (stages, producer, sink) and
#                                           cli/target/images/ (vgpu-backend), linux/amd64; then the
#                                           size table, beside the sizes before the stage images
#                                           left the cli module (scripts/image-sizes-before.tsv)
#   scripts/build-images.sh --push -Dimage.registry=registry.lab:5000
#                                           jib:build of every image to that registry, linux/amd64 +
#                                           linux/arm64, from eclipse-temurin:17-jre (-Dimage.base=...)
#   scripts/build-images.sh --table         only print the table of the tars already built
#
# Other options:
#   --rebuild-base   make target/base/edgepipe-jre-base.tar again first
#   --installed      take the other modules from ~/.m2 (mvn -pl stage-launcher,cli) instead of building
#                    them from this checkout (-am, the default: images hold the current code)
# Anything else is passed to Maven, e.g. -o (offline), -Dimage.tag=0.1.0, -Dimage.registry=edgepipe.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
images_dirs=("$root/stage-launcher/target/images" "$root/cli/target/images")
base_tar="$root/target/base/edgepipe-jre-base.tar"
headless_base_tar="$root/target/base/edgepipe-jre-headless-base.tar"
# sizes measured before the stage images were built from stage-launcher: tar name, tar bytes, unpacked bytes
before_file="$root/scripts/image-sizes-before.tsv"

mode=offline
rebuild_base=0
also_make=(-am)
mvn_args=()
for arg in "$@"; do
  case "$arg" in
    --push) mode=push ;;
    --table) mode=table ;;
    --rebuild-base) rebuild_base=1 ;;
    --installed) also_make=() ;;
    -h | --help) sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) mvn_args+=("$arg") ;;
  esac
done

# the wrapper first: it pins the Maven version the build is tested with
if [[ -x "$root/mvnw" ]]; then mvn=("$root/mvnw"); else mvn=(mvn); fi

mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }

# bytes of the image once unpacked: the sum of its layers, decompressed
unpacked_bytes() {
  local tar_file=$1 total=0 layer n
  while read -r layer; do
    [[ -z "$layer" ]] && continue
    if [[ "$layer" == *.gz ]]; then
      n=$(tar -xOf "$tar_file" "$layer" | gzip -dc | wc -c)
    else
      n=$(tar -xOf "$tar_file" "$layer" | wc -c)
    fi
    total=$((total + n))
  done < <(tar -xOf "$tar_file" manifest.json | grep -o '"Layers":\[[^]]*\]' | grep -o '"[^"]*\.tar[^"]*"' | tr -d '"')
  echo "$total"
}

# whether a base tar was jlink'ed without the Vector API module that the images' --add-modules needs
# (a base made before it was added): its config's io.edgepipe.jre.modules label does not name it
lacks_vector_module() { ! tar -xOf "$1" --wildcards '*.json' 2>/dev/null | grep -q 'jdk\.incubator\.vector'; }

# "name:tag" from a docker-archive tar's manifest.json
repo_tag() { tar -xOf "$1" manifest.json | grep -o '"RepoTags":\["[^"]*"' | sed 's/.*\["//; s/"$//'; }

# whether any layer of the image holds a jar whose path matches $2 (a grep pattern)
has_jar() {
  local tar_file=$1 pattern=$2 layer
  while read -r layer; do
    [[ -z "$layer" ]] && continue
    if tar -xOf "$tar_file" "$layer" | tar -tzf - 2>/dev/null | grep -E "$pattern" >/dev/null; then
      echo yes
      return
    fi
  done < <(tar -xOf "$tar_file" manifest.json | grep -o '"Layers":\[[^]]*\]' | grep -o '"[^"]*\.tar\.gz"' | tr -d '"')
  echo no
}

# "tar MB" before, from $before_file, or "-" for an image that did not exist then
before_mb() {
  local name=$1 bytes
  bytes=$( [[ -f "$before_file" ]] && awk -v n="$name" '$1 == n { print $2 }' "$before_file")
  if [[ -n "$bytes" ]]; then mb "$bytes"; else echo -; fi
}

print_table() {
  shopt -s nullglob
  # each full image, then its edge variant
  local tars=()
  while read -r t; do tars+=("$t"); done < <(for d in "${images_dirs[@]}"; do printf '%s\n' "$d"/*.tar; done \
    | sed 's/-edge\.tar$/.tar~edge/' | awk -F/ 'NF { print $NF "\t" $0 }' | LC_ALL=C sort | cut -f2 \
    | sed 's/\.tar~edge$/-edge.tar/')
  if (( ${#tars[@]} == 0 )); then
    echo "build-images: no image tars in ${images_dirs[*]}" >&2
    exit 2
  fi
  echo
  local fmt='%-52s %-13s %-5s %-6s %9s %12s %11s %8s\n'
  printf "$fmt" image variant cuda video "tar MB" "unpacked MB" "before tar" change
  local t name tar_bytes before
  for t in "${tars[@]}"; do
    name=$(basename "$t" .tar)
    tar_bytes=$(stat -c %s "$t")
    local variant=full change=-
    [[ "$name" == *-edge ]] && variant=edge-trimmed
    before=$(before_mb "$name")
    if [[ "$before" != - ]]; then
      change=$(awk -v a="$tar_bytes" -v b="$(awk -v n="$name" '$1 == n { print $2 }' "$before_file")" \
        'BEGIN { printf "%+.0f%%", 100 * (a - b) / b }')
    fi
    printf "$fmt" "$(repo_tag "$t")" "$variant" "$(has_jar "$t" 'jcuda-natives-')" \
      "$(has_jar "$t" '/(ffmpeg|opencv)-[^/]*linux-x86_64\.jar$')" "$(mb "$tar_bytes")" "$(mb "$(unpacked_bytes "$t")")" \
      "$before" "$change"
  done
  local b
  for b in "$base_tar" "$headless_base_tar"; do
    [[ -f "$b" ]] || continue
    printf "$fmt" "$(repo_tag "$b") (base)" "-" no no "$(mb "$(stat -c %s "$b")")" "$(mb "$(unpacked_bytes "$b")")" "-" "-"
  done
  echo
  echo "tar MB: the docker-archive (gzip layers: about what a node pulls); unpacked MB: the layers"
  echo "decompressed (disk on the node). cuda: JCuda natives in the image; video: FFmpeg/OpenCV natives."
  echo "before tar: the same image built from the cli module ($(basename "$before_file"))."
}

case "$mode" in
  table)
    print_table
    ;;
  offline)
    if [[ $rebuild_base == 1 || ! -f "$base_tar" ]] || lacks_vector_module "$base_tar"; then
      "$root/scripts/build-base-image.sh"
    fi
    if [[ $rebuild_base == 1 || ! -f "$headless_base_tar" ]] || lacks_vector_module "$headless_base_tar"; then
      "$root/scripts/build-base-image.sh" --headless
    fi
    rm -rf "${images_dirs[@]}"
    echo "build-images: mvn -Poffline-images package (stage-launcher, cli${also_make:+ and the modules they need})"
    "${mvn[@]}" -B -q -Poffline-images -pl stage-launcher,cli "${also_make[@]}" package -DskipTests "${mvn_args[@]}"
    print_table
    echo "load one: podman load -i ${images_dirs[0]}/edgepipe-stage-conv-edge.tar"
    echo "      or: sudo k3s ctr images import ${images_dirs[0]}/edgepipe-stage-conv-edge.tar"
    ;;
  push)
    echo "build-images: mvn -Pimages package (jib:build of every image, linux/amd64 + linux/arm64)"
    "${mvn[@]}" -B -Pimages -pl stage-launcher,cli "${also_make[@]}" package -DskipTests "${mvn_args[@]}"
    ;;
esac
