// CUDA twin of LeakyReluKind.LeakyReluKernel (leakyrelu_f32): x < 0 ? alpha*x : x (NaN and -0
// pass through). Arguments as UnaryKind.UnaryKernel; alpha is float bits, p2 is unused.
#include "../kinds.cuh"

extern "C" __global__ void leakyrelu_f32(const float* __restrict__ in, float* __restrict__ out, int n,
                                         int p1, int p2)
{
    const float alpha = __int_as_float(p1);
    FOR_EACH(i, n) {
        const float x = in[i];
        out[i] = x < 0.0f ? __fmul_rn(alpha, x) : x;
    }
}
