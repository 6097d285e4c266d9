// Compiles the layer kinds' CUDA C (kinds/<kind>/<kind>.cu) as host C++, for the test that checks
// the CUDA source against the Java twins where there is no GPU (CudaSourceTwinTest):
//   g++ -std=c++17 -O1 -ffp-contract=off -include host_grid.h DRIVER.cpp
// The execution-space keywords vanish, threadIdx/blockIdx/blockDim/gridDim are plain globals that
// edge_launch() steps through every (block, thread) of a 1-D grid in turn, and the CUDA
// intrinsics are the IEEE operations they name (x86-64 float arithmetic is IEEE single, rounded
// once; -ffp-contract=off keeps a*b+c from being fused). The kernels use no shared memory and no
// synchronisation, so running the threads one after another is one legal schedule of the grid.
#ifndef EDGEPIPE_HOST_GRID_H
#define EDGEPIPE_HOST_GRID_H

#include <cmath>
#include <cstring>
#include <math.h>

#define __global__
#define __device__
#define __forceinline__ inline

struct EdgeDim3 {
    unsigned int x, y, z;
};
static EdgeDim3 threadIdx, blockIdx, blockDim, gridDim;

// Runs body() once per thread of a grid x block launch, blocks and threads in index order.
template <class Body>
static void edge_launch(unsigned int grid, unsigned int block, Body body)
{
    gridDim = EdgeDim3{grid, 1, 1};
    blockDim = EdgeDim3{block, 1, 1};
    for (unsigned int b = 0; b < grid; b++) {
        for (unsigned int t = 0; t < block; t++) {
            blockIdx = EdgeDim3{b, 0, 0};
            threadIdx = EdgeDim3{t, 0, 0};
            body();
        }
    }
}

static inline float __fadd_rn(float a, float b) { return a + b; }
static inline float __fsub_rn(float a, float b) { return a - b; }
static inline float __fmul_rn(float a, float b) { return a * b; }
static inline float __fdiv_rn(float a, float b) { return a / b; }
// one rounding, as CUDA's fma.rn.f32 and Java's Math.fma (glibc's fmaf is exact, in software if need be)
static inline float __fmaf_rn(float a, float b, float c) { return fmaf(a, b, c); }
static inline double __dsqrt_rn(double a) { return std::sqrt(a); }
static inline double __ddiv_rn(double a, double b) { return a / b; }
static inline float __double2float_rn(double a) { return (float)a; }
static inline float __int_as_float(int a) { float f; std::memcpy(&f, &a, 4); return f; }
static inline float __uint_as_float(unsigned int a) { float f; std::memcpy(&f, &a, 4); return f; }
static inline unsigned int __float_as_uint(float a) { unsigned int u; std::memcpy(&u, &a, 4); return u; }

#endif
