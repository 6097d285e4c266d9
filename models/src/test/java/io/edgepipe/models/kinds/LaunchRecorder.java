package io.edgepipe.models.kinds;

import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.Dim3;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.GpuFunction;
import io.edgepipe.vgpu.KernelArgs;
import io.edgepipe.vgpu.LaunchCheck;
import io.edgepipe.vgpu.RegisteredKernel;
import io.edgepipe.vgpu.cpu.CpuGpu;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The cpu device, recording every launch of a registered kernel as the layers make it: the
 * arguments, the contents of every buffer before the launch (the output's too, since a Concat
 * launch writes only its slice), and the output buffer after it (the CPU twin's result). Another
 * implementation of the kernel replays a recorded launch and must leave the same output.
 */
public final class LaunchRecorder implements AutoCloseable {

  /** Kernels whose CUDA twin may differ from the CPU twin by one float ulp (see softmax.cu). */
  public static final Set<String> ONE_ULP = Set.of("softmax_f32");

  /** One launch. {@code before[i]} is pointer argument i's buffer (null at int positions). */
  public record Recorded(String label, RegisteredKernel kernel, Dim3 grid, Dim3 block, int[] ints, float[][] before,
      float[] expected) {
    public int out() {
      return kernel.outputIndex();
    }

    /**
     * Asserts that {@code got}, the output buffer after a replay of this launch, is the CPU
     * twin's: the same bits (within one ulp for {@link #ONE_ULP}); with {@code anyNaN}, a NaN
     * matches any NaN (a GPU's arithmetic returns its canonical NaN where x86 keeps the operand's
     * payload).
     */
    public void assertReplayed(float[] got, String how, boolean anyNaN) {
      String what = kernel.name() + " [" + label + "] " + how;
      if (expected.length != got.length) {
        throw new AssertionError(what + ": " + got.length + " elements, expected " + expected.length);
      }
      long slack = ONE_ULP.contains(kernel.name()) ? 1 : 0;
      for (int i = 0; i < expected.length; i++) {
        int a = Float.floatToRawIntBits(expected[i]);
        int b = Float.floatToRawIntBits(got[i]);
        boolean same = a == b
            || anyNaN && Float.isNaN(expected[i]) && Float.isNaN(got[i])
            || !Float.isNaN(expected[i]) && !Float.isNaN(got[i]) && Math.signum(expected[i]) == Math.signum(got[i])
                && Math.abs((long) a - b) <= slack;
        if (!same) {
          throw new AssertionError(what + ": element " + i + " is " + got[i] + " (0x" + Integer.toHexString(b)
              + "), the CPU twin gives " + expected[i] + " (0x" + Integer.toHexString(a) + ")");
        }
      }
    }
  }

  private final CpuGpu cpu = new CpuGpu();
  private final List<Recorded> launches = new ArrayList<>();
  /** The cpu device with {@link Gpu#launch} recorded; every other call goes straight to it. */
  private final Gpu device = (Gpu) Proxy.newProxyInstance(Gpu.class.getClassLoader(), new Class<?>[] {Gpu.class},
      (proxy, method, args) -> {
        if (method.getName().equals("launch")) {
          launch((GpuFunction) args[0], (Dim3) args[1], (Dim3) args[2], (KernelArgs) args[3]);
          return null;
        }
        try {
          return method.invoke(cpu, args);
        } catch (InvocationTargetException e) {
          throw e.getCause();
        }
      });
  private String label = "";

  /** The device to run layers on. */
  public Gpu device() {
    return device;
  }

  /** The label given to the launches that follow (the case that makes them). */
  public void label(String label) {
    this.label = label;
  }

  public List<Recorded> launches() {
    return launches;
  }

  private void launch(GpuFunction function, Dim3 grid, Dim3 block, KernelArgs args) {
    RegisteredKernel k = LaunchCheck.registered(function.name());
    if (k == null) { // a built-in kernel (relu_f32): tested by the kernels module's own tests
      cpu.launch(function, grid, block, args);
      return;
    }
    int[] ints = new int[args.size()];
    float[][] before = new float[args.size()][];
    for (int i = 0; i < args.size(); i++) {
      if (args.list().get(i).isPointer()) {
        before[i] = read(args.ptrAt(i));
      } else {
        ints[i] = args.intAt(i);
      }
    }
    cpu.launch(function, grid, block, args);
    launches.add(new Recorded(label, k, grid, block, ints, before, read(args.ptrAt(k.outputIndex()))));
  }

  private float[] read(DevicePtr p) {
    ByteBuffer b = ByteBuffer.allocate((int) p.bytes()).order(ByteOrder.LITTLE_ENDIAN);
    cpu.copyDtoH(b, p);
    float[] f = new float[(int) (p.bytes() / 4)];
    b.asFloatBuffer().get(f);
    return f;
  }

  @Override
  public void close() {
    cpu.close();
  }
}
