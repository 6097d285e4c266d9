// What nvcc's headers give a kernel, for clang without the CUDA SDK:
//   clang -x cuda --cuda-device-only --cuda-gpu-arch=sm_75 -nocudainc -nocudalib \
//         -ffp-contract=off -include kernels/src/main/cuda/clang_device.h -S FILE.cu
// (scripts/build-ptx.sh). Only what the project's kernels use: the execution-space keywords,
// threadIdx/blockIdx/blockDim/gridDim (clang's own header over the PTX special registers), the
// correctly rounded float/double operations as NVVM builtins (never contracted into FMA), bit
// casts, and exp(double) from libdevice (linked by the script with -mlink-builtin-bitcode);
// clang/cuda_fp16.h beside this file stands in for the SDK's half-precision conversions.
#ifndef EDGEPIPE_CLANG_DEVICE_H
#define EDGEPIPE_CLANG_DEVICE_H

#define __global__ __attribute__((global))
#define __device__ __attribute__((device))
#define __forceinline__ __inline__ __attribute__((always_inline))

#include <__clang_cuda_builtin_vars.h>

#define INFINITY __builtin_inff()

static __device__ __forceinline__ float __fadd_rn(float a, float b) { return __nvvm_add_rn_f(a, b); }
// a - b is a + (-b) exactly (IEEE 754 defines it so; negation is exact)
static __device__ __forceinline__ float __fsub_rn(float a, float b) { return __nvvm_add_rn_f(a, -b); }
static __device__ __forceinline__ float __fmul_rn(float a, float b) { return __nvvm_mul_rn_f(a, b); }
static __device__ __forceinline__ float __fdiv_rn(float a, float b) { return __nvvm_div_rn_f(a, b); }
static __device__ __forceinline__ float __fmaf_rn(float a, float b, float c) { return __nvvm_fma_rn_f(a, b, c); }
static __device__ __forceinline__ double __dsqrt_rn(double a) { return __nvvm_sqrt_rn_d(a); }
static __device__ __forceinline__ double __ddiv_rn(double a, double b) { return __nvvm_div_rn_d(a, b); }
static __device__ __forceinline__ float __double2float_rn(double a) { return __nvvm_d2f_rn(a); }
static __device__ __forceinline__ int __float2int_rn(float a) { return __nvvm_f2i_rn(a); }
static __device__ __forceinline__ int max(int a, int b) { return a > b ? a : b; }
static __device__ __forceinline__ int min(int a, int b) { return a < b ? a : b; }
static __device__ __forceinline__ float __int_as_float(int a) { return __builtin_bit_cast(float, a); }
static __device__ __forceinline__ unsigned int __float_as_uint(float a) { return __builtin_bit_cast(unsigned int, a); }
static __device__ __forceinline__ float __uint_as_float(unsigned int a) { return __builtin_bit_cast(float, a); }

extern "C" __device__ double __nv_exp(double);
static __device__ __forceinline__ double exp(double a) { return __nv_exp(a); }

#endif
