package io.edgepipe.planner.manifest;

import io.edgepipe.api.Tier;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the Deployment and Service of one container workload from a {@link WorkloadSpec}, or the
 * Deployment and Services of a co-location group: several stages as containers of one Pod.
 */
final class WorkloadFactory {
  static final String SPEC_VOLUME = "pipeline-spec";
  static final String SPEC_DIR = "/etc/edgepipe";

  private WorkloadFactory() {}

  /**
   * @param name        workload name: Deployment, Service, container and DNS name
   * @param labels      labels of every object and pod
   * @param tier        node tier it must run on
   * @param image       container image
   * @param args        arguments to the image's entrypoint (the {@code pipeline} launcher)
   * @param grpcPort    port of the gRPC service that also serves health (probes use it)
   * @param grpcName    name of that port ("grpc", "sink"); unique in its Pod
   * @param replicas    pod count; more than 1 makes the Service headless
   * @param specHash    hash of the pipeline spec for the pod annotation, or null for no spec volume
   * @param secrets     Secrets mounted read-only into the container (TLS, vGPU tokens)
   * @param env         environment variables besides EDGEPIPE_NODE
   * @param tls         the gRPC port serves mutual TLS: kubelet's gRPC probe speaks plaintext only,
   *                    so the probes check that the port accepts connections instead
   * @param camera      the camera the container reads (the producer of a camera source), or null
   * @param metricsPort its Prometheus port
   * @param metricsName name of that port ("metrics"); unique in its Pod
   */
  record WorkloadSpec(String name, Map<String, String> labels, Tier tier, String image, List<String> args,
      int grpcPort, String grpcName, int replicas, String specHash, ContainerResources resources, String gpuResource,
      List<Security.SecretMount> secrets, List<EnvVar> env, boolean tls, CameraAccess camera, int metricsPort,
      String metricsName) {

    WorkloadSpec(String name, Map<String, String> labels, Tier tier, String image, List<String> args,
        int grpcPort, String grpcName, int replicas, String specHash, ContainerResources resources, String gpuResource,
        List<Security.SecretMount> secrets, List<EnvVar> env, boolean tls, CameraAccess camera) {
      this(name, labels, tier, image, args, grpcPort, grpcName, replicas, specHash, resources, gpuResource, secrets,
          env, tls, camera, Ports.METRICS, "metrics");
    }

    WorkloadSpec(String name, Map<String, String> labels, Tier tier, String image, List<String> args,
        int grpcPort, String grpcName, int replicas, String specHash, ContainerResources resources, String gpuResource,
        List<Security.SecretMount> secrets, List<EnvVar> env, boolean tls) {
      this(name, labels, tier, image, args, grpcPort, grpcName, replicas, specHash, resources, gpuResource, secrets,
          env, tls, null);
    }

    /** Without secrets, extra environment or TLS. */
    WorkloadSpec(String name, Map<String, String> labels, Tier tier, String image, List<String> args,
        int grpcPort, String grpcName, int replicas, String specHash, ContainerResources resources,
        String gpuResource) {
      this(name, labels, tier, image, args, grpcPort, grpcName, replicas, specHash, resources, gpuResource,
          List.of(), List.of(), false);
    }
  }

  static Workload build(WorkloadSpec w, String namespace) {
    return build(w, null, namespace);
  }

  /** @param model the model file mounted beside the spec, or null */
  static Workload build(WorkloadSpec w, ModelFile model, String namespace) {
    Deployment deployment = deployment(w.name(), w.labels(), w.labels(), w.tier(), w.replicas(), List.of(w), null,
        model, namespace);
    List<String> stages = w.labels().containsKey(Labels.STAGE) ? List.of(w.name()) : List.of();
    return new Workload(w.name(), deployment, List.of(service(w, namespace, Labels.selector(w.name()))), stages);
  }

  /**
   * A co-location group: {@code members} (chain order) as containers of one Pod on {@code tier},
   * each still behind a Service of its own name that selects whichever Pod runs it, so that a
   * stage moving to another group changes no Service and no NetworkPolicy.
   *
   * @param shm   the memory volume of the rings of the hops inside the Pod, or null when it has none
   * @param model the model file mounted beside the spec, or null
   */
  static Workload group(String name, Tier tier, List<WorkloadSpec> members, CoLocation.RingVolume shm,
      ModelFile model, String namespace) {
    Map<String, String> labels = Labels.selector(name);
    labels.put(Labels.COMPONENT, Labels.GROUP_COMPONENT);
    Map<String, String> podLabels = new LinkedHashMap<>(labels);
    List<Service> services = new ArrayList<>();
    List<String> stages = new ArrayList<>();
    for (WorkloadSpec member : members) {
      podLabels.putAll(Labels.runs(member.name()));
      services.add(service(member, namespace, Labels.runs(member.name())));
      stages.add(member.name());
    }
    return new Workload(name, deployment(name, labels, podLabels, tier, 1, members, shm, model, namespace), services,
        stages);
  }

  private static Deployment deployment(String name, Map<String, String> labels, Map<String, String> podLabels,
      Tier tier, int replicas, List<WorkloadSpec> members, CoLocation.RingVolume shm, ModelFile model,
      String namespace) {
    Map<String, String> podAnnotations = new LinkedHashMap<>();
    podAnnotations.put("prometheus.io/scrape", "true");
    if (members.size() == 1) { // a group has one metrics port per container, named metrics-<i>
      podAnnotations.put("prometheus.io/port", Integer.toString(members.get(0).metricsPort()));
    }
    podAnnotations.put("prometheus.io/path", "/metrics");
    String specHash = members.stream().map(WorkloadSpec::specHash).filter(h -> h != null).findFirst().orElse(null);
    if (specHash != null) {
      podAnnotations.put(Labels.SPEC_HASH, specHash);
    }
    List<Container> containers = new ArrayList<>();
    for (WorkloadSpec w : members) {
      containers.add(container(w, shm, model));
    }
    DeploymentBuilder builder = new DeploymentBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata()
        .withNewSpec()
          .withReplicas(replicas)
          .withNewSelector().withMatchLabels(Labels.selector(name)).endSelector()
          .withNewTemplate()
            .withNewMetadata().withLabels(podLabels).withAnnotations(podAnnotations).endMetadata()
            .withNewSpec()
              .withNodeSelector(Map.of(Tier.NODE_LABEL, tier.label()))
              // no stage talks to the API server
              .withAutomountServiceAccountToken(false)
              .withSecurityContext(Security.podSecurityContext())
              .withContainers(containers)
              // time for the runtime's graceful drain of frames in flight
              .withTerminationGracePeriodSeconds(30L)
              .addToVolumes(Security.tmpVolume())
            .endSpec()
          .endTemplate()
        .endSpec();
    if (specHash != null) {
      builder.editSpec().editTemplate().editSpec()
          .addNewVolume().withName(SPEC_VOLUME).withNewConfigMap().withName(ManifestGenerator.SPEC_CONFIG_MAP)
          .endConfigMap().endVolume()
          .endSpec().endTemplate().endSpec();
      if (model != null) {
        builder.editSpec().editTemplate().editSpec().addToVolumes(model.volume()).endSpec().endTemplate().endSpec();
      }
    }
    if (shm != null) {
      // ring names carry the writer's pid: one pid namespace for the Pod keeps them unique in its volume
      builder.editSpec().editTemplate().editSpec().withShareProcessNamespace(true).addToVolumes(shm.volume())
          .endSpec().endTemplate().endSpec();
    }
    for (WorkloadSpec w : members) {
      for (Security.SecretMount secret : w.secrets()) {
        builder.editSpec().editTemplate().editSpec().addToVolumes(secret.toVolume()).endSpec().endTemplate().endSpec();
      }
      if (w.camera() != null) {
        addCamera(builder, w.camera());
      }
    }
    return builder.build();
  }

  private static void addCamera(DeploymentBuilder builder, CameraAccess camera) {
    // the device's group, so the non-root user may open it
    builder.editSpec().editTemplate().editSpec().editSecurityContext().withSupplementalGroups(camera.group())
        .endSecurityContext().endSpec().endTemplate().endSpec();
    if (!camera.viaPlugin()) {
      builder.editSpec().editTemplate().editSpec().addToVolumes(camera.volume()).endSpec().endTemplate().endSpec()
          .editMetadata().addToAnnotations(CameraAccess.EXCEPTION_ANNOTATION, camera.exception()).endMetadata()
          .editSpec().editTemplate().editMetadata()
          .addToAnnotations(CameraAccess.EXCEPTION_ANNOTATION, camera.exception()).endMetadata()
          .endTemplate().endSpec();
    }
  }

  private static Container container(WorkloadSpec w, CoLocation.RingVolume shm, ModelFile model) {
    ContainerBuilder container = new ContainerBuilder()
        .withName(w.name())
        .withImage(w.image())
        // images are imported into k3s from jib tarballs, not pulled, whatever the tag
        .withImagePullPolicy("IfNotPresent")
        .withArgs(w.args())
        .withEnv(new EnvVarBuilder().withName("EDGEPIPE_NODE")
            .withNewValueFrom().withNewFieldRef().withFieldPath("spec.nodeName").endFieldRef().endValueFrom().build())
        // pods reach each other over the cluster's network, so the chain runs as one across hosts
        .addToEnv(new EnvVarBuilder().withName(io.edgepipe.api.HopBudget.TRANSIT_ENV)
            .withValue(String.valueOf(io.edgepipe.api.HopBudget.FRAMES_IN_TRANSIT_ACROSS_HOSTS)).build())
        .addAllToEnv(w.env())
        .withPorts(containerPorts(w))
        .withReadinessProbe(probe(w, 5, 5, 3))
        // generous start: a JVM plus first CUDA/PTX load can take tens of seconds
        .withLivenessProbe(probe(w, 30, 10, 3))
        .withResources(resources(w))
        .withSecurityContext(Security.containerSecurityContext());
    if (w.specHash() != null) {
      container.addNewVolumeMount().withName(SPEC_VOLUME).withMountPath(SPEC_DIR).withReadOnly(true).endVolumeMount();
      if (model != null) {
        container.addToVolumeMounts(model.mount());
      }
    }
    container.addAllToVolumeMounts(Security.mounts(w.secrets()));
    if (shm != null) {
      container.addToVolumeMounts(shm.mount());
    }
    if (w.camera() != null && !w.camera().viaPlugin()) {
      container.addToVolumeMounts(w.camera().mount());
      // the stated exception (see CameraAccess): privileged, which the API only accepts with escalation allowed
      container.editSecurityContext().withPrivileged(true).withAllowPrivilegeEscalation(true).endSecurityContext();
    }
    return container.build();
  }

  private static List<ContainerPort> containerPorts(WorkloadSpec w) {
    return List.of(
        new ContainerPortBuilder().withName(w.grpcName()).withContainerPort(w.grpcPort()).build(),
        new ContainerPortBuilder().withName(w.metricsName()).withContainerPort(w.metricsPort()).build());
  }

  /** gRPC health on the service's port; with TLS (which kubelet's gRPC probe cannot speak) a TCP connect. */
  private static Probe probe(WorkloadSpec w, int initialDelay, int period, int failures) {
    ProbeBuilder b = new ProbeBuilder();
    if (w.tls()) {
      b.withNewTcpSocket().withNewPort(w.grpcPort()).endTcpSocket();
    } else {
      b.withNewGrpc().withPort(w.grpcPort()).endGrpc();
    }
    return b.withInitialDelaySeconds(initialDelay).withPeriodSeconds(period).withFailureThreshold(failures).build();
  }

  private static ResourceRequirements resources(WorkloadSpec w) {
    Map<String, Quantity> requests = quantities(w.resources().requests());
    Map<String, Quantity> limits = quantities(w.resources().limits());
    if (w.gpuResource() != null) {
      // extended resources are requested through limits only
      limits.put(w.gpuResource(), new Quantity("1"));
    }
    if (w.camera() != null) {
      limits.putAll(w.camera().limits()); // the device plugin's camera, when there is one
    }
    return new ResourceRequirementsBuilder().withRequests(requests).withLimits(limits).build();
  }

  /** cpu first, then memory, then the rest by name: stable YAML for the golden files. */
  private static Map<String, Quantity> quantities(Map<String, String> values) {
    List<String> keys = new ArrayList<>(values.keySet());
    keys.sort((a, b) -> rank(a) != rank(b) ? Integer.compare(rank(a), rank(b)) : a.compareTo(b));
    Map<String, Quantity> out = new LinkedHashMap<>();
    for (String key : keys) {
      out.put(key, new Quantity(values.get(key)));
    }
    return out;
  }

  private static int rank(String resource) {
    return "cpu".equals(resource) ? 0 : "memory".equals(resource) ? 1 : 2;
  }

  /** The workload's Service, selecting {@code selector}; ports target the container's by name. */
  private static Service service(WorkloadSpec w, String namespace, Map<String, String> selector) {
    List<ServicePort> ports = List.of(
        new ServicePortBuilder().withName(w.grpcName()).withPort(w.grpcPort()).withNewTargetPort(w.grpcName()).build(),
        new ServicePortBuilder().withName(w.metricsName()).withPort(w.metricsPort()).withNewTargetPort(w.metricsName())
            .build());
    ServiceBuilder builder = new ServiceBuilder()
        .withNewMetadata().withName(w.name()).withNamespace(namespace).withLabels(w.labels()).endMetadata()
        .withNewSpec().withSelector(selector).withPorts(ports).endSpec();
    if (w.replicas() > 1) {
      // headless: DNS returns every pod, and the upstream's dns:/// channel round-robins over them
      // (a ClusterIP would pin one long-lived HTTP/2 connection to a single pod)
      builder.editSpec().withClusterIP("None").endSpec();
    }
    return builder.build();
  }
}
