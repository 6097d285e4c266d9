#!/usr/bin/env bash
# Fetches NVIDIA's CUDA 13.0 compiler (nvcc, cicc, ptxas, libdevice and the headers nvcc needs) as
# the pinned wheels NVIDIA publishes on PyPI, sha256-checked, unpacked into
#   ${EDGEPIPE_CUDA_HOME:-~/.cache/edgepipe/cuda-13.0.88}/nvidia/cu13/bin/nvcc
# No GPU and no CUDA installation are needed: this is what scripts/build-ptx.sh uses to build the
# committed PTX when no nvcc is installed. It is the same release (13.0.88) that built the thesis
# kernels' PTX, which it reproduces byte for byte. Prints the nvcc path.
set -euo pipefail

dest="${EDGEPIPE_CUDA_HOME:-$HOME/.cache/edgepipe/cuda-13.0.88}"
nvcc="$dest/nvidia/cu13/bin/nvcc"
if [ -x "$nvcc" ]; then
  echo "$nvcc"
  exit 0
fi

# name==version sha256 (the manylinux x86_64 wheel pip picks here)
wheels=(
  "nvidia-cuda-nvcc==13.0.88 56fe502eb77625a12f25172caa3cdddb4e4c8ba2c8c17dba44b164761b380f03"
  "nvidia-nvvm==13.0.88 c5f41ffeb6466944a026dfa5317d7d85355c119bbec279205d22f1869d1054e0"
  "nvidia-cuda-crt==13.0.88 2c8043c7c9e02492716426e9919fc78d2c5b3b2a7a768a88e952676b08aa55a4"
  "nvidia-cuda-runtime==13.0.96 7f82250d7782aa23b6cfe765ecc7db554bd3c2870c43f3d1821f1d18aebf0548"
  "nvidia-cuda-cccl==13.0.85 e0da7ad981f3a8aff08241b5bfc1af868742a63e2762f53a5171c492ef242649"
)
if [ "$(uname -m)" != x86_64 ]; then
  echo "fetch-nvcc: the pinned wheels are for x86_64 Linux, this is $(uname -m)" >&2
  exit 1
fi
pip=(python3 -m pip)
if ! "${pip[@]}" --version >/dev/null 2>&1; then
  echo "fetch-nvcc: needs pip (python3 -m pip)" >&2
  exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for w in "${wheels[@]}"; do
  spec="${w% *}"
  sum="${w#* }"
  "${pip[@]}" download --quiet --no-deps --only-binary=:all: --platform manylinux2014_x86_64 \
    --python-version 3 -d "$work/dl" "$spec" >&2
  file="$(ls -t "$work/dl"/*.whl | head -1)"
  if [ "$(sha256sum "$file" | cut -d' ' -f1)" != "$sum" ]; then
    echo "fetch-nvcc: sha256 mismatch for $spec ($(basename "$file"))" >&2
    exit 1
  fi
  python3 -m zipfile -e "$file" "$work/tree"
  mv "$file" "$work/$(basename "$file").done"
done
chmod +x "$work/tree/nvidia/cu13/bin/"* "$work/tree/nvidia/cu13/nvvm/bin/"*
mkdir -p "$(dirname "$dest")"
rm -rf "$dest"
mv "$work/tree" "$dest"
echo "$nvcc"
