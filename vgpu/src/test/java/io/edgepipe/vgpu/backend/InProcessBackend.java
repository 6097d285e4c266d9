package io.edgepipe.vgpu.backend;

import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.remote.RemoteGpu;
import io.edgepipe.vgpu.remote.RemoteSpec;
import io.edgepipe.vgpu.remote.Wire;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** A backend on the in-process transport with one shared client channel, for tests. */
final class InProcessBackend implements AutoCloseable {
  final String name = InProcessServerBuilder.generateName();
  final VgpuBackend backend;
  final ManagedChannel channel;

  InProcessBackend(Gpu device, Map<String, String> tokens) {
    this(device, tokens, FairScheduler.Config.DEFAULT);
  }

  InProcessBackend(Gpu device, Map<String, String> tokens, FairScheduler.Config config) {
    this(device, TokenStore.of(tokens), config);
  }

  InProcessBackend(Gpu device, TokenStore tokens) {
    this(device, tokens, FairScheduler.Config.DEFAULT);
  }

  InProcessBackend(Gpu device, TokenStore tokens, FairScheduler.Config config) {
    this(device, tokens, BackendLimits.defaults().withScheduler(config));
  }

  InProcessBackend(Gpu device, TokenStore tokens, BackendLimits limits) {
    try {
      backend = new VgpuBackend(InProcessServerBuilder.forName(name).directExecutor(), device,
          tokens, limits).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    channel = newChannel();
  }

  ManagedChannel newChannel() {
    return InProcessChannelBuilder.forName(name).directExecutor()
        .maxInboundMessageSize(Wire.MAX_MESSAGE_BYTES).build();
  }

  RemoteGpu open(String tenant, String token, double fgpu, int vmemUnits) {
    return new RemoteGpu(channel, false, new RemoteSpec("in-process", 1, tenant, token, fgpu, vmemUnits, "test"));
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    backend.stop();
  }
}
