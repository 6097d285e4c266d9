// CUDA twin of BatchNormKind.BatchNormKernel (batchnorm_f32), in inference mode over [n, c, inner]:
// inv = (float)(1.0 / sqrt((double)(var[c] + eps))) * scale[c]   (the root and quotient in double,
// correctly rounded, as Java's Math.sqrt and /), then out = (in - mean[c]) * inv + bias[c], each
// float operation rounded once. eps is float bits. One thread per element.
#include "../kinds.cuh"

extern "C" __global__ void batchnorm_f32(const float* __restrict__ in, const float* __restrict__ scale,
                                         const float* __restrict__ bias, const float* __restrict__ mean,
                                         const float* __restrict__ var, float* __restrict__ out, int n, int c,
                                         int inner, int eps)
{
    const float e = __int_as_float(eps);
    FOR_EACH(i, (long long)n * c * inner) {
        const int ch = (int)((i / inner) % c);
        const double root = __dsqrt_rn((double)__fadd_rn(var[ch], e));
        const float inv = __fmul_rn(__double2float_rn(__ddiv_rn(1.0, root)), scale[ch]);
        out[i] = __fadd_rn(__fmul_rn(__fsub_rn(in[i], mean[ch]), inv), bias[ch]);
    }
}
