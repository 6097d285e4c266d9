package io.edgepipe.models.exec;

import io.edgepipe.models.graph.Const;
import io.edgepipe.models.graph.ModelGraph;
import io.edgepipe.models.graph.Step;
import io.edgepipe.models.kinds.Epilogue;
import io.edgepipe.models.kinds.Launcher;
import io.edgepipe.models.kinds.Shapes;
import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.Gpu;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the layers of a model between two cuts on one device, through the {@link Gpu} API: the
 * tensors crossing the first cut are copied in, every layer is launched, the tensors crossing the
 * second cut are copied out, and the device is synchronised once (one round trip on a remote
 * vGPU). Constants are uploaded once; every tensor keeps its device buffer between runs.
 */
public final class PartitionRunner implements AutoCloseable {
  private final ModelGraph graph;
  private final List<Step> steps;
  private final List<String> inputs;
  private final List<String> outputs;
  private final Gpu gpu;
  private final Launcher launcher;
  private final Map<String, DevicePtr> buffers = new HashMap<>();
  /** How the steps are launched: one by one, or a Conv with the element-wise steps after it fused in. */
  private final List<Fusion.Launch> launches;
  /** Each fused launch's epilogue program on the device, by its first step. */
  private final Map<Integer, DevicePtr> programs = new HashMap<>();

  public PartitionRunner(ModelGraph graph, int from, int to, Gpu gpu) {
    if (from < 0 || to > graph.steps().size() || from > to) {
      throw new IllegalArgumentException("partition " + from + ".." + to + " is outside the model's cuts 0.."
          + graph.steps().size());
    }
    this.graph = graph;
    this.steps = graph.steps().subList(from, to);
    this.inputs = graph.crossing(from);
    this.outputs = graph.crossing(to);
    this.gpu = gpu;
    this.launcher = new Launcher(gpu);
    for (String in : inputs) {
      buffers.put(in, gpu.malloc(bytes(graph.shapes().get(in))));
    }
    for (Step s : steps) {
      for (String in : s.inputs()) {
        Const c = graph.constants().get(in);
        if (c != null && !buffers.containsKey(in)) {
          DevicePtr p = gpu.malloc(Math.max(4, c.bytes()));
          gpu.copyHtoD(p, littleEndian(c.asFloats()));
          buffers.put(in, p);
        }
      }
      buffers.put(s.output(), gpu.malloc(bytes(s.outputShape())));
    }
    this.launches = Fusion.plan(steps, outputs, graph.constants(), graph.shapes());
    for (Fusion.Launch l : launches) {
      if (l.fused()) {
        float[] program = l.epilogue().program();
        DevicePtr p = gpu.malloc(program.length * 4L);
        gpu.copyHtoD(p, littleEndian(program));
        programs.put(l.first(), p);
      }
    }
  }

  /** The steps (by position in the partition) that run inside the launch of the step before them. */
  public boolean[] fusedSteps() {
    boolean[] fused = new boolean[steps.size()];
    for (Fusion.Launch l : launches) {
      for (int i = l.first() + 1; i <= l.last(); i++) {
        fused[i] = true;
      }
    }
    return fused;
  }

  /** Names of the tensors the partition takes (those crossing its first cut). */
  public List<String> inputs() {
    return inputs;
  }

  /** Names of the tensors it hands on (those crossing its second cut). */
  public List<String> outputs() {
    return outputs;
  }

  public int[] shape(String tensor) {
    return graph.shapes().get(tensor);
  }

  /**
   * Told how long each layer's launches took on the calling thread. On the {@code cpu} device a
   * launch runs at once, so that is the layer's compute time; on an asynchronous device it is only
   * the time to queue it. A fused launch is told as its first layer's, the layers fused into it
   * as 0 ({@link #fusedSteps()}).
   */
  public interface LayerTimer {
    void layer(Step step, long nanos);
  }

  /** Runs the partition; {@code in} holds every input tensor by name, in row-major f32. */
  public Map<String, float[]> run(Map<String, float[]> in) {
    return run(in, null);
  }

  /** {@link #run(Map)}, telling {@code timer} (when not null) the time of each layer. */
  public Map<String, float[]> run(Map<String, float[]> in, LayerTimer timer) {
    for (String name : inputs) {
      float[] v = in.get(name);
      long need = Shapes.elements(shape(name));
      if (v == null || v.length != need) {
        throw new IllegalArgumentException("tensor '" + name + "' must have " + need + " elements of shape "
            + Shapes.format(shape(name)) + (v == null ? ", it is missing" : ", it has " + v.length));
      }
      gpu.copyHtoDAsync(buffers.get(name), littleEndian(v));
    }
    for (Fusion.Launch l : launches) {
      Step s = steps.get(l.first());
      List<DevicePtr> ptrs = new ArrayList<>(s.inputs().size());
      for (String t : s.inputs()) {
        ptrs.add(buffers.get(t));
      }
      long t0 = timer == null ? 0 : System.nanoTime();
      if (l.fused()) {
        // the extra operand, when the epilogue reads none: any live buffer that is not the output
        DevicePtr extra = l.extra() == null ? ptrs.get(0) : buffers.get(l.extra());
        ((Epilogue.Host) s.layer()).launch(launcher, ptrs, l.epilogue(), programs.get(l.first()), extra,
            buffers.get(steps.get(l.last()).output()));
      } else {
        s.layer().launch(launcher, ptrs, buffers.get(s.output()));
      }
      if (timer != null) {
        timer.layer(s, System.nanoTime() - t0);
        for (int i = l.first() + 1; i <= l.last(); i++) {
          timer.layer(steps.get(i), 0);
        }
      }
    }
    Map<String, ByteBuffer> host = new LinkedHashMap<>();
    for (String name : outputs) {
      ByteBuffer b = ByteBuffer.allocate((int) bytes(shape(name))).order(ByteOrder.LITTLE_ENDIAN);
      gpu.copyDtoHAsync(b, buffers.get(name));
      host.put(name, b);
    }
    gpu.synchronize();
    Map<String, float[]> result = new LinkedHashMap<>();
    host.forEach((name, b) -> {
      float[] f = new float[b.capacity() / 4];
      b.asFloatBuffer().get(f);
      result.put(name, f);
    });
    return result;
  }

  private static long bytes(int[] shape) {
    return Math.max(4, Shapes.elements(shape) * 4);
  }

  static ByteBuffer littleEndian(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(Math.max(4, v.length * 4)).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    b.limit(v.length * 4);
    return b;
  }

  @Override
  public void close() {
    for (DevicePtr p : buffers.values()) {
      gpu.free(p);
    }
    for (DevicePtr p : programs.values()) {
      gpu.free(p);
    }
    buffers.clear();
    programs.clear();
  }
}
