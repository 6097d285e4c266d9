// CUDA twin of ConvKernel (conv2d_group_f32): grouped 2-D convolution (depthwise when group = cin =
// cout) with strides, dilations and asymmetric zero padding, NCHW:
//   out[b,o,y,x] = bias[o] + sum over (c in o's group, ky, kx) of
//                  w[o,c,ky,kx] * in[b, g*cpg + c, y*sh - pt + ky*dh, x*sw - pl + kx*dw]
// summed from bias[o] in the order c, ky, kx, each term added with one fused multiply-add
// (fma.rn.f32, as the twin's Math.fma), a tap in the padding as a term of value 0 (as the twin's
// im2col rows): every element's sequence of operations is the twin's, so the results are the same
// bits. One thread per output element.
#include "../kinds.cuh"

// out[b,o,y,x] of the convolution (i = ((b*cout + o)*oh + y)*ow + x), in the twin's order.
static __device__ __forceinline__ float conv_at(long long i, const float* __restrict__ in,
                                                const float* __restrict__ weights, const float* __restrict__ bias,
                                                int cin, int h, int w, int cout, int kh, int kw, int sh, int sw,
                                                int pt, int pl, int dh, int dw, int group, int oh, int ow)
{
    const int cpg = cin / group;
    const int opg = cout / group;
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
    return acc;
}

extern "C" __global__ void conv2d_group_f32(const float* __restrict__ in, const float* __restrict__ weights,
                                            const float* __restrict__ bias, float* __restrict__ out, int n, int cin,
                                            int h, int w, int cout, int kh, int kw, int sh, int sw, int pt, int pl,
                                            int dh, int dw, int group, int oh, int ow)
{
    FOR_EACH(i, (long long)n * cout * oh * ow) {
        out[i] = conv_at(i, in, weights, bias, cin, h, w, cout, kh, kw, sh, sw, pt, pl, dh, dw, group, oh, ow);
    }
}

// CUDA twin of ConvEpilogueKernel (conv2d_group_epilogue_f32): conv2d_group_f32's element, then the
// ops of the Epilogue program (Epilogue.java: 4 floats per op, code, a, b, c) on it, each as the op's
// own kernel computes it: Relu as relu_f32 (Java's Math.max(x, +0)), Clip as clip.cu, HardSigmoid as
// hardsigmoid.cu (product and sum each rounded), Add/Mul/Div as add.cu/mul.cu/div.cu with the running
// value on the left (b = 0) or the right (b = 1) and the other operand a scalar (a = 0: c), the EXTRA
// tensor at the same index (a = 1) or the Conv's own result (a = 2).
static __device__ __forceinline__ float epilogue_at(long long i, float head, const float* __restrict__ program,
                                                    int ops, const float* __restrict__ extra)
{
    float v = head;
    for (int k = 0; k < ops; k++) {
        const int code = (int)program[4 * k];
        const float a = program[4 * k + 1];
        const float b = program[4 * k + 2];
        const float c = program[4 * k + 3];
        if (code == 1) {
            v = java_max(v, 0.0f);
        } else if (code == 2) {
            v = java_min(java_max(v, a), b);
        } else if (code == 3) {
            v = java_max(0.0f, java_min(1.0f, __fadd_rn(__fmul_rn(a, v), b)));
        } else {
            const int source = (int)a;
            const float other = source == 0 ? c : source == 1 ? extra[i] : head;
            const float l = b != 0.0f ? other : v;
            const float r = b != 0.0f ? v : other;
            v = code == 4 ? __fadd_rn(l, r) : code == 5 ? __fmul_rn(l, r) : __fdiv_rn(l, r);
        }
    }
    return v;
}

extern "C" __global__ void conv2d_group_epilogue_f32(const float* __restrict__ in, const float* __restrict__ weights,
                                                     const float* __restrict__ bias, const float* __restrict__ program,
                                                     const float* __restrict__ extra, float* __restrict__ out, int n,
                                                     int cin, int h, int w, int cout, int kh, int kw, int sh, int sw,
                                                     int pt, int pl, int dh, int dw, int group, int oh, int ow, int ops,
                                                     int extraUsed)
{
    FOR_EACH(i, (long long)n * cout * oh * ow) {
        const float head = conv_at(i, in, weights, bias, cin, h, w, cout, kh, kw, sh, sw, pt, pl, dh, dw, group, oh, ow);
        out[i] = epilogue_at(i, head, program, ops, extra);
    }
}
