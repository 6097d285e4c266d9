package io.edgepipe.vgpu;

import java.util.List;

/** A module's kernels, found with {@link java.util.ServiceLoader} (META-INF/services). */
public interface KernelProvider {
  List<RegisteredKernel> kernels();
}
