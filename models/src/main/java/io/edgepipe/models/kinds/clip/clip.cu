// CUDA twin of ClipKind.ClipKernel (clip_f32): out = min(max(in, lo), hi) with Java's Math.min and
// Math.max (a NaN stays NaN). Arguments as UnaryKind.UnaryKernel; lo and hi are float bits.
#include "../kinds.cuh"

extern "C" __global__ void clip_f32(const float* __restrict__ in, float* __restrict__ out, int n, int p1, int p2)
{
    const float lo = __int_as_float(p1);
    const float hi = __int_as_float(p2);
    FOR_EACH(i, n) {
        out[i] = java_min(java_max(in[i], lo), hi);
    }
}
