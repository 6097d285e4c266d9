package io.edgepipe.planner.manifest;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;

/** A Deployment and the Service in front of it; one file in the manifest directory. */
public record Workload(String name, Deployment deployment, Service service) {
  public String fileName() {
    return name + ".yaml";
  }
}
