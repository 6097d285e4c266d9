#!/usr/bin/env bash
# Rebuilds the committed PTX of the kernels module from its CUDA C source:
#   kernels/src/main/cuda/edgepipe.cu -> kernels/src/main/resources/io/edgepipe/kernels/edgepipe.ptx
# Needs nvcc (no GPU). NVCC=/path/to/nvcc overrides the compiler, ARCH=compute_XX the virtual
# architecture (default compute_75, the oldest nvcc 13 accepts; the PTX is JIT-compiled by the
# driver for the actual GPU, so older targets run on newer GPUs).
# -fmad=false: no a*b+c contraction into FMA, so results match the Java twins (see edgepipe.cu).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
nvcc="${NVCC:-$(command -v nvcc || echo /usr/local/bin/nvcc)}"
arch="${ARCH:-compute_75}"
src="$root/kernels/src/main/cuda/edgepipe.cu"
out="$root/kernels/src/main/resources/io/edgepipe/kernels/edgepipe.ptx"

if [ ! -x "$nvcc" ]; then
  echo "build-ptx: nvcc not found (set NVCC=/path/to/nvcc)" >&2
  exit 1
fi
mkdir -p "$(dirname "$out")"
"$nvcc" -ptx -fmad=false -arch="$arch" -o "$out.tmp" "$src"
mv "$out.tmp" "$out"
echo "build-ptx: wrote $out ($("$nvcc" --version | tail -1))"
grep -E '^\.(version|target|address_size)' "$out"
grep -E '^\.visible \.entry' "$out" | sed 's/(.*//'
