// edgepipe kernels: the CUDA C twins of the Java classes in io.edgepipe.kernels.
//
// The names and argument orders are the contract in
// vgpu/src/main/java/io/edgepipe/vgpu/KernelCatalog.java; the semantics (layout, padding,
// rounding, NaN handling, order of accumulation) are specified in the Javadoc of the Java twins
// (Conv2d, Relu, MaxPool, Convert) and are matched here operation for operation, so that the GPU
// and the CPU emulation give the same bits.
//
// Every kernel is element-wise independent over its output: launch a 1-D grid of 256-thread
// blocks (KernelCatalog.BLOCK); each thread walks the output with a grid-stride loop, so any grid
// size is correct (KernelCatalog.gridFor(n) gives one thread per output element).
//
// Rebuild the committed PTX after editing this file (needs nvcc, no GPU):
//     scripts/build-ptx.sh
// which runs
//     nvcc -ptx -fmad=false -arch=compute_75 -o kernels/src/main/resources/io/edgepipe/kernels/edgepipe.ptx \
//          kernels/src/main/cuda/edgepipe.cu
// -fmad=false forbids contracting a*b+c into an FMA (the explicit __fmul_rn/__fadd_rn below are
// never contracted anyway); compute_75 is the oldest virtual architecture nvcc 13 accepts.

#include <cuda_fp16.h>

// Grid-stride loop over [0, n): 64-bit index so that large outputs cannot overflow.
#define FOR_EACH(i, n)                                                              \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (long long)(n); \
         i += (long long)blockDim.x * gridDim.x)

// conv2d: out[co][oy][ox] = bias[co] + sum_{ci,ky,kx} in[ci][oy*s-pad+ky][ox*s-pad+kx] * w[co][ci][ky][kx]
// Taps outside the input are skipped (zero padding). Accumulation order: bias, then ci, ky, kx
// ascending; each product and sum rounded to float32 (no FMA), exactly as Conv2d.java.
extern "C" __global__ void conv2d_f32(const float* __restrict__ in, const float* __restrict__ weights,
                                      const float* __restrict__ bias, float* __restrict__ out,
                                      int cin, int h, int w, int cout, int k, int stride, int pad,
                                      int oh, int ow)
{
    const long long n = (long long)cout * oh * ow;
    FOR_EACH(i, n) {
        const int ox = (int)(i % ow);
        const int oy = (int)((i / ow) % oh);
        const int co = (int)(i / ((long long)ow * oh));
        const int iy0 = oy * stride - pad;
        const int ix0 = ox * stride - pad;
        const int kyLo = max(0, -iy0), kyHi = min(k, h - iy0);
        const int kxLo = max(0, -ix0), kxHi = min(k, w - ix0);
        float acc = bias[co];
        for (int ci = 0; ci < cin; ci++) {
            for (int ky = kyLo; ky < kyHi; ky++) {
                const float* row = in + ((long long)ci * h + iy0 + ky) * w + ix0;
                const float* wr = weights + (((long long)co * cin + ci) * k + ky) * k;
                for (int kx = kxLo; kx < kxHi; kx++) {
                    acc = __fadd_rn(acc, __fmul_rn(row[kx], wr[kx]));
                }
            }
        }
        out[i] = acc;
    }
}

// relu: out = in > 0 ? in : +0.0f (NaN -> +0, -0 -> +0), as Relu.java. out may equal in.
// The test is written on the bits (x > 0 exactly when bits - 1 < 0x7f800000 unsigned, i.e. bits in
// [1, 0x7f800000]) because nvcc turns "x > 0.0f ? x : 0.0f" into max.f32, whose choice between
// -0.0 and +0.0 we would rather not depend on.
extern "C" __global__ void relu_f32(const float* in, float* out, int n)
{
    FOR_EACH(i, n) {
        const float x = in[i];
        // Java's Math.max(x, +0.0f): a NaN is returned as it is; otherwise +0 for x <= 0 (-0
        // included), x itself above (the bit test keeps us off max.f32's choice of zero's sign)
        out[i] = (x != x) ? x : ((__float_as_uint(x) - 1u < 0x7f800000u) ? x : 0.0f);
    }
}

// maxpool: no padding; the maximum with -0.0 < +0.0, and the canonical NaN 0x7fc00000 if any value
// in the window is NaN, as MaxPool.java (Java's Math.max order, with the NaN payload fixed).
extern "C" __global__ void maxpool_f32(const float* __restrict__ in, float* __restrict__ out,
                                       int c, int h, int w, int window, int stride, int oh, int ow)
{
    const long long n = (long long)c * oh * ow;
    FOR_EACH(i, n) {
        const int ox = (int)(i % ow);
        const int oy = (int)((i / ow) % oh);
        const int ch = (int)(i / ((long long)ow * oh));
        const float* base = in + ((long long)ch * h + (long long)oy * stride) * w + (long long)ox * stride;
        float m = -INFINITY;
        bool nan = false;
        for (int ky = 0; ky < window; ky++) {
            for (int kx = 0; kx < window; kx++) {
                const float v = base[(long long)ky * w + kx];
                nan |= v != v;
                // larger wins; on a tie between zeros, +0 (bits 0) replaces -0
                if (v > m || (v == m && __float_as_uint(v) == 0u)) m = v;
            }
        }
        out[i] = nan ? __uint_as_float(0x7fc00000u) : m;
    }
}

// Interleaved u8 HWC (BGR as captured, order kept) to planar f32 CHW in [0,1]:
// out[ch*h*w + p] = in[p*c + ch] / 255 (float32 division, correctly rounded).
extern "C" __global__ void bgr_u8_hwc_to_f32_chw(const unsigned char* __restrict__ in,
                                                 float* __restrict__ out, int h, int w, int c)
{
    const long long plane = (long long)h * w;
    FOR_EACH(i, plane * c) {
        const long long ch = i / plane;
        const long long p = i - ch * plane;
        out[i] = __fdiv_rn((float)in[p * c + ch], 255.0f);
    }
}

// out = in / 255 (float32 division, correctly rounded).
extern "C" __global__ void u8_to_f32(const unsigned char* __restrict__ in, float* __restrict__ out, int n)
{
    FOR_EACH(i, n) {
        out[i] = __fdiv_rn((float)in[i], 255.0f);
    }
}

// out = round-half-even(clamp(in,0,1) * 255); the clamp x > 0 ? min(x,1) : 0 sends NaN to 0.
extern "C" __global__ void f32_to_u8(const float* __restrict__ in, unsigned char* __restrict__ out, int n)
{
    FOR_EACH(i, n) {
        const float x = in[i];
        const float v = x > 0.0f ? (x < 1.0f ? x : 1.0f) : 0.0f;
        out[i] = (unsigned char)__float2int_rn(__fmul_rn(v, 255.0f));
    }
}

// binary16 -> float32. Finite values and infinities via __half2float (exact); NaN bits are built
// explicitly (sign | 0x7f800000 | payload << 13) to match io.edgepipe.api.Float16.toFloat bit for
// bit, since the hardware conversion may return a canonical NaN.
extern "C" __global__ void f16_to_f32(const unsigned short* __restrict__ in, float* __restrict__ out, int n)
{
    FOR_EACH(i, n) {
        const unsigned int hb = in[i];
        if ((hb & 0x7c00u) == 0x7c00u && (hb & 0x03ffu) != 0u) {
            out[i] = __uint_as_float(((hb & 0x8000u) << 16) | 0x7f800000u | ((hb & 0x03ffu) << 13));
        } else {
            out[i] = __half2float(__ushort_as_half((unsigned short)hb));
        }
    }
}

// float32 -> binary16, round to nearest even (__float2half_rn). NaN bits are built explicitly
// (sign | 0x7c00 | 0x200 | payload >> 13, a quiet NaN) to match Float16.fromFloat.
extern "C" __global__ void f32_to_f16(const float* __restrict__ in, unsigned short* __restrict__ out, int n)
{
    FOR_EACH(i, n) {
        const float x = in[i];
        if (x != x) {
            const unsigned int fb = __float_as_uint(x);
            out[i] = (unsigned short)(((fb >> 16) & 0x8000u) | 0x7c00u | 0x200u | ((fb & 0x7fffffu) >> 13));
        } else {
            out[i] = __half_as_ushort(__float2half_rn(x));
        }
    }
}
