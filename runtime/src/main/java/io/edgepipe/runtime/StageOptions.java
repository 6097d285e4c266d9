package io.edgepipe.runtime;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.runtime.tls.TlsFiles;
import java.util.List;

/**
 * How one service of the chain is started: which spec and stage (a layer, or a group of
 * consecutive layers named {@code conv+relu}, see {@link LayerGroup}), where it listens, where its
 * output goes, and on which device it computes. The CLI fills it from flags, each of which
 * falls back to an environment variable (EDGEPIPE_PORT, EDGEPIPE_NEXT, EDGEPIPE_DEVICE,
 * EDGEPIPE_NODE...) so a k3s Deployment can set them and name the next hop by its Service DNS.
 *
 * @param host        address to bind ("0.0.0.0" in a container, "127.0.0.1" embedded)
 * @param port        gRPC port, 0 = any free one
 * @param metricsPort Prometheus port, 0 = any free one, -1 = none
 * @param next        gRPC target of the next hop ("host:port" or "dns:///name:port")
 * @param device      auto, cpu, cuda or vgpu://host:port
 * @param node        name of the node this runs on, recorded in each frame's timings
 * @param tls         this service's mutual-TLS identity (server and client side), null = plaintext
 */
public record StageOptions(
    PipelineSpec spec,
    String stage,
    String host,
    int port,
    int metricsPort,
    String next,
    String device,
    String node,
    TlsFiles tls) {

  /** Plaintext. */
  public StageOptions(PipelineSpec spec, String stage, String host, int port, int metricsPort, String next,
      String device, String node) {
    this(spec, stage, host, port, metricsPort, next, device, node, null);
  }

  /** The layers this service runs, in order: the stage, or each layer of a group such as {@code conv+relu}. */
  public List<String> layers() {
    return LayerGroup.layers(spec, stage);
  }

  /** The index of this stage's (first) layer in the chain (0 = the first layer after the producer). */
  public int index() {
    return spec.indexOf(layers().get(0));
  }

  /** The index of this stage's last layer: its output leaves on hop {@code lastIndex() + 1}. */
  public int lastIndex() {
    List<String> layers = layers();
    return spec.indexOf(layers.get(layers.size() - 1));
  }

  /** True when this service runs the last layer, whose next hop is the sink. */
  public boolean feedsSink() {
    return lastIndex() == spec.layers().size() - 1;
  }
}
