package io.edgepipe.harness;

import io.edgepipe.producer.FlowAccount;
import io.edgepipe.producer.RunSummary;
import java.util.Map;

/**
 * A finished run: what the sink saw, and the accounting of every frame that entered.
 *
 * @param mode        embedded, processes or monolith (with the delivery mode)
 * @param sent        frames the producer numbered, all flows
 * @param sentPerFlow the same per flow
 * @param lost        frames neither delivered nor accounted as dropped or rejected (must be 0)
 */
public record RunResult(String mode, RunSummary summary, long sent, Map<String, Long> sentPerFlow, long lost) {
  public static RunResult of(String mode, RunSummary summary, Map<String, Long> sentPerFlow) {
    long sent = sentPerFlow.values().stream().mapToLong(Long::longValue).sum();
    long lost = 0;
    for (FlowAccount f : summary.flows()) {
      lost += sentPerFlow.getOrDefault(f.flow(), 0L) - (f.delivered() + f.dropped() + f.rejected());
    }
    for (Map.Entry<String, Long> e : sentPerFlow.entrySet()) {
      if (summary.flows().stream().noneMatch(f -> f.flow().equals(e.getKey()))) {
        lost += e.getValue(); // a flow of which nothing arrived
      }
    }
    return new RunResult(mode, summary, sent, Map.copyOf(sentPerFlow), lost);
  }
}
