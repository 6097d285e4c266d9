// CUDA twin of TransposeKind.TransposeKernel (transpose_f32): in has dims d0..d5 (leading 1s pad a
// lower rank); out[i0..i5] = in[j] where j[p[k]] = i[k], i.e. output axis k walks input axis p[k].
// One thread per output element.
#include "../kinds.cuh"

extern "C" __global__ void transpose_f32(const float* __restrict__ in, float* __restrict__ out, int d0, int d1,
                                         int d2, int d3, int d4, int d5, int p0, int p1, int p2, int p3,
                                         int p4, int p5)
{
    const int d[6] = {d0, d1, d2, d3, d4, d5};
    const int p[6] = {p0, p1, p2, p3, p4, p5};
    long long inStride[6];
    long long s = 1;
    for (int k = 5; k >= 0; k--) {
        inStride[k] = s;
        s *= d[k];
    }
    FOR_EACH(i, s) {
        long long rest = i;
        long long j = 0;
        for (int k = 5; k >= 0; k--) { // output axis k has d[p[k]] entries and walks inStride[p[k]]
            const int len = d[p[k]];
            j += (rest % len) * inStride[p[k]];
            rest /= len;
        }
        out[i] = in[j];
    }
}
