package io.edgepipe.planner.manifest;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;

/**
 * A Deployment and the Services in front of it; one file in the manifest directory.
 *
 * @param services one per stage it runs (the vgpu-backend's own one for it)
 * @param stages   the stages its pods run, in chain order: one, several for a co-location group
 *                 ({@link CoLocation}), none for the vgpu-backend
 */
public record Workload(String name, Deployment deployment, List<Service> services, List<String> stages) {
  public Workload {
    services = List.copyOf(services);
    stages = List.copyOf(stages);
  }

  public String fileName() {
    return name + ".yaml";
  }

  /** The Service of a one-stage workload (the first of a group's). */
  public Service service() {
    return services.get(0);
  }
}
