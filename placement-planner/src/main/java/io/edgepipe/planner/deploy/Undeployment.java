package io.edgepipe.planner.deploy;

import java.util.List;

/**
 * What an undeploy removed.
 *
 * @param deleted        Kind/name of everything deleted, "Namespace/NAME" last when the namespace went too
 * @param namespaceKept  why the namespace edgepipe created was kept (it holds objects edgepipe did
 *                       not make); empty when it was deleted or was never edgepipe's
 */
public record Undeployment(List<String> deleted, String namespaceKept) {
  public Undeployment {
    deleted = List.copyOf(deleted);
  }
}
