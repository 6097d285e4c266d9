// CUDA twin of MaxPoolKind.MaxPoolKernel (maxpool2d_f32): the largest input of the window, with
// Java's Math.max from -infinity in row order (a NaN wins; padding never does). Arguments as
// PoolKind.PoolKernel; flag is unused. One thread per output element.
#include "../pool.cuh"

extern "C" __global__ void maxpool2d_f32(const float* __restrict__ in, float* __restrict__ out, int nc, int h,
                                         int w, int kh, int kw, int sh, int sw, int pt, int pl, int oh, int ow,
                                         int flag)
{
    FOR_EACH(i, (long long)nc * oh * ow) {
        const PoolWindow win = pool_window(i, h, w, kh, kw, sh, sw, pt, pl, oh, ow);
        float m = -INFINITY;
        for (int y = win.y0; y < win.y1; y++) {
            for (int x = win.x0; x < win.x1; x++) {
                m = java_max(m, in[win.base + (long long)y * w + x]);
            }
        }
        out[i] = m;
    }
}
