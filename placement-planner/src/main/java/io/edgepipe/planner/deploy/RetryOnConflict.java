package io.edgepipe.planner.deploy;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;

/**
 * An edit made again, from a fresh read, while the API server answers 409 Conflict (client-go's
 * RetryOnConflict). Why: fabric8's {@code edit} sends the resourceVersion it read, and the
 * cluster's controllers write to the same objects (the Deployment controller updates a Deployment
 * whose rollout is under way, the node lifecycle controller a new Node), so a patch can lose that
 * race. Only for edits that set what the caller decides, whatever else changed meanwhile.
 */
public final class RetryOnConflict {
  /** Tries of one edit that keeps meeting a newer version (each a fresh read; they take milliseconds). */
  public static final int ATTEMPTS = 5;

  private RetryOnConflict() {}

  /** Runs {@code edit} (a read, a change and a patch) until it is not refused with a conflict, at most {@link #ATTEMPTS} times. */
  public static void run(Runnable edit) {
    for (int attempt = 1; ; attempt++) {
      try {
        edit.run();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt == ATTEMPTS) {
          throw e;
        }
      }
    }
  }
}
