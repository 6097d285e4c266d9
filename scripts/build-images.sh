#!/usr/bin/env bash
# Builds every edgepipe container image and prints their sizes (docs/images.md).
#
#   scripts/build-images.sh                 offline: the local JRE base (scripts/build-base-image.sh,
#                                           rebuilt only when missing) and one tar per image under
#                                           cli/target/images/, linux/amd64; then the size table
#   scripts/build-images.sh --push -Dimage.registry=registry.lab:5000
#                                           jib:build of every image to that registry, linux/amd64 +
#                                           linux/arm64, from eclipse-temurin:17-jre (-Dimage.base=...)
#   scripts/build-images.sh --table         only print the table of the tars already built
#
# Other options:
#   --rebuild-base   make target/base/edgepipe-jre-base.tar again first
#   --installed      take the other modules from ~/.m2 (mvn -pl cli) instead of building them from
#                    this checkout (mvn -pl cli -am, the default: images hold the current code)
# Anything else is passed to Maven, e.g. -o (offline), -Dimage.tag=0.1.0, -Dimage.registry=edgepipe.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
images_dir="$root/cli/target/images"
base_tar="$root/target/base/edgepipe-jre-base.tar"

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
    -h | --help) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) mvn_args+=("$arg") ;;
  esac
done

if command -v mvn >/dev/null; then mvn=(mvn); else mvn=("$root/mvnw"); fi

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

# "name:tag" from a docker-archive tar's manifest.json
repo_tag() { tar -xOf "$1" manifest.json | grep -o '"RepoTags":\["[^"]*"' | sed 's/.*\["//; s/"$//'; }

# whether any layer of the image holds a JCuda natives jar
has_cuda_natives() {
  local tar_file=$1 layer
  while read -r layer; do
    [[ -z "$layer" ]] && continue
    if tar -xOf "$tar_file" "$layer" | tar -tzf - 2>/dev/null | grep 'jcuda-natives-' >/dev/null; then
      echo yes
      return
    fi
  done < <(tar -xOf "$tar_file" manifest.json | grep -o '"Layers":\[[^]]*\]' | grep -o '"[^"]*\.tar\.gz"' | tr -d '"')
  echo no
}

print_table() {
  shopt -s nullglob
  # each full image, then its edge variant
  local tars=()
  while read -r t; do tars+=("$t"); done < <(printf '%s\n' "$images_dir"/*.tar | sed 's/-edge\.tar$/.tar~edge/' | LC_ALL=C sort | sed 's/\.tar~edge$/-edge.tar/')
  if (( ${#tars[@]} == 0 )); then
    echo "build-images: no image tars in $images_dir" >&2
    exit 2
  fi
  declare -A tar_size unpacked
  local t name
  for t in "${tars[@]}"; do
    name=$(basename "$t" .tar)
    tar_size[$name]=$(stat -c %s "$t")
    unpacked[$name]=$(unpacked_bytes "$t")
  done
  echo
  printf '%-52s %-13s %-13s %9s %12s %20s\n' image variant cuda-natives "tar MB" "unpacked MB" "edge saves (unp.)"
  for t in "${tars[@]}"; do
    name=$(basename "$t" .tar)
    local variant=full saves=- full_name
    if [[ "$name" == *-edge ]]; then
      variant=edge-trimmed
      full_name=${name%-edge}
      if [[ -n "${unpacked[$full_name]:-}" ]]; then
        local d=$((unpacked[$full_name] - unpacked[$name]))
        saves="$(mb "$d") MB ($(awk -v d="$d" -v f="${unpacked[$full_name]}" 'BEGIN { printf "%.1f", 100 * d / f }')%)"
      fi
    fi
    printf '%-52s %-13s %-13s %9s %12s %20s\n' "$(repo_tag "$t")" "$variant" "$(has_cuda_natives "$t")" \
      "$(mb "${tar_size[$name]}")" "$(mb "${unpacked[$name]}")" "$saves"
  done
  if [[ -f "$base_tar" ]]; then
    printf '%-52s %-13s %-13s %9s %12s %20s\n' "$(repo_tag "$base_tar") (base)" "-" "no" \
      "$(mb "$(stat -c %s "$base_tar")")" "$(mb "$(unpacked_bytes "$base_tar")")" "-"
  fi
  echo
  echo "tar MB: the docker-archive (gzip layers: about what a node pulls); unpacked MB: the layers"
  echo "decompressed (disk on the node). Edge and full images share the base and app layers."
}

case "$mode" in
  table)
    print_table
    ;;
  offline)
    if [[ $rebuild_base == 1 || ! -f "$base_tar" ]]; then
      "$root/scripts/build-base-image.sh"
    fi
    rm -rf "$images_dir"
    echo "build-images: mvn -Poffline-images package (cli${also_make:+ and the modules it needs})"
    "${mvn[@]}" -B -q -Poffline-images -pl cli "${also_make[@]}" package -DskipTests "${mvn_args[@]}"
    print_table
    echo "load one: podman load -i $images_dir/edgepipe-stage-conv-edge.tar"
    echo "      or: sudo k3s ctr images import $images_dir/edgepipe-stage-conv-edge.tar"
    ;;
  push)
    echo "build-images: mvn -Pimages package (jib:build of every image, linux/amd64 + linux/arm64)"
    "${mvn[@]}" -B -Pimages -pl cli "${also_make[@]}" package -DskipTests "${mvn_args[@]}"
    ;;
esac
