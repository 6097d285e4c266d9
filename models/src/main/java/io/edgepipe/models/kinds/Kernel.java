package io.edgepipe.models.kinds;

import io.edgepipe.vgpu.RegisteredKernel;
import java.util.ArrayList;
import java.util.List;

/**
 * Base of the model kernels: a signature written as {@code "ptr in", "int n", ...} in launch
 * order, with the output named {@code out}. Subclasses give the size rule and the CPU twin; the
 * CUDA twin is the {@code .cu} file in the kind's folder, found by the cuda device through
 * {@link #ptxResource()}.
 */
public abstract class Kernel implements RegisteredKernel {
  private final String name;
  private final String[] names;
  private final boolean[] pointers;
  private final int out;

  protected Kernel(String name, String... signature) {
    this.name = name;
    this.names = new String[signature.length];
    this.pointers = new boolean[signature.length];
    int o = -1;
    for (int i = 0; i < signature.length; i++) {
      String[] kv = signature[i].split(" ");
      pointers[i] = kv[0].equals("ptr");
      names[i] = kv[1];
      if (kv[1].equals("out")) {
        o = i;
      }
    }
    this.out = o;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final String[] argNames() {
    return names.clone();
  }

  @Override
  public final boolean[] pointers() {
    return pointers.clone();
  }

  @Override
  public final int outputIndex() {
    return out;
  }

  /**
   * The kind's PTX, built from the {@code <kind>.cu} beside its Java source by
   * {@code scripts/build-ptx.sh}: {@code /io/edgepipe/models/kinds/<kind>/<kind>.ptx}, named after
   * the package of the class that defines the kernel.
   */
  @Override
  public String ptxResource() {
    String pkg = getClass().getPackageName();
    return "/" + pkg.replace('.', '/') + "/" + pkg.substring(pkg.lastIndexOf('.') + 1) + ".ptx";
  }

  /** Position of argument {@code arg}. */
  public final int index(String arg) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(arg)) {
        return i;
      }
    }
    throw new IllegalArgumentException(name + " has no argument " + arg);
  }

  /** Refuses a non-positive size argument, naming it. */
  protected final void positive(int[] v, String... args) {
    for (String a : args) {
      if (v[index(a)] < 1) {
        throw new IllegalArgumentException("argument " + index(a) + " (" + a + ") must be >= 1, got " + v[index(a)]);
      }
    }
  }

  protected final void nonNegative(int[] v, String... args) {
    for (String a : args) {
      if (v[index(a)] < 0) {
        throw new IllegalArgumentException("argument " + index(a) + " (" + a + ") must be >= 0, got " + v[index(a)]);
      }
    }
  }

  /**
   * The size rule of a kernel that maps {@code n} elements of {@code in} onto {@code n} of
   * {@code out} (its arguments named so; n may be 0).
   */
  protected final long[] sameSizeInOut(int[] v) {
    nonNegative(v, "n");
    int n = v[index("n")];
    return needs("in", n, "out", n);
  }

  /** A fresh needs array with the given (argument, elements) pairs. */
  protected final long[] needs(Object... argAndElements) {
    long[] e = new long[names.length];
    for (int i = 0; i < argAndElements.length; i += 2) {
      e[index((String) argAndElements[i])] = ((Number) argAndElements[i + 1]).longValue();
    }
    return e;
  }

  /** Every kernel registered under {@code kinds}: the list the provider hands to the registry. */
  static List<Kernel> collect(List<LayerKind> kinds) {
    List<Kernel> all = new ArrayList<>();
    for (LayerKind k : kinds) {
      all.addAll(k.kernels());
    }
    return all;
  }
}
