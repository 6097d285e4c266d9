// Shared by the CUDA C kernels of the layer kinds (kinds/<kind>/<kind>.cu).
//
// Each kernel is the CUDA twin of the Java CPU twin in the same folder: same name, same arguments
// in the same order (the Java Kernel's signature), and the same arithmetic in the same order, each
// float operation rounded once (no a*b+c contraction into FMA: the explicit __fadd_rn/__fmul_rn
// are never contracted, and the PTX is built with -fmad=false / -ffp-contract=off; a kernel whose
// twin calls Math.fma calls __fmaf_rn at the same place, as conv.cu does), so that the
// cuda and cpu devices agree bit for bit wherever the twin is defined that way (its Javadoc says).
//
// One thread per output element (or per row, where the twin reduces a row), 1-D grid of
// KernelCatalog.BLOCK-thread blocks, grid-stride loop: any grid size is correct. No shared memory,
// so the same source also compiles as host C++ under a grid-emulating shim and is checked there
// against the Java twins (models/src/test/cuda/host_grid.h, CudaSourceTwinTest).
//
// Three compilers read this file (scripts/build-ptx.sh):
//   nvcc -ptx -fmad=false -arch=compute_75            (the intrinsics below are CUDA's own)
//   clang -x cuda --cuda-device-only -include kernels/src/main/cuda/clang_device.h
//   g++ -include models/src/test/cuda/host_grid.h    (the tests' host emulation)
#ifndef EDGEPIPE_KINDS_CUH
#define EDGEPIPE_KINDS_CUH

// Grid-stride loop over [0, n): 64-bit index so that large outputs cannot overflow.
#define FOR_EACH(i, n)                                                                         \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (long long)(n);   \
         i += (long long)blockDim.x * gridDim.x)

// Java's Math.max(float, float): NaN if either is NaN (the first NaN argument, payload kept),
// +0 above -0. fmaxf differs on both counts, so it is not used.
static __device__ __forceinline__ float java_max(float a, float b)
{
    if (a != a) return a;
    if (a == 0.0f && b == 0.0f && __float_as_uint(a) == 0x80000000u) return b;
    return a >= b ? a : b;
}

// Java's Math.min(float, float): NaN if either is NaN, -0 below +0.
static __device__ __forceinline__ float java_min(float a, float b)
{
    if (a != a) return a;
    if (a == 0.0f && b == 0.0f && __float_as_uint(b) == 0x80000000u) return b;
    return a <= b ? a : b;
}

#endif
