package io.edgepipe.cli.run;

import io.edgepipe.producer.RunSummary;

/**
 * A finished run: what the sink saw, and the accounting of every frame that entered.
 *
 * @param mode      embedded, processes or monolith
 * @param sent      frames the producer handed to the first stage
 * @param rejected  frames refused somewhere along the chain (malformed or failed)
 * @param lost      frames neither delivered nor refused (should be 0)
 */
public record RunResult(String mode, RunSummary summary, long sent, long rejected, long lost) {
  public static RunResult of(String mode, RunSummary summary, long sent, long rejected) {
    return new RunResult(mode, summary, sent, rejected, sent - summary.delivered() - rejected);
  }
}
