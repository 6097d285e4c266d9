package io.edgepipe.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.runtime.DownstreamClient;
import io.grpc.inprocess.InProcessChannelBuilder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The producer's window, which bounds every frame in the chain, is what the chain says. */
class FirstHopTest {
  @Test
  void theProducersWindowIsOneFramePerService() {
    PipelineSpec spec = PipelineSpec.load(Path.of("..", "pipelines", "thesis.yaml"));
    DownstreamClient toFirst = FirstHop.open(spec,
        InProcessChannelBuilder.forName("first-hop-window-test").directExecutor().build(), new SinkRecorder(null, spec.delivery()));
    try {
      // conv, relu, maxpool and the sink: 4 services, one frame each
      assertEquals(4, toFirst.window());
    } finally {
      toFirst.abort();
    }
  }
}
