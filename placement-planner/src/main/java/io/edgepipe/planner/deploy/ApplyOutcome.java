package io.edgepipe.planner.deploy;

import java.util.Locale;

/** What applying one object did. */
public enum ApplyOutcome {
  CREATED,
  CONFIGURED,
  UNCHANGED,
  /** Left alone: it exists and edgepipe does not manage it (a namespace made by someone else). */
  SKIPPED,
  /** Removed: an edgepipe object the new manifests no longer contain. */
  DELETED;

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
