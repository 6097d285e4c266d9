package io.edgepipe.planner.manifest;

import java.util.LinkedHashMap;
import java.util.Map;

/** Label and annotation keys the manifests carry and the deployer selects on. */
public final class Labels {
  public static final String NAME = "app.kubernetes.io/name";
  public static final String PART_OF = "app.kubernetes.io/part-of";
  public static final String COMPONENT = "app.kubernetes.io/component";
  public static final String PART_OF_VALUE = "edgepipe";
  /**
   * Annotation of the spec config map: the placement deployed. Only there: as a label of every
   * workload it would change all of them (and restart every pod) when one stage moves.
   */
  public static final String PLACEMENT = "edgepipe.io/placement";
  public static final String STAGE = "edgepipe.io/stage";
  /** Pod annotation: hash of the pipeline spec, so pods restart when the spec changes. */
  public static final String SPEC_HASH = "edgepipe.io/spec-sha256";
  /** Annotation of the model ConfigMap: sha256 of the ONNX file it carries. */
  public static final String MODEL_HASH = "edgepipe.io/model-sha256";
  /** Namespace annotation: set when edgepipe created the namespace, so undeploy may delete it. */
  public static final String CREATED_BY = "edgepipe.io/created-by";
  /**
   * Pod or namespace label ("true") that the NetworkPolicies admit to every workload's metrics
   * port: label the Prometheus pod, or its namespace.
   */
  public static final String METRICS_SCRAPER = "edgepipe.io/metrics-scraper";

  /** Pod label ("true") of a co-location group's pods, one per stage they run: what Services and policies select. */
  public static final String RUNS_PREFIX = "edgepipe.io/runs-";
  /** {@link #COMPONENT} value of a co-location group's workload. */
  public static final String GROUP_COMPONENT = "co-location-group";

  private Labels() {}

  /**
   * The pods that run {@code stage} in a co-located deployment, whichever group holds it: a
   * selector that stays the same when the stage moves to another tier's Pod.
   */
  public static Map<String, String> runs(String stage) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(RUNS_PREFIX + stage, "true");
    labels.put(PART_OF, PART_OF_VALUE);
    return labels;
  }

  /**
   * Pod selector of a workload: only labels that never change. A Deployment's selector is
   * immutable, so the placement (which changes on a redeploy) must not be in it.
   */
  public static Map<String, String> selector(String name) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(NAME, name);
    labels.put(PART_OF, PART_OF_VALUE);
    return labels;
  }

  public static Map<String, String> stage(String stage) {
    Map<String, String> labels = selector(stage);
    labels.put(STAGE, stage);
    return labels;
  }

  public static Map<String, String> partOf() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(PART_OF, PART_OF_VALUE);
    return labels;
  }
}
