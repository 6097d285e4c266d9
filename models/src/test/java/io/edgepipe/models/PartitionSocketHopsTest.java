package io.edgepipe.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.edgepipe.api.FrameValidator;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.models.exec.PartitionRunner;
import io.edgepipe.models.graph.ModelGraph;
import io.edgepipe.models.onnx.OnnxImporter;
import io.edgepipe.models.service.ModelSources;
import io.edgepipe.models.service.PartitionProcessor;
import io.edgepipe.models.service.TensorFrames;
import io.edgepipe.runtime.DownstreamClient;
import io.edgepipe.runtime.FrameHandler;
import io.edgepipe.runtime.FrameProcessor;
import io.edgepipe.runtime.FrameServer;
import io.edgepipe.runtime.StageMetrics;
import io.edgepipe.runtime.StageService;
import io.edgepipe.runtime.Transport;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.cpu.CpuGpu;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * BlazeFace split at cuts 8 (two tensors cross it) and 40 into three partition services over
 * loopback sockets, not by reference: each partition reads its named tensors in place off
 * Netty's buffers (it declares it does not keep its input, so it gets no private copy). Two
 * flows of real photos at once; every output equals the monolith's, bit for bit.
 */
class PartitionSocketHopsTest {
  private static final long LIMIT = 16L << 20;
  private static final int FLOWS = 2;
  private static final String[] PHOTOS = {"astronaut.png", "coffee.png", "chelsea.png", "camera.png"};
  private static final int FRAMES_PER_FLOW = 8;

  @Test
  void partitionsReadingTensorsInPlaceOverSocketsGiveTheMonolithsBits() throws Exception {
    ModelGraph g = OnnxImporter.load(TestModels.require(TestModels.BLAZEFACE), Map.of());
    List<Frame> pictures = new ArrayList<>();
    for (String name : PHOTOS) {
      BufferedImage photo = ImageIO.read(TestModels.photo(name).toFile());
      pictures.add(ModelSources.pictureFrame(photo, 0));
    }
    Map<String, float[]>[] expected = monolith(g, pictures);

    Map<String, Frame> arrived = new ConcurrentHashMap<>();
    List<FrameServer> servers = new ArrayList<>();
    List<Gpu> devices = new ArrayList<>();
    try {
      FrameServer sink = server("sink", in -> {
        arrived.put(in.getFlowId() + "/" + in.getSeq(), in);
        return null;
      }, null);
      servers.add(sink);
      int next = sink.port();
      int[][] cuts = {{40, g.steps().size()}, {8, 40}, {0, 8}};
      for (int[] cut : cuts) {
        Gpu gpu = new CpuGpu();
        devices.add(gpu);
        PartitionProcessor p = new PartitionProcessor(new PartitionRunner(g, cut[0], cut[1], gpu),
            cut[0] == 0 ? TestModels.BLAZEFACE_INPUT : null);
        assertFalse(p.keepsInput(), "a partition reads its tensors in place");
        String name = "c" + cut[0] + "-c" + cut[1];
        FrameServer s = server(name, p, new DownstreamClient(name,
            Transport.socketChannel("127.0.0.1:" + next, LIMIT, null), true, false, ack -> {}));
        servers.add(0, s); // stopped first: upstream before downstream
        next = s.port();
      }
      int first = next;
      ExecutorService sources = Executors.newFixedThreadPool(FLOWS);
      try {
        List<Future<?>> sending = new ArrayList<>();
        for (int f = 0; f < FLOWS; f++) {
          String flow = "cam" + f;
          sending.add(sources.submit(() -> {
            try (DownstreamClient source = new DownstreamClient("source-" + flow,
                Transport.socketChannel("127.0.0.1:" + first, LIMIT, null), true, false, ack -> {})) {
              for (int seq = 0; seq < FRAMES_PER_FLOW; seq++) {
                source.send(pictures.get(seq % pictures.size()).toBuilder().setFlowId(flow).setSeq(seq).build());
              }
            } // closing waits until every frame is answered, so every output is at the sink
            return null;
          }));
        }
        for (Future<?> s : sending) {
          s.get(300, TimeUnit.SECONDS);
        }
      } finally {
        sources.shutdownNow();
      }
    } finally {
      for (FrameServer s : servers) {
        s.stop(10, TimeUnit.SECONDS);
      }
      devices.forEach(Gpu::close);
    }

    assertEquals(FLOWS * FRAMES_PER_FLOW, arrived.size(), "frames at the sink");
    for (int f = 0; f < FLOWS; f++) {
      for (int seq = 0; seq < FRAMES_PER_FLOW; seq++) {
        Map<String, float[]> out = TensorFrames.get(arrived.get("cam" + f + "/" + seq));
        Map<String, float[]> want = expected[seq % pictures.size()];
        assertEquals(want.keySet(), out.keySet());
        for (String name : want.keySet()) {
          assertArrayEquals(want.get(name), out.get(name), name + " of cam" + f + "/" + seq);
        }
      }
    }
  }

  /** Each picture through the whole model in one partition, no hop. */
  @SuppressWarnings("unchecked")
  private static Map<String, float[]>[] monolith(ModelGraph g, List<Frame> pictures) {
    Map<String, float[]>[] out = new Map[pictures.size()];
    try (CpuGpu gpu = new CpuGpu();
        PartitionProcessor p = new PartitionProcessor(new PartitionRunner(g, 0, g.steps().size(), gpu),
            TestModels.BLAZEFACE_INPUT)) {
      for (int i = 0; i < pictures.size(); i++) {
        out[i] = TensorFrames.get(p.process(pictures.get(i)).build());
      }
    }
    return out;
  }

  private static FrameServer server(String name, FrameProcessor processor, DownstreamClient next) throws Exception {
    FrameHandler h = new FrameHandler(name, "test", new FrameValidator(LIMIT), processor, next, new StageMetrics(name));
    return new FrameServer(name, "127.0.0.1", 0, -1, LIMIT, new StageService(h), h, next).start();
  }
}
