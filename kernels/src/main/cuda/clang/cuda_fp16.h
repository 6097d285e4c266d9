// The part of the CUDA SDK's cuda_fp16.h that edgepipe.cu uses, for clang without the SDK (found
// first on the include path by scripts/build-ptx.sh; nvcc never sees this file). The conversions
// are the PTX instructions nvcc emits for them: cvt.f32.f16 (exact) and cvt.rn.f16.f32 (round to
// nearest even).
#ifndef EDGEPIPE_CLANG_CUDA_FP16_H
#define EDGEPIPE_CLANG_CUDA_FP16_H

struct __half {
    unsigned short x;
};

static __device__ __forceinline__ __half __ushort_as_half(unsigned short u) { __half h; h.x = u; return h; }
static __device__ __forceinline__ unsigned short __half_as_ushort(__half h) { return h.x; }
static __device__ __forceinline__ float __half2float(__half h)
{
    float f;
    asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h.x));
    return f;
}
static __device__ __forceinline__ __half __float2half_rn(float f)
{
    __half h;
    asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h.x) : "f"(f));
    return h;
}

#endif
