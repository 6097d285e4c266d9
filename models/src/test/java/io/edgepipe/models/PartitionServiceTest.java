package io.edgepipe.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.edgepipe.api.FrameValidator;
import io.edgepipe.api.proto.DType;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.NamedTensor;
import io.edgepipe.models.exec.PartitionRunner;
import io.edgepipe.models.graph.ModelGraph;
import io.edgepipe.models.onnx.OnnxImporter;
import io.edgepipe.models.service.ModelChain;
import io.edgepipe.models.service.ModelSources;
import io.edgepipe.models.service.PartitionProcessor;
import io.edgepipe.models.service.TensorFrames;
import io.edgepipe.models.spec.ModelSpec;
import io.edgepipe.runtime.FrameRejectedException;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.cpu.CpuGpu;
import io.grpc.Status;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A partition as a stage's frame processor: picture in at cut 0, named tensors on every hop after. */
class PartitionServiceTest {

  @Test
  void threeServicesOverTheWireGiveTheMonolithsBits(@TempDir Path dir) throws Exception {
    Path specFile = dir.resolve("blazeface.yaml");
    ModelGraph g = OnnxImporter.load(TestModels.require(TestModels.BLAZEFACE), Map.of());
    // cut 8 crosses two tensors (a residual branch and the padded Concat)
    assertEquals(2, g.crossing(8).size());
    ModelSpec spec = new ModelSpec("blazeface", TestModels.BLAZEFACE, "input:0", new int[] {1, 128, 128, 3},
        TestModels.BLAZEFACE_INPUT, "blazeface", false, ModelSpec.servicesFor("blazeface", g, List.of(8, 40)));
    Files.writeString(specFile, spec.toYaml());
    ModelSpec loaded = ModelSpec.load(specFile);
    assertEquals(List.of("blazeface-c0-c8", "blazeface-c8-c40", "blazeface-c40-c93"),
        loaded.services().stream().map(ModelSpec.Service::name).toList());

    BufferedImage photo = ImageIO.read(TestModels.photo("astronaut.png").toFile());
    List<Gpu> devices = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      devices.add(new CpuGpu());
    }
    Map<String, float[]> chained;
    try (ModelChain chain = new ModelChain(loaded, g, devices)) {
      chained = chain.run(ModelSources.pictureFrame(photo, 0));
      assertEquals(3, chain.hopBytes().size());
      assertTrue(chain.hopBytes().get(0) > g.crossingBytes(8), "hop 1 carries both tensors: " + chain.hopBytes());
    } finally {
      devices.forEach(Gpu::close);
    }
    // the same picture, preprocessed here once, through the monolith
    Map<String, float[]> mono;
    try (CpuGpu gpu = new CpuGpu(); PartitionRunner r = new PartitionRunner(g, 0, g.steps().size(), gpu)) {
      mono = r.run(Map.of("input:0", spec.input().fromChw(chw(photo), 3, 512, 512, false)));
    }
    for (String out : g.outputs()) {
      assertArrayEquals(mono.get(out), chained.get(out), out);
    }
  }

  /** The producer's CHW BGR u8 values of a picture, as floats. */
  private static float[] chw(BufferedImage img) {
    Frame f = ModelSources.pictureFrame(img, 0);
    byte[] b = f.getData().toByteArray();
    float[] v = new float[b.length];
    for (int i = 0; i < b.length; i++) {
      v[i] = b[i] & 0xff;
    }
    return v;
  }

  @Test
  void aFrameWithTheWrongTensorsIsRefusedNamingIt() {
    ModelGraph g = OnnxImporter.load(TestModels.require(TestModels.BLAZEFACE), Map.of());
    try (CpuGpu gpu = new CpuGpu(); PartitionProcessor p = new PartitionProcessor(new PartitionRunner(g, 8, 40, gpu), null)) {
      Frame missing = TensorFrames.put(Frame.newBuilder().setDtype(DType.F32), Map.of("nope", new float[] {1}),
          Map.of("nope", new int[] {1})).build();
      FrameRejectedException e = assertThrows(FrameRejectedException.class, () -> p.process(missing));
      assertEquals(Status.Code.INVALID_ARGUMENT, e.code());
      assertTrue(e.getMessage().contains(g.crossing(8).get(0)), e.getMessage());
      FrameRejectedException picture = assertThrows(FrameRejectedException.class,
          () -> p.process(ModelSources.pictureFrame(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), 0)));
      assertTrue(picture.getMessage().contains("takes named tensors"), picture.getMessage());
    }
  }

  @Test
  void validatorChecksNamedTensorsBeforeAnyBufferIsSized() {
    FrameValidator v = new FrameValidator(1 << 20);
    Frame.Builder ok = Frame.newBuilder().setFlowId("f").addTensors(NamedTensor.newBuilder().setName("a")
        .setDtype(DType.F32).addDims(2).addDims(3).setData(ByteString.copyFrom(new byte[24])));
    assertNull(v.problem(ok.build()));
    Frame shortData = ok.clone().setTensors(0, ok.getTensors(0).toBuilder().setData(ByteString.copyFrom(new byte[20]))).build();
    assertTrue(v.problem(shortData).contains("data is 20 bytes but dims [2, 3] F32 need 24"), v.problem(shortData));
    Frame huge = ok.clone().setTensors(0, ok.getTensors(0).toBuilder().clearDims().addDims(1 << 15).addDims(1 << 15)).build();
    assertTrue(v.problem(huge).contains("exceed the limit"), v.problem(huge));
    Frame twice = ok.clone().addTensors(ok.getTensors(0)).build();
    assertTrue(v.problem(twice).contains("used twice"), v.problem(twice));
    Frame noType = ok.clone().setTensors(0, ok.getTensors(0).toBuilder().setDtype(DType.DTYPE_UNSPECIFIED)).build();
    assertTrue(v.problem(noType).contains("dtype"), v.problem(noType));
  }
}
