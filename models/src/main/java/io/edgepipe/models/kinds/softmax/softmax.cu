// CUDA twin of SoftmaxKind.SoftmaxKernel (softmax_f32) over [outer, n, inner], along n: the maximum
// with Java's Math.max from -infinity, e = (float)exp((double)(x - max)) written out while summed
// from 0 in order (each sum rounded), then each e divided by the sum. One thread per (outer, inner)
// row. exp is CUDA's double exp (libdevice, within 1 ulp of double) where Java has Math.exp: after
// rounding to float the two agree except where the double lands within an ulp of a float rounding
// boundary, so this kernel agrees with its twin to 1 float ulp, not bit for bit.
#include "../kinds.cuh"

extern "C" __global__ void softmax_f32(const float* __restrict__ in, float* __restrict__ out, int outer, int n,
                                       int inner)
{
    FOR_EACH(r, (long long)outer * inner) {
        const long long o = r / inner;
        const long long base = o * n * inner + (r - o * inner);
        float max = -INFINITY;
        for (int j = 0; j < n; j++) {
            max = java_max(max, in[base + (long long)j * inner]);
        }
        float sum = 0.0f;
        for (int j = 0; j < n; j++) {
            const float e = __double2float_rn(exp((double)__fsub_rn(in[base + (long long)j * inner], max)));
            out[base + (long long)j * inner] = e;
            sum = __fadd_rn(sum, e);
        }
        for (int j = 0; j < n; j++) {
            out[base + (long long)j * inner] = __fdiv_rn(out[base + (long long)j * inner], sum);
        }
    }
}
