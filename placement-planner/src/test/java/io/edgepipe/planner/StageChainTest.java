package io.edgepipe.planner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class StageChainTest {
  private static final StageChain CHAIN = new StageChain(List.of("producer", "conv", "relu", "maxpool"));

  @Test
  void hopsEndAtTheSink() {
    assertEquals(List.of("producer->conv", "conv->relu", "relu->maxpool", "maxpool->sink"), CHAIN.hopNames());
  }
}
