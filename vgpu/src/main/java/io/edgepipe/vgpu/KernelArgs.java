package io.edgepipe.vgpu;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Launch arguments in order: device pointers and 32-bit ints, as the kernel declares them. */
public final class KernelArgs {
  /** One argument: either a pointer or an int. */
  public record Arg(DevicePtr ptr, int value) {
    public boolean isPointer() {
      return ptr != null;
    }
  }

  private final List<Arg> args = new ArrayList<>();

  public static KernelArgs of() {
    return new KernelArgs();
  }

  public KernelArgs ptr(DevicePtr p) {
    args.add(new Arg(p, 0));
    return this;
  }

  public KernelArgs i32(int v) {
    args.add(new Arg(null, v));
    return this;
  }

  public List<Arg> list() {
    return Collections.unmodifiableList(args);
  }

  public int size() {
    return args.size();
  }

  public DevicePtr ptrAt(int i) {
    Arg a = args.get(i);
    if (!a.isPointer()) {
      throw new IllegalArgumentException("argument " + i + " is an int, a pointer was expected");
    }
    return a.ptr();
  }

  public int intAt(int i) {
    Arg a = args.get(i);
    if (a.isPointer()) {
      throw new IllegalArgumentException("argument " + i + " is a pointer, an int was expected");
    }
    return a.value();
  }
}
