package io.edgepipe.vgpu;

/**
 * A kernel that a module outside the device layer contributes (the model layer kinds): its
 * signature, the size rule its buffers follow, and its CPU twin. Modules list their kernels in a
 * {@link KernelProvider}; the devices find them through {@link KernelRegistry}, so the device
 * layer does not depend on CNN code. Every pointer argument is an f32 buffer.
 */
public interface RegisteredKernel {

  /** Kernel name as launched, e.g. {@code "conv2d_group_f32"}; unique across the process. */
  String name();

  /** Argument names in launch order (used in error messages). */
  String[] argNames();

  /** For each argument: true if it is a pointer (an f32 buffer), false if a 32-bit int. */
  boolean[] pointers();

  /** Position of the buffer the kernel writes; it never reads it. */
  int outputIndex();

  /**
   * Elements of f32 each pointer argument needs, indexed by argument position (ints: ignored),
   * from the int arguments ({@code ints[i]} is argument i; pointer positions hold 0). Throws
   * IllegalArgumentException naming the argument when the ints are inconsistent.
   */
  long[] elementsNeeded(int[] ints);

  /**
   * The CPU twin: runs the kernel on host arrays. {@code buffers[i]} is pointer argument i
   * (null at int positions); the output array is at least as long as its need.
   */
  void runCpu(int[] ints, float[][] buffers);

  /**
   * The CUDA build of this kernel for the {@code cuda} device: an absolute classpath resource
   * (read through this kernel's class, e.g. {@code "/io/edgepipe/models/kinds/conv/conv.ptx"})
   * holding PTX with an entry named {@link #name()} taking {@link #argNames()} (pointers as
   * {@code .u64}, ints as {@code .u32}). Null when the kernel has no CUDA build; the cuda device
   * then refuses it with NOT_FOUND.
   */
  default String ptxResource() {
    return null;
  }
}
