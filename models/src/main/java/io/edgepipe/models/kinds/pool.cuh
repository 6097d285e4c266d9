// Index arithmetic of the 2-D pooling kernels (maxpool, averagepool): PoolKind's layout.
#ifndef EDGEPIPE_POOL_CUH
#define EDGEPIPE_POOL_CUH
#include "kinds.cuh"

// The window of output element i of [nc, oh, ow]: its plane's first input and the rows
// [y0, y1) and columns [x0, x1) of the h x w plane it covers (padding cut off).
struct PoolWindow {
    long long base;
    int y0, y1, x0, x1;
};

static __device__ __forceinline__ PoolWindow pool_window(long long i, int h, int w, int kh, int kw, int sh, int sw,
    int pt, int pl, int oh, int ow)
{
    const int x = (int)(i % ow);
    const int y = (int)((i / ow) % oh);
    const long long c = i / ((long long)ow * oh);
    const int top = y * sh - pt;
    const int left = x * sw - pl;
    PoolWindow win;
    win.base = c * h * w;
    win.y0 = top > 0 ? top : 0;
    win.y1 = top + kh < h ? top + kh : h;
    win.x0 = left > 0 ? left : 0;
    win.x1 = left + kw < w ? left + kw : w;
    return win;
}

#endif
