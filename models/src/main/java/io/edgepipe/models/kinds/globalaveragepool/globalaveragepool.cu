// CUDA twin of GlobalAveragePoolKind.GlobalAveragePoolKernel (global_avgpool_f32): each plane of hw
// inputs summed in index order from 0 (each sum rounded), divided by hw. One thread per plane.
#include "../kinds.cuh"

extern "C" __global__ void global_avgpool_f32(const float* __restrict__ in, float* __restrict__ out, int nc, int hw)
{
    FOR_EACH(c, nc) {
        const float* plane = in + c * hw;
        float sum = 0.0f;
        for (int i = 0; i < hw; i++) {
            sum = __fadd_rn(sum, plane[i]);
        }
        out[c] = __fdiv_rn(sum, (float)hw);
    }
}
