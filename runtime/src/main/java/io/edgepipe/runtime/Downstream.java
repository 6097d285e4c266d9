package io.edgepipe.runtime;

import io.edgepipe.api.proto.Frame;

/** Where a stage's output goes. {@link #send} blocks while the next hop cannot take more. */
public interface Downstream extends AutoCloseable {
  void send(Frame frame);

  /** Waits until every frame sent has been answered by the next hop, then disconnects. */
  @Override
  void close();
}
