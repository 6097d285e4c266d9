// CUDA twin of DivKind.DivKernel (div_f32): out = a / b with numpy broadcasting up to rank 4.
// Arguments as BinaryKind.BinaryKernel: output dims d0..d3, each input's strides (0 where it is
// broadcast). One thread per output element; one float operation, rounded once.
#include "../binary.cuh"

BINARY_KERNEL(div_f32, __fdiv_rn)
