package io.edgepipe.planner.deploy;

/** Where one pod of a stage landed. */
public record StageLanding(String stage, String pod, String node, String tier, String phase) {}
