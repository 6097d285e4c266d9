// CUDA twin of AddKind.AddKernel (add_f32): out = a + b with numpy broadcasting up to rank 4.
// Arguments as BinaryKind.BinaryKernel: output dims d0..d3, each input's strides (0 where it is
// broadcast). One thread per output element; one float operation, rounded once.
#include "../binary.cuh"

BINARY_KERNEL(add_f32, __fadd_rn)
