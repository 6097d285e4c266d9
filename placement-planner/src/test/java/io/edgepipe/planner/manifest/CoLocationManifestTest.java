package io.edgepipe.planner.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.HopBudget;
import io.edgepipe.api.PipelineSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code --colocate}: the stages of one tier are containers of one Pod, hops inside it go to
 * 127.0.0.1 through a memory emptyDir of the right size, and every stage keeps a Service and a
 * NetworkPolicy that select whichever Pod runs it, so moving a stage changes neither.
 */
class CoLocationManifestTest {
  private static final ManifestOptions COLOCATE = ManifestOptions.builder().colocate(true).build();

  @Test
  void eachTierIsOnePodOfItsStagesInChainOrder() throws Exception {
    PipelineManifests m = ManifestGeneratorTest.thesis("EESS", COLOCATE);
    assertEquals(List.of("edge-group", "server-group"), m.workloads().stream().map(Workload::name).toList());
    assertEquals(List.of("producer", "conv", "relu", "maxpool"), m.stageNames());
    assertTrue(m.colocated());
    Workload edge = m.workloads().get(0);
    Workload server = m.workloads().get(1);
    assertEquals(List.of("producer", "conv"), edge.stages());
    assertEquals(List.of("relu", "maxpool"), server.stages());
    assertEquals(List.of("producer", "conv"), containerNames(edge));
    assertEquals(Map.of("edgepipe.io/tier", "edge"), pod(edge).getNodeSelector());
    assertEquals(Map.of("edgepipe.io/tier", "server"), pod(server).getNodeSelector());
    assertEquals(1, edge.deployment().getSpec().getReplicas());
    assertEquals(Labels.selector("edge-group"), edge.deployment().getSpec().getSelector().getMatchLabels());
    assertEquals("edgepipe/edgepipe-stage-conv:" + ManifestOptions.projectVersion() + "-edge",
        container(edge, "conv").getImage(), "each stage keeps its tier's image");
  }

  @Test
  void hopsInsideAPodGoToLoopbackAndTheOthersToTheReceiversService() throws Exception {
    PipelineManifests m = ManifestGeneratorTest.thesis("EESS", COLOCATE);
    assertEquals("127.0.0.1:50101", flag(container(m, "producer"), "--next"));
    assertEquals("relu:50102", flag(container(m, "conv"), "--next"));
    assertEquals("127.0.0.1:50103", flag(container(m, "relu"), "--next"));
    assertEquals("producer:50060", flag(container(m, "maxpool"), "--next"), "the sink lives with the producer");
    assertEquals("50101", flag(container(m, "conv"), "--port"));
    assertEquals("9091", flag(container(m, "conv"), "--metrics-port"));
    assertEquals("9090", flag(container(m, "producer"), "--metrics-port"));
    // all on one tier: the last hop reaches the sink inside the Pod too
    PipelineManifests all = ManifestGeneratorTest.thesis("SSSS", COLOCATE);
    assertEquals(1, all.workloads().size());
    assertEquals("127.0.0.1:50060", flag(container(all, "maxpool"), "--next"));
  }

  @Test
  void containersOfAPodListenOnPortsOfTheirOwn() throws Exception {
    for (String placement : List.of("EESS", "SSSS", "ESES")) {
      for (Workload w : ManifestGeneratorTest.thesis(placement, COLOCATE).workloads()) {
        Set<Integer> numbers = new HashSet<>();
        Set<String> names = new HashSet<>();
        for (Container c : pod(w).getContainers()) {
          for (ContainerPort p : c.getPorts()) {
            assertTrue(numbers.add(p.getContainerPort()), placement + " " + w.name() + ": port " + p.getContainerPort());
            assertTrue(names.add(p.getName()), placement + " " + w.name() + ": port name " + p.getName());
            assertTrue(p.getName().length() <= 15, p.getName());
          }
        }
      }
    }
  }

  @Test
  void theRingVolumeHoldsTwiceTheRingsOfTheHopsInsideThePod() throws Exception {
    PipelineSpec spec = PipelineSpec.load(ManifestGeneratorTest.THESIS);
    PipelineManifests m = ManifestGeneratorTest.thesis("EESS", COLOCATE);
    // edge: producer->conv (hop 0) stays inside; server: relu->maxpool (hop 2)
    assertRingVolume(m.workloads().get(0), 2 * HopBudget.ringBytes(spec, 0, HopBudget.FRAMES_IN_TRANSIT_ACROSS_HOSTS));
    assertRingVolume(m.workloads().get(1), 2 * HopBudget.ringBytes(spec, 2, HopBudget.FRAMES_IN_TRANSIT_ACROSS_HOSTS));
    PipelineManifests all = ManifestGeneratorTest.thesis("SSSS", COLOCATE);
    long every = 0;
    for (int hop = 0; hop <= spec.layers().size(); hop++) {
      every += HopBudget.ringBytes(spec, hop, HopBudget.FRAMES_IN_TRANSIT_ACROSS_HOSTS);
    }
    assertRingVolume(all.workloads().get(0), 2 * every);
    assertTrue(HopBudget.ringBytes(spec, 0, HopBudget.FRAMES_IN_TRANSIT_ACROSS_HOSTS) >= HopBudget.payloadBytes(spec, 0) * 4, "one slot per frame of the window");
  }

  @Test
  void aPodWithoutAHopInsideGetsNoRingVolume() throws Exception {
    // ESSS: the producer is alone on the edge; ESES: no two neighbours share a tier
    for (String placement : List.of("ESSS", "ESES")) {
      PipelineManifests m = ManifestGeneratorTest.thesis(placement, COLOCATE);
      Workload edge = m.workloads().stream().filter(w -> w.name().equals("edge-group")).findFirst().orElseThrow();
      assertTrue(pod(edge).getVolumes().stream().noneMatch(v -> v.getName().equals(CoLocation.SHM_VOLUME)), placement);
      assertNull(pod(edge).getShareProcessNamespace(), placement);
      for (Container c : pod(edge).getContainers()) {
        assertTrue(c.getEnv().stream().noneMatch(e -> e.getName().equals(CoLocation.SHM_ENV)), placement);
      }
    }
  }

  @Test
  void everyStageKeepsAServiceThatSelectsThePodRunningIt() throws Exception {
    PipelineManifests m = ManifestGeneratorTest.thesis("EESS", COLOCATE);
    List<Deployment> pods = m.workloads().stream().map(Workload::deployment).toList();
    for (int i = 0; i < m.stageNames().size(); i++) {
      String stage = m.stageNames().get(i);
      Service service = m.workloads().stream().flatMap(w -> w.services().stream())
          .filter(s -> s.getMetadata().getName().equals(stage)).findFirst().orElseThrow();
      assertEquals(Labels.runs(stage), service.getSpec().getSelector());
      List<Deployment> selected = pods.stream().filter(d -> d.getSpec().getTemplate().getMetadata().getLabels()
          .entrySet().containsAll(service.getSpec().getSelector().entrySet())).toList();
      assertEquals(1, selected.size(), stage);
      Container c = selected.get(0).getSpec().getTemplate().getSpec().getContainers().stream()
          .filter(x -> x.getName().equals(stage)).findFirst().orElseThrow(() -> new AssertionError(stage + " not in its Pod"));
      Set<String> portNames = new HashSet<>();
      c.getPorts().forEach(p -> portNames.add(p.getName()));
      for (ServicePort port : service.getSpec().getPorts()) {
        assertTrue(portNames.contains(port.getTargetPort().getStrVal()), stage + " " + port.getTargetPort());
      }
      int grpc = i == 0 ? Ports.SINK : Ports.COLOCATED_STAGE_BASE + i;
      assertEquals(List.of(grpc, Ports.METRICS + i), service.getSpec().getPorts().stream().map(ServicePort::getPort)
          .toList());
    }
  }

  @Test
  void eachStagesPolicyAdmitsThePodsRunningItsUpstreamOnItsPort() throws Exception {
    PipelineManifests m = ManifestGeneratorTest.thesis("EESS", COLOCATE);
    List<String> stages = m.stageNames();
    for (int i = 0; i < stages.size(); i++) {
      String stage = stages.get(i);
      String upstream = stages.get(i == 0 ? stages.size() - 1 : i - 1);
      NetworkPolicy p = m.networkPolicies().stream()
          .filter(x -> x.getMetadata().getName().equals(NetworkPolicies.policyName(stage))).findFirst().orElseThrow();
      assertEquals(Labels.runs(stage), p.getSpec().getPodSelector().getMatchLabels());
      assertEquals(Labels.runs(upstream), p.getSpec().getIngress().get(0).getFrom().get(0).getPodSelector()
          .getMatchLabels());
      assertEquals(i == 0 ? Ports.SINK : Ports.COLOCATED_STAGE_BASE + i,
          p.getSpec().getIngress().get(0).getPorts().get(0).getPort().getIntVal());
      assertEquals(Ports.METRICS + i, p.getSpec().getIngress().get(1).getPorts().get(0).getPort().getIntVal());
    }
  }

  @Test
  void aMoveChangesOnlyTheGroupsNeverAServiceOrPolicy() throws Exception {
    PipelineManifests from = ManifestGeneratorTest.thesis("EESS", COLOCATE);
    PipelineManifests to = ManifestGeneratorTest.thesis("ESSS", COLOCATE);
    assertEquals(services(from), services(to));
    assertEquals(from.networkPolicies(), to.networkPolicies());
    assertEquals(List.of("producer"), to.workloads().get(0).stages());
    assertEquals(List.of("conv", "relu", "maxpool"), to.workloads().get(1).stages());
  }

  @Test
  void tlsMountsEachContainersOwnSecretUnderAVolumeOfItsOwn() throws Exception {
    PipelineManifests m = ManifestGeneratorTest.thesis("SSSS", ManifestOptions.builder().colocate(true).tls(true)
        .build());
    PodSpec pod = pod(m.workloads().get(0));
    for (Container c : pod.getContainers()) {
      String volume = c.getVolumeMounts().stream().filter(v -> v.getMountPath().equals(Security.TLS_DIR))
          .findFirst().orElseThrow().getName();
      Volume v = pod.getVolumes().stream().filter(x -> x.getName().equals(volume)).findFirst().orElseThrow();
      assertEquals(Security.tlsSecretName(c.getName()), v.getSecret().getSecretName(), c.getName());
    }
    assertEquals(pod.getVolumes().size(), pod.getVolumes().stream().map(Volume::getName).distinct().count());
  }

  @Test
  void replicasAreRefusedWithColocation() {
    ManifestException e = assertThrows(ManifestException.class, () -> ManifestGeneratorTest.thesis("EESS",
        ManifestOptions.builder().colocate(true).replicas("relu", 2).build()));
    assertTrue(e.getMessage().contains("--colocate") && e.getMessage().contains("relu=2"), e.getMessage());
  }

  @Test
  void withoutTheOptionEveryStageIsItsOwnPodAsBefore() throws Exception {
    PipelineManifests m = ManifestGeneratorTest.thesis("EESS", ManifestOptions.defaults());
    assertEquals(List.of("producer", "conv", "relu", "maxpool"), m.workloads().stream().map(Workload::name).toList());
    for (Workload w : m.workloads()) {
      assertEquals(1, pod(w).getContainers().size());
      assertNull(pod(w).getShareProcessNamespace());
      assertTrue(pod(w).getVolumes().stream().noneMatch(v -> v.getName().equals(CoLocation.SHM_VOLUME)));
    }
  }

  private static void assertRingVolume(Workload w, long bytes) {
    PodSpec pod = pod(w);
    Volume rings = pod.getVolumes().stream().filter(v -> v.getName().equals(CoLocation.SHM_VOLUME)).findFirst()
        .orElseThrow(() -> new AssertionError(w.name() + ": no ring volume"));
    assertEquals("Memory", rings.getEmptyDir().getMedium());
    assertEquals(((bytes + (1 << 20) - 1) >> 20) + "Mi", rings.getEmptyDir().getSizeLimit().toString(), w.name());
    assertEquals(Boolean.TRUE, pod.getShareProcessNamespace(), "unique writer pids in the volume");
    for (Container c : pod.getContainers()) {
      assertTrue(c.getVolumeMounts().stream().anyMatch(v -> v.getName().equals(CoLocation.SHM_VOLUME)
          && v.getMountPath().equals(CoLocation.SHM_DIR)), c.getName());
      EnvVar env = c.getEnv().stream().filter(e -> e.getName().equals(CoLocation.SHM_ENV)).findFirst().orElseThrow();
      assertEquals(CoLocation.SHM_DIR, env.getValue());
    }
  }

  private static List<Service> services(PipelineManifests m) {
    return m.workloads().stream().flatMap(w -> w.services().stream()).toList();
  }

  private static PodSpec pod(Workload w) {
    return w.deployment().getSpec().getTemplate().getSpec();
  }

  private static List<String> containerNames(Workload w) {
    return pod(w).getContainers().stream().map(Container::getName).toList();
  }

  private static Container container(Workload w, String name) {
    return pod(w).getContainers().stream().filter(c -> c.getName().equals(name)).findFirst().orElseThrow();
  }

  private static Container container(PipelineManifests m, String stage) {
    return container(m.workloadOf(stage), stage);
  }

  private static String flag(Container c, String flag) {
    int i = c.getArgs().indexOf(flag);
    assertNotNull(i >= 0 ? c.getArgs().get(i) : null, c.getName() + " has no " + flag);
    return c.getArgs().get(i + 1);
  }
}
