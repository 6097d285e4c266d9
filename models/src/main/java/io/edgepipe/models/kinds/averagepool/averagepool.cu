// CUDA twin of AveragePoolKind.AveragePoolKernel (avgpool2d_f32): the window's inputs summed row by
// row from 0 (each sum rounded), divided by the number of inputs inside the image, or by kh*kw
// when flag (count_include_pad) is 1. Arguments as PoolKind.PoolKernel. One thread per output.
#include "../pool.cuh"

extern "C" __global__ void avgpool2d_f32(const float* __restrict__ in, float* __restrict__ out, int nc, int h,
                                         int w, int kh, int kw, int sh, int sw, int pt, int pl, int oh, int ow,
                                         int flag)
{
    FOR_EACH(i, (long long)nc * oh * ow) {
        const PoolWindow win = pool_window(i, h, w, kh, kw, sh, sw, pt, pl, oh, ow);
        float sum = 0.0f;
        int count = 0;
        for (int y = win.y0; y < win.y1; y++) {
            for (int x = win.x0; x < win.x1; x++) {
                sum = __fadd_rn(sum, in[win.base + (long long)y * w + x]);
                count++;
            }
        }
        out[i] = __fdiv_rn(sum, (float)(flag == 1 ? kh * kw : count));
    }
}
