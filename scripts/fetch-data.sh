#!/usr/bin/env bash
# Real footage for the codec benchmark and tests: vtest.avi (768x576 pedestrian CCTV, 10 fps,
# 795 frames) from Debian's opencv-doc package. Downloads the .deb with apt-get (no install,
# no root needed), checks its sha256, extracts only the files we use, and checks theirs.
# Idempotent: a second run with the files in place does nothing. Prints the data folder.
#   scripts/fetch-data.sh [DIR]   (default: $EDGEPIPE_DATA or ~/.cache/edgepipe/data)
set -euo pipefail
dir=${1:-${EDGEPIPE_DATA:-$HOME/.cache/edgepipe/data}}
deb_version=4.6.0+dfsg-12
deb_sha256=4b12681df35878207ac7097dc66184b2ae552e4bf4ddd2af04a0f03ed0b8682a
vtest_sha256=45cddc9490be69345cbdab64ca583be65987e864ca408038e648db99e10516cf
member=./usr/share/doc/opencv-doc/examples/data/vtest.avi

ok() { [[ -f "$1" ]] && echo "$2  $1" | sha256sum -c --status; }

mkdir -p "$dir"
if ok "$dir/vtest.avi" "$vtest_sha256"; then
  echo "$dir"
  exit 0
fi
work=$(mktemp -d)
chmod 777 "$work" # apt-get download drops to the _apt user, which must be able to write here
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -q "opencv-doc=$deb_version" >&2)
deb=$(ls "$work"/opencv-doc_*.deb)
if ! ok "$deb" "$deb_sha256"; then
  echo "fetch-data: $(basename "$deb") does not have the expected sha256 $deb_sha256" >&2
  exit 1
fi
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" "$member"
if ! ok "$work/$member" "$vtest_sha256"; then
  echo "fetch-data: vtest.avi from $(basename "$deb") does not have the expected sha256" >&2
  exit 1
fi
mv "$work/$member" "$dir/vtest.avi.part" && mv "$dir/vtest.avi.part" "$dir/vtest.avi"
echo "$dir"
