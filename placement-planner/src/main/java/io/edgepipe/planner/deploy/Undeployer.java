package io.edgepipe.planner.deploy;

import io.edgepipe.planner.manifest.Labels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes every edgepipe object (label app.kubernetes.io/part-of=edgepipe) from a namespace,
 * then the namespace itself if edgepipe created it and nothing else lives there (deleting a
 * namespace deletes all of it). Pods are deleted too: normally their Deployments take them
 * along, but a pod left over from a crashed rollout should not linger.
 */
public final class Undeployer {
  private Undeployer() {}

  public static Undeployment undeploy(KubernetesClient client, String namespace) {
    List<String> deleted = new ArrayList<>();
    deleteAll(client.apps().deployments().inNamespace(namespace).withLabel(Labels.PART_OF, Labels.PART_OF_VALUE)
        .list().getItems(), client, deleted);
    deleteAll(client.services().inNamespace(namespace).withLabel(Labels.PART_OF, Labels.PART_OF_VALUE)
        .list().getItems(), client, deleted);
    deleteAll(client.configMaps().inNamespace(namespace).withLabel(Labels.PART_OF, Labels.PART_OF_VALUE)
        .list().getItems(), client, deleted);
    deleteAll(client.secrets().inNamespace(namespace).withLabel(Labels.PART_OF, Labels.PART_OF_VALUE)
        .list().getItems(), client, deleted);
    deleteAll(client.network().networkPolicies().inNamespace(namespace).withLabel(Labels.PART_OF, Labels.PART_OF_VALUE)
        .list().getItems(), client, deleted);
    deleteAll(client.pods().inNamespace(namespace).withLabel(Labels.PART_OF, Labels.PART_OF_VALUE)
        .list().getItems(), client, deleted);
    Namespace ns = client.namespaces().withName(namespace).get();
    if (ns == null || !Deployer.createdByEdgepipe(ns)) {
      return new Undeployment(deleted, "");
    }
    List<String> foreign;
    try {
      foreign = ForeignObjects.in(client, namespace);
    } catch (KubernetesClientException e) {
      return new Undeployment(deleted, "namespace " + namespace + " kept: could not check what else is in it ("
          + e.getMessage() + ")");
    }
    if (!foreign.isEmpty()) {
      return new Undeployment(deleted, "namespace " + namespace + " kept: it holds objects edgepipe did not make ("
          + String.join(", ", foreign.subList(0, Math.min(5, foreign.size())))
          + (foreign.size() > 5 ? ", and " + (foreign.size() - 5) + " more" : "") + ")");
    }
    client.resource(ns).delete();
    deleted.add("Namespace/" + namespace);
    return new Undeployment(deleted, "");
  }

  private static void deleteAll(List<? extends HasMetadata> resources, KubernetesClient client, List<String> deleted) {
    for (HasMetadata resource : resources) {
      client.resource(resource).withGracePeriod(30).delete();
      deleted.add(resource.getKind() + "/" + resource.getMetadata().getName());
    }
  }
}
