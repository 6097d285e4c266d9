package io.edgepipe.api;

import java.lang.module.ModuleFinder;
import java.util.List;

/**
 * The JDK's Vector API (the incubator module {@value #MODULE}), which the kernels' and model
 * layers' CPU twins use where the JVM resolved it. A JVM resolves an incubator module only when
 * started with {@code --add-modules}; without it the twins run their portable path (the same bits,
 * about 2x slower). So every JVM edgepipe starts gets {@link #childJvmFlags()}: {@code ./pipeline},
 * the stage processes of {@code run --processes}, the testbed's children and the container images.
 */
public final class VectorApi {
  public static final String MODULE = "jdk.incubator.vector";
  /** The JVM arguments that resolve the module. */
  public static final List<String> JVM_FLAGS = List.of("--add-modules", MODULE);

  private VectorApi() {}

  /** Whether this JVM resolved the module. */
  public static boolean active() {
    return ModuleLayer.boot().findModule(MODULE).isPresent();
  }

  /**
   * The flags for a child JVM started from this JVM's {@code java.home}: {@link #JVM_FLAGS} when
   * that runtime has the module, none when it does not (a jlink'ed JRE without it), so the child
   * starts either way.
   */
  public static List<String> childJvmFlags() {
    return ModuleFinder.ofSystem().find(MODULE).isPresent() ? JVM_FLAGS : List.of();
  }

  /** One line for a service's log: whether its CPU twins take the Vector API path. */
  public static String status() {
    return active() ? "Vector API active (" + MODULE + ")"
        : "Vector API not resolved: CPU twins run their portable path (same results, slower); start the JVM with "
            + String.join(" ", JVM_FLAGS);
  }
}
