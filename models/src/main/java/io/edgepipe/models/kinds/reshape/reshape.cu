// CUDA twin of ReshapeKind.CopyKernel (copy_f32): out = in, element by element. Reshape, Flatten
// and the computed Squeeze/Unsqueeze launch it (row-major data does not move).
#include "../kinds.cuh"

extern "C" __global__ void copy_f32(const float* __restrict__ in, float* __restrict__ out, int n)
{
    FOR_EACH(i, n) {
        out[i] = in[i];
    }
}
