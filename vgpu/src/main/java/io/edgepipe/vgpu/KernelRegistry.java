package io.edgepipe.vgpu;

import java.util.Collections;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The kernels registered by modules on the class path, beside the built-in {@link KernelCatalog}.
 * Loaded once; a name that clashes with another registered kernel is an error at load.
 */
public final class KernelRegistry {
  private KernelRegistry() {}

  private static volatile Map<String, RegisteredKernel> kernels;

  /** The registered kernel called {@code name}, or null. */
  public static RegisteredKernel find(String name) {
    return all().get(name);
  }

  public static Map<String, RegisteredKernel> all() {
    Map<String, RegisteredKernel> k = kernels;
    if (k == null) {
      synchronized (KernelRegistry.class) {
        if (kernels == null) {
          Map<String, RegisteredKernel> found = new TreeMap<>();
          for (KernelProvider p : ServiceLoader.load(KernelProvider.class, KernelRegistry.class.getClassLoader())) {
            for (RegisteredKernel kernel : p.kernels()) {
              if (found.put(kernel.name(), kernel) != null) {
                throw new IllegalStateException("two kernels registered as " + kernel.name());
              }
            }
          }
          kernels = Collections.unmodifiableMap(found);
        }
        k = kernels;
      }
    }
    return k;
  }
}
