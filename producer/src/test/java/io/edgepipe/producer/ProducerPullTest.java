package io.edgepipe.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.producer.source.FrameSource;
import io.edgepipe.producer.source.RawImage;
import io.edgepipe.producer.source.SyntheticSource;
import io.edgepipe.runtime.Downstream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * When the producer reads a frame: unpaced, only once the first hop can take it (so a frame does
 * not age in front of a full window); paced, by the clock alone.
 */
class ProducerPullTest {
  private static final PipelineSpec THESIS = PipelineSpec.load(Path.of("..", "pipelines", "thesis.yaml"));

  /** What the producer did, in order: "room" (awaitRoom), "read" (source.next), "send". */
  private final List<String> events = new ArrayList<>();

  @Test
  void unpacedTheProducerReadsAFrameOnlyOnceTheFirstHopHasRoom() {
    new Producer(THESIS, recordingDownstream(), "local").stream("cam0", recordingSource(3), 0, 3, null);
    assertEquals(List.of("room", "read", "send", "room", "read", "send", "room", "read", "send"), events);
  }

  @Test
  void pacedTheProducerReadsByTheClockAlone() {
    new Producer(THESIS, recordingDownstream(), "local").stream("cam0", recordingSource(2), 1000, 2, null);
    assertEquals(List.of("read", "send", "read", "send"), events);
  }

  private Downstream recordingDownstream() {
    return new Downstream() {
      @Override
      public void awaitRoom() {
        events.add("room");
      }

      @Override
      public void send(Frame frame, Runnable onAnswered) {
        events.add("send");
      }

      @Override
      public void close() {}
    };
  }

  /** {@code frames} synthetic frames of the spec's input size, then the end of the stream. */
  private FrameSource recordingSource(int frames) {
    SyntheticSource synthetic = new SyntheticSource(1, THESIS.input().h(), THESIS.input().w(), 1, frames);
    return new FrameSource() {
      @Override
      public Optional<RawImage> next() {
        events.add("read");
        return synthetic.next();
      }

      @Override
      public String describe() {
        return synthetic.describe();
      }

      @Override
      public void close() {
        synthetic.close();
      }
    };
  }
}
