// CUDA twin of ConcatKind.CopySliceKernel (copy_slice_f32): viewing in as [outer, inner] and out as
// [outer, outInner], copies in's rows to out's columns [offset, offset + inner). One launch per
// Concat input; one thread per element of in.
#include "../kinds.cuh"

extern "C" __global__ void copy_slice_f32(const float* __restrict__ in, float* __restrict__ out, int outer,
                                          int inner, int outInner, int offset)
{
    FOR_EACH(i, (long long)outer * inner) {
        const long long r = i / inner;
        const long long c = i - r * inner;
        out[r * outInner + offset + c] = in[i];
    }
}
