package io.edgepipe.planner.control;

import io.edgepipe.api.proto.StageTiming;
import io.edgepipe.planner.deploy.StagePods;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a deployed chain's frames carry, read where a cluster exposes it: each stage pod's
 * {@code edgepipe_phase_seconds} histogram (process = compute; receive = the hop from the
 * upstream's send to received here), scraped through the API server's pod proxy. Between two
 * reads, the mean of each phase over the frames that passed becomes one synthetic
 * {@link StageTiming} chain, which {@link LiveProfile#observe} takes like a frame's own. The
 * last hop (to the sink in the producer pod) is not seen here.
 */
public final class ClusterTimingFeed {
  static final String METRIC = "edgepipe_phase_seconds";

  private final KubernetesClient client;
  private final String namespace;
  private final Map<String, double[]> last = new HashMap<>(); // "stage|phase" -> {sum s, count}

  public ClusterTimingFeed(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /** One synthetic frame from the phases since the last call; empty when some stage passed no frame. */
  public List<StageTiming> sample(List<String> stages) {
    double[] process = new double[stages.size()];
    double[] receive = new double[stages.size()];
    for (int i = 0; i < stages.size(); i++) {
      Map<String, double[]> phases = new HashMap<>();
      for (Pod pod : StagePods.of(client, namespace, stages.get(i))) {
        PhaseHistograms.addTo(phases, scrape(pod, StagePods.metricsPort(pod, stages.get(i))));
      }
      process[i] = delta(stages.get(i), "process", phases);
      receive[i] = delta(stages.get(i), "receive", phases);
    }
    return PhaseHistograms.timings(stages, process, receive);
  }

  /** Mean ms of a phase over the frames since the last read; NaN when none passed. */
  private double delta(String stage, String phase, Map<String, double[]> now) {
    double[] current = now.getOrDefault(phase, new double[2]);
    double[] before = last.put(stage + "|" + phase, current);
    double count = current[1] - (before == null ? 0 : before[1]);
    return count > 0 ? (current[0] - (before == null ? 0 : before[0])) / count * 1000 : Double.NaN;
  }

  private String scrape(Pod pod, int port) {
    String path = StagePods.metricsPath(pod, port);
    try {
      return client.raw(client.getMasterUrl().toURI().resolve(path).toString());
    } catch (Exception e) {
      return null; // pod not running or proxy refused: its frames are simply not seen this round
    }
  }
}
