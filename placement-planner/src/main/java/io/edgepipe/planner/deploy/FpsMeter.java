package io.edgepipe.planner.deploy;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Live frames per second of each stage: its pods' frames-out counters read twice, an interval
 * apart, differenced and summed over replicas. Skips the wait when no counter could be read.
 */
public final class FpsMeter {
  private final FramesCounter counter;
  private final Duration interval;

  public FpsMeter(FramesCounter counter, Duration interval) {
    this.counter = counter;
    this.interval = interval;
  }

  public Map<String, OptionalDouble> measure(Map<String, List<Pod>> podsByStage) {
    Map<String, Double> first = read(podsByStage);
    long start = System.nanoTime();
    Map<String, OptionalDouble> fps = new LinkedHashMap<>();
    if (first.isEmpty()) {
      podsByStage.keySet().forEach(stage -> fps.put(stage, OptionalDouble.empty()));
      return fps;
    }
    sleep();
    Map<String, Double> second = read(podsByStage);
    double seconds = (System.nanoTime() - start) / 1e9;
    for (Map.Entry<String, List<Pod>> stage : podsByStage.entrySet()) {
      double frames = 0;
      boolean any = false;
      for (Pod pod : stage.getValue()) {
        Double a = first.get(pod.getMetadata().getName());
        Double b = second.get(pod.getMetadata().getName());
        if (a != null && b != null && b >= a) { // b < a: the pod restarted and its counter reset
          frames += b - a;
          any = true;
        }
      }
      fps.put(stage.getKey(), any ? OptionalDouble.of(frames / seconds) : OptionalDouble.empty());
    }
    return fps;
  }

  private Map<String, Double> read(Map<String, List<Pod>> podsByStage) {
    Map<String, Double> values = new HashMap<>();
    for (List<Pod> pods : podsByStage.values()) {
      for (Pod pod : pods) {
        counter.framesOut(pod).ifPresent(v -> values.put(pod.getMetadata().getName(), v));
      }
    }
    return values;
  }

  private void sleep() {
    try {
      Thread.sleep(interval.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
