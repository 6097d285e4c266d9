package io.edgepipe.vgpu;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Validates a launch of one of the {@link KernelCatalog} kernels before any device runs it, so
 * that every backend (cpu, cuda, a remote backend, and the remote client itself) refuses a bad
 * launch alike, with an INVALID_ARGUMENT {@link GpuException} naming the kernel and the argument.
 *
 * <p>Checked: argument count and kinds (pointer or int), shape ints (positive sizes, output sizes
 * equal to the formula the kernels use), buffer sizes (each pointer's buffer holds what the
 * declared shape needs), aliasing (only {@code relu_f32} may run in place), element counts that fit
 * a Java array (the cpu twins index with int), and grid/block dimensions. The kernels use a
 * grid-stride loop, so any positive grid is correct; {@link KernelCatalog#gridFor} is the usual one.
 */
public final class LaunchCheck {
  private LaunchCheck() {}

  /** Element types of kernel buffers, with their size in bytes. */
  public enum Elem {
    F32(4), U8(1), F16(2);

    public final int bytes;

    Elem(int bytes) {
      this.bytes = bytes;
    }
  }

  /** What one pointer argument must hold: {@code elements} of {@code elem}. */
  public record Need(int index, String name, Elem elem, long elements) {
    public long bytes() {
      return elements * elem.bytes;
    }
  }

  /** The checked launch: the kernel's int arguments by position and each pointer's need. */
  public record Checked(String kernel, int[] ints, List<Need> needs) {
    /** The int argument at launch position {@code index}. */
    public int intArg(int index) {
      return ints[index];
    }
  }

  /** Most threads a CUDA block may have; the same bound is kept on every device. */
  public static final int MAX_BLOCK_THREADS = 1024;

  private record Sig(String[] names, Elem[] ptrElems) {
    // ptrElems[i] == null means argument i is an int
  }

  private static final Elem F = Elem.F32;
  private static final Elem B = Elem.U8;
  private static final Elem H = Elem.F16;

  private static Sig sig(String kernel) {
    return switch (kernel) {
      case KernelCatalog.CONV2D_F32 -> new Sig(
          new String[] {"in", "weights", "bias", "out", "cin", "h", "w", "cout", "k", "stride", "pad", "oh", "ow"},
          new Elem[] {F, F, F, F, null, null, null, null, null, null, null, null, null});
      case KernelCatalog.RELU_F32 -> new Sig(new String[] {"in", "out", "n"}, new Elem[] {F, F, null});
      case KernelCatalog.MAXPOOL_F32 -> new Sig(
          new String[] {"in", "out", "c", "h", "w", "window", "stride", "oh", "ow"},
          new Elem[] {F, F, null, null, null, null, null, null, null});
      case KernelCatalog.BGR_U8_HWC_TO_F32_CHW -> new Sig(
          new String[] {"in", "out", "h", "w", "c"}, new Elem[] {B, F, null, null, null});
      case KernelCatalog.U8_TO_F32 -> new Sig(new String[] {"in", "out", "n"}, new Elem[] {B, F, null});
      case KernelCatalog.F32_TO_U8 -> new Sig(new String[] {"in", "out", "n"}, new Elem[] {F, B, null});
      case KernelCatalog.F16_TO_F32 -> new Sig(new String[] {"in", "out", "n"}, new Elem[] {H, F, null});
      case KernelCatalog.F32_TO_F16 -> new Sig(new String[] {"in", "out", "n"}, new Elem[] {F, H, null});
      default -> registeredSig(KernelRegistry.find(kernel));
    };
  }

  /** A registered kernel's signature: every pointer is f32. */
  private static Sig registeredSig(RegisteredKernel r) {
    if (r == null) {
      return null;
    }
    boolean[] p = r.pointers();
    Elem[] elems = new Elem[p.length];
    for (int i = 0; i < p.length; i++) {
      elems[i] = p[i] ? F : null;
    }
    return new Sig(r.argNames(), elems);
  }

  /** The registered kernel behind {@code kernel}, or null for a built-in one or an unknown one. */
  public static RegisteredKernel registered(String kernel) {
    return outIndexBuiltin(kernel) >= 0 ? null : KernelRegistry.find(kernel);
  }

  /** True if {@code kernel} is one of the catalog's kernels. */
  public static boolean isKnown(String kernel) {
    return sig(kernel) != null;
  }

  /**
   * Checks a launch against the pointers' declared sizes ({@link DevicePtr#bytes()}), as a client
   * that cannot see the device does.
   */
  public static Checked check(String kernel, Dim3 grid, Dim3 block, KernelArgs args) {
    return check(kernel, grid, block, args, DevicePtr::bytes);
  }

  /**
   * Checks a launch; {@code sizeOf} gives the real size of a pointer's buffer on the device (a
   * device passes its own records here, so a forged {@link DevicePtr} cannot overstate its size;
   * it may throw NOT_FOUND for an unknown pointer).
   */
  public static Checked check(String kernel, Dim3 grid, Dim3 block, KernelArgs args,
      ToLongFunction<DevicePtr> sizeOf) {
    Sig sig = sig(kernel);
    if (sig == null) {
      throw new GpuException("NOT_FOUND", "no kernel named " + kernel);
    }
    checkDims(kernel, "grid", grid, Integer.MAX_VALUE);
    checkDims(kernel, "block", block, MAX_BLOCK_THREADS);
    if (args == null || args.size() != sig.names.length) {
      throw bad(kernel, "takes " + sig.names.length + " arguments " + describe(sig) + ", got "
          + (args == null ? "none" : args.size()));
    }
    int[] ints = new int[sig.names.length];
    for (int i = 0; i < sig.names.length; i++) {
      KernelArgs.Arg a = args.list().get(i);
      boolean wantPtr = sig.ptrElems[i] != null;
      if (wantPtr && !a.isPointer()) {
        throw badArg(kernel, i, sig, "must be a pointer, got the int " + a.value());
      }
      if (!wantPtr && a.isPointer()) {
        throw badArg(kernel, i, sig, "must be an int, got a pointer");
      }
      if (!wantPtr) {
        ints[i] = a.value();
      }
    }
    long[] elements = elementsNeeded(kernel, sig, ints);
    List<Need> needs = new ArrayList<>();
    for (int i = 0; i < sig.names.length; i++) {
      if (sig.ptrElems[i] == null) {
        continue;
      }
      Need need = new Need(i, sig.names[i], sig.ptrElems[i], elements[i]);
      if (need.elements() > Integer.MAX_VALUE) {
        throw badArg(kernel, i, sig, "needs " + need.elements() + " elements, more than a kernel may address ("
            + Integer.MAX_VALUE + ")");
      }
      long have = sizeOf.applyAsLong(args.ptrAt(i));
      if (have < need.bytes()) {
        throw badArg(kernel, i, sig, "buffer of " + have + " bytes is too small: the shape needs "
            + need.elements() + " " + need.elem() + " = " + need.bytes() + " bytes");
      }
      needs.add(need);
    }
    checkAliasing(kernel, sig, args);
    return new Checked(kernel, ints, List.copyOf(needs));
  }

  /** Elements each pointer argument needs (indexed by argument position), after checking the ints. */
  private static long[] elementsNeeded(String kernel, Sig sig, int[] v) {
    long[] e = new long[sig.names.length];
    RegisteredKernel r = registered(kernel);
    if (r != null) {
      try {
        return r.elementsNeeded(v.clone());
      } catch (IllegalArgumentException ex) {
        throw bad(kernel, ex.getMessage());
      }
    }
    switch (kernel) {
      case KernelCatalog.CONV2D_F32 -> {
        positive(kernel, sig, v, 4, 5, 6, 7, 8, 9);
        nonNegative(kernel, sig, v, 10);
        int cin = v[4], h = v[5], w = v[6], cout = v[7], k = v[8], stride = v[9], pad = v[10];
        outSize(kernel, sig, v, 11, h + 2L * pad - k, stride, "(h + 2*pad - k)/stride + 1");
        outSize(kernel, sig, v, 12, w + 2L * pad - k, stride, "(w + 2*pad - k)/stride + 1");
        e[0] = (long) cin * h * w;
        e[1] = (long) cout * cin * k * k;
        e[2] = cout;
        e[3] = (long) cout * v[11] * v[12];
      }
      case KernelCatalog.MAXPOOL_F32 -> {
        positive(kernel, sig, v, 2, 3, 4, 5, 6);
        int c = v[2], h = v[3], w = v[4], window = v[5], stride = v[6];
        outSize(kernel, sig, v, 7, (long) h - window, stride, "(h - window)/stride + 1");
        outSize(kernel, sig, v, 8, (long) w - window, stride, "(w - window)/stride + 1");
        e[0] = (long) c * h * w;
        e[1] = (long) c * v[7] * v[8];
      }
      case KernelCatalog.BGR_U8_HWC_TO_F32_CHW -> {
        positive(kernel, sig, v, 2, 3, 4);
        e[0] = (long) v[2] * v[3] * v[4];
        e[1] = e[0];
      }
      default -> { // the element-wise kernels: (in, out, n)
        nonNegative(kernel, sig, v, 2);
        e[0] = v[2];
        e[1] = v[2];
      }
    }
    return e;
  }

  private static void outSize(String kernel, Sig sig, int[] v, int idx, long span, int stride, String formula) {
    if (span < 0) {
      throw badArg(kernel, idx, sig, "has no valid value: the window does not fit the input ("
          + formula + " has a negative numerator " + span + ")");
    }
    long expected = span / stride + 1;
    if (v[idx] != expected) {
      throw badArg(kernel, idx, sig, "is " + v[idx] + " but " + formula + " = " + expected);
    }
  }

  private static void positive(String kernel, Sig sig, int[] v, int... idx) {
    for (int i : idx) {
      if (v[i] < 1) {
        throw badArg(kernel, i, sig, "must be >= 1, got " + v[i]);
      }
    }
  }

  private static void nonNegative(String kernel, Sig sig, int[] v, int... idx) {
    for (int i : idx) {
      if (v[i] < 0) {
        throw badArg(kernel, i, sig, "must be >= 0, got " + v[i]);
      }
    }
  }

  /** Only relu may run in place (out == in); other kernels read neighbours or change the type. */
  private static void checkAliasing(String kernel, Sig sig, KernelArgs args) {
    int out = outIndex(kernel);
    DevicePtr o = args.ptrAt(out);
    for (int i = 0; i < sig.names.length; i++) {
      if (i == out || sig.ptrElems[i] == null) {
        continue;
      }
      if (args.ptrAt(i).handle() == o.handle()) {
        if (kernel.equals(KernelCatalog.RELU_F32)) {
          continue;
        }
        throw badArg(kernel, out, sig, "is the same buffer as argument " + i + " (" + sig.names[i]
            + "); this kernel cannot run in place");
      }
    }
  }

  private static int outIndex(String kernel) {
    RegisteredKernel r = registered(kernel);
    return r != null ? r.outputIndex() : kernel.equals(KernelCatalog.CONV2D_F32) ? 3 : 1;
  }

  /** Output position of a built-in kernel, -1 if the name is not built in. */
  private static int outIndexBuiltin(String kernel) {
    return switch (kernel) {
      case KernelCatalog.CONV2D_F32 -> 3;
      case KernelCatalog.RELU_F32, KernelCatalog.MAXPOOL_F32, KernelCatalog.BGR_U8_HWC_TO_F32_CHW,
          KernelCatalog.U8_TO_F32, KernelCatalog.F32_TO_U8, KernelCatalog.F16_TO_F32, KernelCatalog.F32_TO_F16 -> 1;
      default -> -1;
    };
  }

  /**
   * The argument position of the buffer a catalog kernel writes (it reads all its other pointer
   * arguments and never reads this one, except relu in place where it is also the input), or -1
   * for a kernel not in the catalog.
   */
  public static int outputIndex(String kernel) {
    return isKnown(kernel) ? outIndex(kernel) : -1;
  }

  private static void checkDims(String kernel, String what, Dim3 d, long maxThreads) {
    if (d == null || d.x() < 1 || d.y() < 1 || d.z() < 1) {
      throw bad(kernel, what + " dimensions must all be >= 1, got " + d);
    }
    long threads = (long) d.x() * d.y() * d.z();
    if (threads > maxThreads) {
      throw bad(kernel, what + " " + d + " has " + threads + " threads, at most " + maxThreads + " allowed");
    }
  }

  private static String describe(Sig sig) {
    StringBuilder s = new StringBuilder("(");
    for (int i = 0; i < sig.names.length; i++) {
      if (i > 0) {
        s.append(", ");
      }
      s.append(sig.ptrElems[i] == null ? "int " : "ptr " + sig.ptrElems[i].name().toLowerCase() + " ")
          .append(sig.names[i]);
    }
    return s.append(')').toString();
  }

  private static GpuException badArg(String kernel, int i, Sig sig, String what) {
    return bad(kernel, "argument " + i + " (" + sig.names[i] + ") " + what);
  }

  private static GpuException bad(String kernel, String what) {
    return new GpuException("INVALID_ARGUMENT", kernel + ": " + what);
  }
}
