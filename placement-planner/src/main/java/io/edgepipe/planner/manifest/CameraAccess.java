package io.edgepipe.planner.manifest;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.Map;

/**
 * How the producer reaches a camera ({@code --source camera:/dev/videoN}) with the least
 * privilege that works.
 *
 * <ul>
 *   <li>With a device plugin ({@code --camera-resource}, e.g. an Akri broker's
 *       {@code akri.sh/akri-usb-video=1} or a generic device plugin's): the pod requests that
 *       resource and the plugin hands the device node to the container, with the device cgroup
 *       rule. Nothing beyond the restricted Pod Security profile is needed; the pod joins the
 *       device's group ({@code --camera-group}, default 44 = "video" on Debian) to open it as the
 *       non-root user.</li>
 *   <li>Without one: a {@code hostPath} volume of type CharDevice. A hostPath device is not enough
 *       by itself: the container runtime only lets a container open device nodes on its device
 *       cgroup list, which a non-privileged container cannot extend. So the producer container
 *       is privileged (and therefore may escalate: the API refuses privileged with
 *       allowPrivilegeEscalation false). Both break the restricted profile; the exception is
 *       written beside it ({@link #EXCEPTION_ANNOTATION} on the Deployment and its pod, a comment
 *       in producer.yaml), and the namespace is labelled to enforce "privileged" while still
 *       warning and auditing against "restricted".</li>
 * </ul>
 */
public record CameraAccess(String device, String resource, String resourceCount, long group) {
  public static final String SOURCE_PREFIX = "camera:";
  public static final String EXCEPTION_ANNOTATION = "edgepipe.io/pod-security-exception";
  static final String VOLUME = "camera";

  /** The camera a source names, or null for any other source. */
  public static CameraAccess of(String source, ManifestOptions options) {
    if (source == null || !source.startsWith(SOURCE_PREFIX)) {
      return null;
    }
    String device = source.substring(SOURCE_PREFIX.length());
    if (!device.matches("/dev/[A-Za-z0-9._/-]+")) {
      throw new ManifestException("--source '" + source + "': a camera is camera:/dev/videoN");
    }
    String resource = null;
    String count = "1";
    if (options.cameraResource() != null) {
      String[] kv = options.cameraResource().split("=", 2);
      resource = kv[0].trim();
      count = kv.length == 2 ? kv[1].trim() : "1";
      if (!resource.matches("[A-Za-z0-9.-]+/[A-Za-z0-9._-]+") || !count.matches("[1-9][0-9]*")) {
        throw new ManifestException("--camera-resource '" + options.cameraResource()
            + "' is not DOMAIN/NAME[=COUNT], e.g. akri.sh/akri-usb-video=1");
      }
    }
    return new CameraAccess(device, resource, count, options.cameraGroup());
  }

  /** Whether the camera comes from a device plugin (no exception to the restricted profile). */
  public boolean viaPlugin() {
    return resource != null;
  }

  /** Why the pod breaks the restricted profile, or null when it does not. */
  public String exception() {
    return viaPlugin() ? null : "privileged producer with hostPath " + device + ": a non-privileged container "
        + "cannot open a host device node (device cgroup); install a camera device plugin (e.g. Akri) and pass "
        + "--camera-resource to drop this exception";
  }

  Map<String, Quantity> limits() {
    return viaPlugin() ? Map.of(resource, new Quantity(resourceCount)) : Map.of();
  }

  Volume volume() {
    return new VolumeBuilder().withName(VOLUME).withNewHostPath().withPath(device).withType("CharDevice")
        .endHostPath().build();
  }

  VolumeMount mount() {
    return new VolumeMountBuilder().withName(VOLUME).withMountPath(device).build();
  }
}
