// CUDA twin of HardSigmoidKind.HardSigmoidKernel (hardsigmoid_f32):
// out = max(0, min(1, alpha*x + beta)) with Java's Math.max/min; the product and the sum are
// each rounded (no FMA). Arguments as UnaryKind.UnaryKernel; alpha and beta are float bits.
#include "../kinds.cuh"

extern "C" __global__ void hardsigmoid_f32(const float* __restrict__ in, float* __restrict__ out, int n,
                                           int p1, int p2)
{
    const float alpha = __int_as_float(p1);
    const float beta = __int_as_float(p2);
    FOR_EACH(i, n) {
        out[i] = java_max(0.0f, java_min(1.0f, __fadd_rn(__fmul_rn(alpha, in[i]), beta)));
    }
}
