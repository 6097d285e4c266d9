package io.edgepipe.planner.predict;

import io.edgepipe.planner.PlannerException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code --replicas} asks of the manifests: nothing (the default: one pod per stage),
 * {@code auto} (the plan's best count for the stage that limits), {@code N} (N pods of that
 * stage), or {@code STAGE=N} per stage. Replicas reach the manifests only when asked.
 */
public final class ReplicaChoice {
  private final boolean auto;
  private final int count;
  private final Map<String, Integer> perStage;

  private ReplicaChoice(boolean auto, int count, Map<String, Integer> perStage) {
    this.auto = auto;
    this.count = count;
    this.perStage = Map.copyOf(perStage);
  }

  public static ReplicaChoice none() {
    return new ReplicaChoice(false, 0, Map.of());
  }

  /** Parses the flag's values; one line naming the bad value otherwise. */
  public static ReplicaChoice parse(List<String> values) {
    if (values == null || values.isEmpty()) {
      return none();
    }
    Map<String, Integer> stages = new LinkedHashMap<>();
    boolean auto = false;
    int count = 0;
    for (String value : values) {
      String v = value.trim();
      if (v.equals("auto")) {
        auto = true;
      } else if (v.contains("=")) {
        String[] kv = v.split("=", 2);
        stages.put(kv[0].trim(), positive(kv[1], value));
      } else {
        count = positive(v, value);
      }
    }
    if ((auto ? 1 : 0) + (count > 0 ? 1 : 0) + (stages.isEmpty() ? 0 : 1) > 1) {
      throw new PlannerException("--replicas: give one of auto, N or STAGE=N (repeatable), not a mix: " + values);
    }
    return new ReplicaChoice(auto, count, stages);
  }

  private static int positive(String text, String whole) {
    try {
      int n = Integer.parseInt(text.trim());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // fall through to the one-line message
    }
    throw new PlannerException("--replicas '" + whole + "' is not auto, a count N >= 1 or STAGE=N");
  }

  /** Whether it needs a plan to resolve (auto or N). */
  public boolean needsPlan() {
    return auto || count > 0;
  }

  /** Replicas per stage without a plan (STAGE=N only); auto or N here is refused. */
  public Map<String, Integer> withoutPlan() {
    if (needsPlan()) {
      throw new PlannerException("--replicas " + (auto ? "auto" : Integer.toString(count))
          + " needs a plan to know which stage limits: use it with `pipeline plan`, or give STAGE=N here");
    }
    return perStage;
  }

  /**
   * Replicas per stage for the plan's winner. {@code N} of a stage that replicas cannot help (a CPU
   * or the link limits, or the stage is on the edge) is refused with the plan's reason.
   */
  public Map<String, Integer> resolve(PlanReport report) {
    if (auto) {
      return report.recommendedReplicas();
    }
    if (count > 0) {
      ReplicaAdvice advice = report.replicas();
      if (advice.note() != null) {
        throw new PlannerException("--replicas " + count + ": " + advice.note());
      }
      return Map.of(advice.stage(), count);
    }
    return perStage;
  }
}
