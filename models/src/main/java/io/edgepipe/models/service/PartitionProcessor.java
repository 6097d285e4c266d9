package io.edgepipe.models.service;

import io.edgepipe.api.proto.DType;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.models.exec.ModelInput;
import io.edgepipe.models.exec.PartitionRunner;
import io.edgepipe.models.kinds.Shapes;
import io.edgepipe.runtime.FrameProcessor;
import io.edgepipe.runtime.FrameRejectedException;
import io.grpc.Status;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A compute service that runs a partition of a model (the layers between two cuts) in the stage
 * runtime: frames carry the tensors crossing its first cut as {@code Frame.tensors}, and leave
 * with those crossing its second. The first service (cut 0) also takes a plain picture frame of
 * the producer (CHW, any size) and turns it into the model's input once, as the spec declares
 * (resize, channel order, layout, normalisation).
 */
public final class PartitionProcessor implements FrameProcessor {
  private final PartitionRunner runner;
  private final ModelInput input; // null unless this service starts at cut 0

  public PartitionProcessor(PartitionRunner runner, ModelInput input) {
    this.runner = runner;
    this.input = input;
  }

  @Override
  public Frame.Builder process(Frame in) {
    Map<String, float[]> tensors;
    if (in.getTensorsCount() == 0) {
      tensors = fromPicture(in);
    } else {
      try {
        tensors = TensorFrames.get(in);
      } catch (IllegalArgumentException e) {
        throw new FrameRejectedException(Status.Code.INVALID_ARGUMENT, e.getMessage());
      }
      for (String name : runner.inputs()) {
        float[] t = tensors.get(name);
        long need = Shapes.elements(runner.shape(name));
        if (t == null || t.length != need) {
          throw new FrameRejectedException(Status.Code.INVALID_ARGUMENT, "tensor '" + name + "' "
              + (t == null ? "is missing" : "has " + t.length + " elements") + "; this partition takes "
              + Shapes.format(runner.shape(name)));
        }
      }
    }
    Map<String, float[]> out = runner.run(tensors);
    Map<String, int[]> shapes = new HashMap<>();
    out.keySet().forEach(n -> shapes.put(n, runner.shape(n)));
    return TensorFrames.put(Frame.newBuilder().setDtype(DType.F32), out, shapes);
  }

  private Map<String, float[]> fromPicture(Frame in) {
    if (input == null || runner.inputs().size() != 1) {
      throw new FrameRejectedException(Status.Code.INVALID_ARGUMENT,
          "this partition takes named tensors " + runner.inputs() + ", the frame has none");
    }
    int c = in.getShape().getC();
    int h = in.getShape().getH();
    int w = in.getShape().getW();
    int n = c * h * w;
    float[] chw = new float[n];
    var data = in.getData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    switch (in.getDtype()) {
      case U8 -> {
        for (int i = 0; i < n; i++) {
          chw[i] = data.get(i) & 0xff;
        }
      }
      case F32 -> data.asFloatBuffer().get(chw);
      default -> throw new FrameRejectedException(Status.Code.INVALID_ARGUMENT,
          "a picture frame for a model is U8 or F32, got " + in.getDtype());
    }
    try {
      float[] x = input.fromChw(chw, c, h, w, in.getDtype() == DType.F32);
      Map<String, float[]> m = new LinkedHashMap<>();
      m.put(runner.inputs().get(0), x);
      return m;
    } catch (IllegalArgumentException e) {
      throw new FrameRejectedException(Status.Code.INVALID_ARGUMENT, e.getMessage());
    }
  }

  /**
   * The tensors are read only inside {@link #process} (decoded to arrays for the device), so
   * they are read in place over the transport's buffers, which are released once the frame is
   * computed and forwarded: no copy per hop. (A partition once crashed the JVM reading freed
   * buffers: the runtime gave back a frame's buffers at parse time when it had named tensors but
   * no {@code data}; {@code NamedTensorHopTest} in runtime covers that path now.)
   */
  @Override
  public boolean keepsInput() {
    return false;
  }

  @Override
  public void close() {
    runner.close();
  }
}
