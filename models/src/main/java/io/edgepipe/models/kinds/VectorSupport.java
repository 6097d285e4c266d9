package io.edgepipe.models.kinds;

/**
 * Whether the CPU twins may use the JDK's Vector API: only when this JVM resolved the incubator
 * module ({@code --add-modules jdk.incubator.vector}, which {@code ./pipeline} and the tests of
 * this module pass), and not switched off with {@code -Dedgepipe.vector=false} (to compare the
 * two paths). The twins that use it compute the same bits either way, so a JVM without the
 * module (a stage image, a child process) only runs slower. Classes that use the API are loaded
 * only behind this check, so they never fail to link.
 */
public final class VectorSupport {
  public static final boolean ENABLED = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
      && !"false".equals(System.getProperty("edgepipe.vector"));

  private VectorSupport() {}
}
