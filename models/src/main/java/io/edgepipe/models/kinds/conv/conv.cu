// CUDA twin of ConvKernel (conv2d_group_f32): grouped 2-D convolution (depthwise when group = cin =
// cout) with strides, dilations and asymmetric zero padding, NCHW:
//   out[b,o,y,x] = bias[o] + sum over (c in o's group, ky, kx) of
//                  w[o,c,ky,kx] * in[b, g*cpg + c, y*sh - pt + ky*dh, x*sw - pl + kx*dw]
// summed from bias[o] in the order c, ky, kx, each term added with one fused multiply-add
// (fma.rn.f32, as the twin's Math.fma), a tap in the padding as a term of value 0 (as the twin's
// im2col rows): every element's sequence of operations is the twin's, so the results are the same
// bits. One thread per output element.
#include "../kinds.cuh"

extern "C" __global__ void conv2d_group_f32(const float* __restrict__ in, const float* __restrict__ weights,
                                            const float* __restrict__ bias, float* __restrict__ out, int n, int cin,
                                            int h, int w, int cout, int kh, int kw, int sh, int sw, int pt, int pl,
                                            int dh, int dw, int group, int oh, int ow)
{
    const int cpg = cin / group;
    const int opg = cout / group;
    FOR_EACH(i, (long long)n * cout * oh * ow) {
        const int x = (int)(i % ow);
        const int y = (int)((i / ow) % oh);
        const long long plane = i / ((long long)ow * oh); // b * cout + o
        const int o = (int)(plane % cout);
        const long long b = plane / cout;
        const float* src = in + (b * cin + (long long)(o / opg) * cpg) * h * w;
        const float* wt = weights + (long long)o * cpg * kh * kw;
        float acc = bias[o];
        for (int c = 0; c < cpg; c++) {
            for (int ky = 0; ky < kh; ky++) {
                const int iy = y * sh - pt + ky * dh;
                const bool rowInside = iy >= 0 && iy < h;
                const float* row = src + ((long long)c * h + (rowInside ? iy : 0)) * w; // read only inside
                const float* wr = wt + ((long long)c * kh + ky) * kw;
                for (int kx = 0; kx < kw; kx++) {
                    const int ix = x * sw - pl + kx * dw;
                    const float v = rowInside && ix >= 0 && ix < w ? row[ix] : 0.0f;
                    acc = __fmaf_rn(wr[kx], v, acc);
                }
            }
        }
        out[i] = acc;
    }
}
