package io.edgepipe.models.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** ONNX Runtime on the CPU with a fixed thread count: the reference the tests and `bench model` compare against. */
public final class OrtReference implements AutoCloseable {
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;

  public OrtReference(Path model, int threads) throws OrtException {
    OrtSession.SessionOptions o = new OrtSession.SessionOptions();
    o.setIntraOpNumThreads(threads);
    o.setInterOpNumThreads(1);
    session = env.createSession(model.toString(), o);
  }

  public Map<String, float[]> run(String input, int[] shape, float[] data) throws OrtException {
    long[] s = new long[shape.length];
    for (int i = 0; i < s.length; i++) {
      s[i] = shape[i];
    }
    try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), s);
        OrtSession.Result r = session.run(Map.of(input, t))) {
      Map<String, float[]> out = new LinkedHashMap<>();
      for (Map.Entry<String, OnnxValue> e : r) {
        FloatBuffer fb = ((OnnxTensor) e.getValue()).getFloatBuffer();
        float[] f = new float[fb.remaining()];
        fb.get(f);
        out.put(e.getKey(), f);
      }
      return out;
    }
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}
