#!/usr/bin/env bash
# Builds the offline base image for the edgepipe images: target/base/edgepipe-jre-base.tar.
#
# No registry is needed: the image is made from this machine's JDK and shared libraries.
#   - a jlink'ed Java runtime at /opt/java/openjdk (JAVA_HOME, on PATH),
#   - the glibc / libstdc++ / zlib / ... shared libraries that runtime links against (found with
#     ldd, copied from this machine), the dynamic loader, and glibc's C.UTF-8 locale,
#   - /etc/passwd and /etc/group with a nonroot user and group 65532 (home /home/nonroot, owned by
#     it), /etc/nsswitch.conf, and /tmp (mode 1777),
# all in one layer, written as a docker-archive (the `docker save` format: manifest.json, the
# config JSON and the layer tar). Jib takes it as `tar://.../edgepipe-jre-base.tar`
# (mvn -Poffline-images, see docs/images.md); `podman load -i` and `docker load -i` read it too.
#
# --headless builds target/base/edgepipe-jre-headless-base.tar (edgepipe/jre-headless-base:17)
# instead: the same without java.desktop, and so without the font/image libraries it links
# (freetype, harfbuzz, png, jpeg, lcms2, glib). It is the base of the compute-stage and sink
# images (stage-launcher/pom.xml), which draw, decode and encode no pictures.
#
# The image is built for this machine's architecture (amd64 here). Users with registry access do
# not need it: the default base of the Jib build is eclipse-temurin:17-jre (multi-arch).
#
# Environment:
#   EDGEPIPE_JRE_MODULES   modules to jlink (default: a generous set, see below)
#   EDGEPIPE_JRE_CDS=1     also generate a CDS archive (faster JVM start, about +15 MB)
#   EDGEPIPE_BASE_TAG      RepoTags entry of the archive (default edgepipe/jre-base:17)
#   SOURCE_DATE_EPOCH      timestamp of every file and of the config (default 0: reproducible)
#   JAVA_HOME              the JDK whose jlink and modules are used (default: the jlink on PATH)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
headless=0
[[ "${1:-}" == --headless ]] && headless=1
out_dir="$root/target/base"
if (( headless )); then
  out="$out_dir/edgepipe-jre-headless-base.tar"
  tag=${EDGEPIPE_BASE_TAG:-edgepipe/jre-headless-base:17}
else
  out="$out_dir/edgepipe-jre-base.tar"
  tag=${EDGEPIPE_BASE_TAG:-edgepipe/jre-base:17}
fi
epoch=${SOURCE_DATE_EPOCH:-0}

# What the application needs (jdeps over cli's classpath: java.base, java.desktop, java.logging,
# java.naming, java.sql, jdk.httpserver, jdk.jfr, jdk.management, jdk.unsupported), plus what
# gRPC/Netty, fabric8 and TLS use at run time without a static reference (DNS via JNDI, EC and
# Kerberos crypto, HTTP client, zip file system, instrumentation agents, XML), and the Vector API
# incubator module the images resolve with --add-modules (the CPU twins' fast path).
default_modules=java.base,java.logging,java.management,java.naming,java.net.http,java.sql,java.xml,\
java.desktop,java.instrument,java.scripting,java.security.jgss,java.security.sasl,jdk.crypto.ec,\
jdk.unsupported,jdk.httpserver,jdk.jfr,jdk.management,jdk.naming.dns,jdk.zipfs,jdk.incubator.vector
if (( headless )); then
  default_modules=${default_modules/java.desktop,/}
fi
modules=${EDGEPIPE_JRE_MODULES:-$default_modules}

# Native libraries of the JDK that only a desktop needs (X11, sound, splash screen): left out, so
# their X11/ALSA dependencies are not copied. The images run headless (-Djava.awt.headless=true).
desktop_only_libs='libawt_xawt.so|libjawt.so|libjsound.so|libsplashscreen.so'

die() { echo "build-base-image: $*" >&2; exit 2; }

for tool in ldd tar sha256sum; do
  command -v "$tool" >/dev/null || die "needs $tool"
done
if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/jlink" ]]; then
  jdk=$JAVA_HOME
else
  jlink_bin=$(command -v jlink) || die "needs a JDK (jlink not on PATH and JAVA_HOME not set)"
  jdk=$(dirname "$(dirname "$(readlink -f "$jlink_bin")")")
fi
jdk_release=$("$jdk/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.version = //p')
jdk_major=${jdk_release%%.*}
(( jdk_major >= 17 )) || die "JDK $jdk_release at $jdk is older than 17"

case "$(uname -m)" in
  x86_64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) die "unsupported machine $(uname -m)" ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/edgepipe-base.XXXXXX")
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
java_home=/opt/java/openjdk
mkdir -p "$rootfs/opt/java"

# 1. the runtime
compress=--compress=2
(( jdk_major >= 21 )) && compress=--compress=zip-6
cds=()
[[ "${EDGEPIPE_JRE_CDS:-0}" == 1 ]] && cds=(--generate-cds-archive)
echo "build-base-image: jlink of JDK $jdk_release ($arch): $modules"
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  "$compress" "${cds[@]}" --output "$rootfs$java_home"
# Debian's JDK links cacerts to /etc/ssl/certs/java/cacerts; keep the content, not the link
if [[ -L "$rootfs$java_home/lib/security/cacerts" ]]; then
  cp --remove-destination -L "$jdk/lib/security/cacerts" "$rootfs$java_home/lib/security/cacerts"
fi
find "$rootfs$java_home/lib" -maxdepth 1 -type f -regextype posix-extended \
  -regex ".*/($desktop_only_libs)" -delete

# 2. the shared libraries it links against, and the dynamic loader, at the paths they have here
#    (e.g. /lib/x86_64-linux-gnu/libc.so.6, /lib64/ld-linux-x86-64.so.2): the loader searches
#    those directories by default, so no ld.so.cache is needed.
elfs=$(find "$rootfs$java_home" -type f \( -name '*.so' -o -path '*/bin/*' \))
# plus the glibc/C++ runtime libraries the app's own JNI natives load from the system (JCuda; JavaCPP's
# OpenCV/FFmpeg bundle the rest; jline's terminal native in the progress bar needs libutil)
ldconfig=$(command -v ldconfig || echo /sbin/ldconfig)
"$ldconfig" -p > "$work/ldcache.txt" 2>/dev/null || true
extra_libs=(libstdc++.so.6 libgcc_s.so.1 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 libutil.so.1 libresolv.so.2 libz.so.1)
{
  # shellcheck disable=SC2086
  LD_LIBRARY_PATH="$rootfs$java_home/lib:$rootfs$java_home/lib/server" ldd $elfs 2>/dev/null || true
  for lib in "${extra_libs[@]}"; do
    awk -v l="$lib" -v a="$([[ $arch == amd64 ]] && echo x86-64 || echo AArch64)" \
      '$1 == l && index($0, a) && !done { print l " => " $NF " (0)"; done = 1 }' "$work/ldcache.txt"
  done
} | awk '
    $2 == "=>" && $3 ~ /^\// { print $3 }      # libfoo.so.1 => /lib/.../libfoo.so.1 (0x...)
    $1 ~ /^\// { print $1 }                    # /lib64/ld-linux-x86-64.so.2 (0x...)
  ' | grep -v "^$rootfs" | sort -u > "$work/libs.txt"
[[ -s "$work/libs.txt" ]] || die "ldd found no libraries (is $jdk a dynamically linked JDK?)"
while read -r lib; do
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done < "$work/libs.txt"
echo "build-base-image: $(wc -l < "$work/libs.txt") shared libraries: $(xargs -n1 basename < "$work/libs.txt" | tr '\n' ' ')"
# glibc's C.UTF-8 locale (LANG=C.UTF-8 below), so the JVM's default charset is UTF-8
for locale_dir in /usr/lib/locale/C.utf8 /usr/lib/locale/C.UTF-8; do
  if [[ -d "$locale_dir" ]]; then
    mkdir -p "$rootfs/usr/lib/locale"
    cp -r "$locale_dir" "$rootfs/usr/lib/locale/"
    break
  fi
done

# 3. users, name service, writable places
mkdir -p "$rootfs/etc" "$rootfs/home/nonroot" "$rootfs/tmp" "$rootfs/bin" "$rootfs/usr/bin"
cat > "$rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
EOF
cat > "$rootfs/etc/group" <<'EOF'
root:x:0:
nobody:x:65534:
nonroot:x:65532:
EOF
cat > "$rootfs/etc/nsswitch.conf" <<'EOF'
passwd: files
group: files
hosts: files dns
EOF
ln -s "$java_home/bin/java" "$rootfs/usr/bin/java"
cat > "$rootfs/etc/edgepipe-base-release" <<EOF
edgepipe JRE base image, made by scripts/build-base-image.sh
jdk=$jdk_release
arch=$arch
modules=$modules
EOF
find "$rootfs" -type d -exec chmod 0755 {} +
find "$rootfs" -type f -exec chmod go-w {} +
chmod 1777 "$rootfs/tmp"
chmod 0700 "$rootfs/home/nonroot"

# 4. the layer: everything owned by root except the nonroot home; fixed order and timestamps
layer="$work/layer.tar"
tar_opts=(--format=gnu --sort=name --mtime="@$epoch" --numeric-owner -C "$rootfs")
tar "${tar_opts[@]}" --owner=0 --group=0 --exclude=./home/nonroot -cf "$layer" .
tar "${tar_opts[@]}" --owner=65532 --group=65532 -rf "$layer" ./home/nonroot
layer_sha=$(sha256sum "$layer" | cut -d' ' -f1)

# 5. config and manifest (docker-archive)
created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)
config="$work/config.json"
cat > "$config" <<EOF
{"architecture":"$arch","os":"linux","created":"$created",
 "config":{"User":"65532:65532",
  "Env":["PATH=$java_home/bin:/usr/local/bin:/usr/bin:/bin","JAVA_HOME=$java_home","LANG=C.UTF-8","HOME=/home/nonroot"],
  "WorkingDir":"/home/nonroot",
  "Labels":{"org.opencontainers.image.title":"edgepipe-jre-base","org.opencontainers.image.description":"jlink'ed JRE $jdk_release with glibc from the build machine; made by scripts/build-base-image.sh","io.edgepipe.jre.modules":"$modules"}},
 "rootfs":{"type":"layers","diff_ids":["sha256:$layer_sha"]},
 "history":[{"created":"$created","created_by":"scripts/build-base-image.sh (jlink $jdk_release)"}]}
EOF
config_sha=$(sha256sum "$config" | cut -d' ' -f1)
archive="$work/archive"
mkdir -p "$archive/$layer_sha"
mv "$layer" "$archive/$layer_sha/layer.tar"
mv "$config" "$archive/$config_sha.json"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]\n' \
  "$config_sha" "$tag" "$layer_sha" > "$archive/manifest.json"

mkdir -p "$out_dir"
tar --format=gnu --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner -C "$archive" \
  -cf "$out.tmp" manifest.json "$config_sha.json" "$layer_sha"
mv "$out.tmp" "$out"
size_mb=$(awk -v b="$(stat -c %s "$out")" 'BEGIN { printf "%.1f", b / 1048576 }')
echo "build-base-image: wrote $out ($size_mb MB, image $tag, $arch, JRE $jdk_release, user 65532)"
