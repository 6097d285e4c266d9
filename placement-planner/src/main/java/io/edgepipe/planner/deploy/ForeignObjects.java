package io.edgepipe.planner.deploy;

import io.edgepipe.planner.manifest.Labels;
import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIGroupList;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The objects in a namespace that edgepipe did not make, found through API discovery (every
 * namespaced kind the server lists, custom resources included). Deleting a namespace deletes
 * everything in it, so undeploy deletes a namespace only when this finds nothing.
 */
final class ForeignObjects {
  /** What Kubernetes itself puts in every namespace, as Kind/name. */
  private static final Set<String> CLUSTER_DEFAULTS = Set.of("ConfigMap/kube-root-ca.crt", "ServiceAccount/default");
  /** Resources that are records or views of other objects, not objects someone made. */
  private static final Set<String> DERIVED = Set.of("events", "pods.metrics.k8s.io");

  private ForeignObjects() {}

  /**
   * Kind/name of each object without edgepipe's label, e.g. "ConfigMap/notes".
   *
   * @throws KubernetesClientException when a kind cannot be listed (then nobody knows)
   */
  static List<String> in(KubernetesClient client, String namespace) {
    List<String> found = new ArrayList<>();
    for (String groupVersion : groupVersions(client)) {
      APIResourceList resources = client.getApiResources(groupVersion);
      if (resources == null) {
        continue;
      }
      for (APIResource resource : resources.getResources()) {
        if (!listable(resource, groupVersion)) {
          continue;
        }
        for (GenericKubernetesResource object : client.genericKubernetesResources(context(groupVersion, resource))
            .inNamespace(namespace).list().getItems()) {
          String id = resource.getKind() + "/" + object.getMetadata().getName();
          if (!ours(object) && !CLUSTER_DEFAULTS.contains(id)) {
            found.add(id);
          }
        }
      }
    }
    return found;
  }

  /** "v1" and each group's preferred version ("apps/v1", "networking.k8s.io/v1", ...). */
  private static List<String> groupVersions(KubernetesClient client) {
    List<String> versions = new ArrayList<>(List.of("v1"));
    APIGroupList groups = client.getApiGroups();
    if (groups != null) {
      for (APIGroup group : groups.getGroups()) {
        versions.add(group.getPreferredVersion().getGroupVersion());
      }
    }
    return versions;
  }

  /** The resource as discovery described it, so listing it needs no further lookup. */
  private static ResourceDefinitionContext context(String groupVersion, APIResource resource) {
    int slash = groupVersion.indexOf('/');
    return new ResourceDefinitionContext.Builder().withGroup(slash < 0 ? "" : groupVersion.substring(0, slash))
        .withVersion(groupVersion.substring(slash + 1)).withPlural(resource.getName()).withKind(resource.getKind())
        .withNamespaced(true).build();
  }

  private static boolean listable(APIResource resource, String groupVersion) {
    String group = groupVersion.contains("/") ? groupVersion.substring(0, groupVersion.indexOf('/')) : "";
    String qualified = group.isEmpty() ? resource.getName() : resource.getName() + "." + group;
    return Boolean.TRUE.equals(resource.getNamespaced()) && !resource.getName().contains("/") // not a subresource
        && resource.getVerbs() != null && resource.getVerbs().contains("list")
        && !DERIVED.contains(resource.getName()) && !DERIVED.contains(qualified);
  }

  /** edgepipe's label, which the objects it applied carry and their ReplicaSets, pods and endpoints copy. */
  private static boolean ours(GenericKubernetesResource object) {
    Map<String, String> labels = object.getMetadata().getLabels();
    return labels != null && Labels.PART_OF_VALUE.equals(labels.get(Labels.PART_OF));
  }
}
