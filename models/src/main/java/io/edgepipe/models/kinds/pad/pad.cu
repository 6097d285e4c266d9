// CUDA twin of PadKind.PadKernel (pad_f32): out has dims o0..o3; the input (dims d0..d3) sits at
// offset b0..b3 and every other element is value (float bits). One thread per output element.
#include "../kinds.cuh"

extern "C" __global__ void pad_f32(const float* __restrict__ in, float* __restrict__ out, int d0, int d1, int d2,
                                   int d3, int b0, int b1, int b2, int b3, int o0, int o1, int o2, int o3,
                                   int value)
{
    const float fill = __int_as_float(value);
    FOR_EACH(i, (long long)o0 * o1 * o2 * o3) {
        const long long y3 = i % o3 - b3;
        const long long y2 = (i / o3) % o2 - b2;
        const long long y1 = (i / ((long long)o3 * o2)) % o1 - b1;
        const long long y0 = i / ((long long)o3 * o2 * o1) - b0;
        const bool inside = y0 >= 0 && y0 < d0 && y1 >= 0 && y1 < d1 && y2 >= 0 && y2 < d2 && y3 >= 0 && y3 < d3;
        out[i] = inside ? in[((y0 * d1 + y1) * d2 + y2) * d3 + y3] : fill;
    }
}
