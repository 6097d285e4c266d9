// The broadcasting binary kernels (add, mul, div): BinaryKind's layout and launch arguments.
#ifndef EDGEPIPE_BINARY_CUH
#define EDGEPIPE_BINARY_CUH
#include "kinds.cuh"

struct BinaryOffsets {
    long long a, b;
};

// The elements of a and b that output element i (row-major over d0..d3) reads.
static __device__ __forceinline__ BinaryOffsets binary_offsets(long long i, int d1, int d2, int d3,
    int as0, int as1, int as2, int as3, int bs0, int bs1, int bs2, int bs3)
{
    const long long x = i % d3;
    const long long r = i / d3;
    const long long i2 = r % d2;
    const long long i1 = (r / d2) % d1;
    const long long i0 = r / ((long long)d1 * d2);
    BinaryOffsets o;
    o.a = i0 * as0 + i1 * as1 + i2 * as2 + x * as3;
    o.b = i0 * bs0 + i1 * bs1 + i2 * bs2 + x * bs3;
    return o;
}

// Defines kernel NAME(a, b, out, d0..d3, as0..as3, bs0..bs3): out = OP(a, b) over the broadcast
// output, one thread per output element, one float operation rounded once.
#define BINARY_KERNEL(NAME, OP)                                                                          \
    extern "C" __global__ void NAME(const float* __restrict__ a, const float* __restrict__ b,            \
                                    float* __restrict__ out, int d0, int d1, int d2, int d3, int as0,    \
                                    int as1, int as2, int as3, int bs0, int bs1, int bs2, int bs3)       \
    {                                                                                                    \
        const long long n = (long long)d0 * d1 * d2 * d3;                                                \
        FOR_EACH(i, n) {                                                                                 \
            const BinaryOffsets o = binary_offsets(i, d1, d2, d3, as0, as1, as2, as3, bs0, bs1, bs2, bs3); \
            out[i] = OP(a[o.a], b[o.b]);                                                                 \
        }                                                                                                \
    }

#endif
