// CUDA twin of GemmKind.GemmKernel (gemm_f32): out[i,j] = alpha * sum_p a'[i,p] b'[p,j] + beta * c,
// a' and b' optionally transposed; the sum runs from 0 in p order, each product and sum rounded
// once (no FMA), then alpha*acc (+ beta*c) as the twin. cMode 0: no C (c is not read), 1: scalar,
// 2: row [n], 3: full [m,n], 4: column [m]. MatMul launches it too. One thread per output.
#include "../kinds.cuh"

extern "C" __global__ void gemm_f32(const float* __restrict__ a, const float* __restrict__ b,
                                    const float* __restrict__ c, float* __restrict__ out, int m, int k, int n,
                                    int transA, int transB, int cMode, int alpha, int beta)
{
    const float al = __int_as_float(alpha);
    const float be = __int_as_float(beta);
    FOR_EACH(idx, (long long)m * n) {
        const long long i = idx / n;
        const long long j = idx - i * n;
        float acc = 0.0f;
        for (long long p = 0; p < k; p++) {
            const float av = transA ? a[p * m + i] : a[i * k + p];
            const float bv = transB ? b[j * k + p] : b[p * n + j];
            acc = __fadd_rn(acc, __fmul_rn(av, bv));
        }
        float cv = 0.0f;
        switch (cMode) {
            case 1: cv = c[0]; break;
            case 2: cv = c[j]; break;
            case 3: cv = c[idx]; break;
            case 4: cv = c[i]; break;
            default: break;
        }
        out[idx] = cMode == 0 ? __fmul_rn(al, acc) : __fadd_rn(__fmul_rn(al, acc), __fmul_rn(be, cv));
    }
}
