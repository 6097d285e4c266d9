package io.edgepipe.models;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** ONNX Runtime on the CPU: the reference the tests compare against. */
final class OrtReference implements AutoCloseable {
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;

  OrtReference(Path model, int threads) throws OrtException {
    OrtSession.SessionOptions o = new OrtSession.SessionOptions();
    o.setIntraOpNumThreads(threads);
    o.setInterOpNumThreads(1);
    session = env.createSession(model.toString(), o);
  }

  Map<String, float[]> run(String input, int[] shape, float[] data) throws OrtException {
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
