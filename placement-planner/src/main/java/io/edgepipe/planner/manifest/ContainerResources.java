package io.edgepipe.planner.manifest;

import io.edgepipe.api.Tier;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU and memory requests and limits of a container. Defaults per tier:
 * edge 250m CPU / 256Mi requested, 1 CPU / 1Gi limit (a small ARM or x86 box shared with the
 * camera); server 500m / 512Mi requested, 2 CPU / 2Gi limit. A 720p f32 frame is 3.7 MB and a
 * stage holds a few in flight, so 1Gi is ample there; 4K f32 frames are 100 MB each and need
 * the limits raised (--resource edge.limits.memory=4Gi).
 */
public record ContainerResources(Map<String, String> requests, Map<String, String> limits) {
  public ContainerResources {
    requests = Map.copyOf(requests);
    limits = Map.copyOf(limits);
  }

  public static ContainerResources defaults(Tier tier) {
    return tier == Tier.EDGE
        ? new ContainerResources(Map.of("cpu", "250m", "memory", "256Mi"), Map.of("cpu", "1", "memory", "1Gi"))
        : new ContainerResources(Map.of("cpu", "500m", "memory", "512Mi"), Map.of("cpu", "2", "memory", "2Gi"));
  }

  /** A copy with one value replaced; {@code kind} is "requests" or "limits". */
  public ContainerResources with(String kind, String resource, String quantity) {
    Map<String, String> req = new LinkedHashMap<>(requests);
    Map<String, String> lim = new LinkedHashMap<>(limits);
    switch (kind) {
      case "requests":
        req.put(resource, quantity);
        break;
      case "limits":
        lim.put(resource, quantity);
        break;
      default:
        throw new ManifestException("resource override '" + kind + "." + resource + "' must start with requests or limits");
    }
    return new ContainerResources(req, lim);
  }
}
