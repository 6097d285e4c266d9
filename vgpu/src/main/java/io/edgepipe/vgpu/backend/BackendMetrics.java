package io.edgepipe.vgpu.backend;

import io.edgepipe.vgpu.proto.SessionStatus;
import io.edgepipe.vgpu.proto.StatusReply;
import java.util.Locale;

/** The vGPU backend's status in the Prometheus text format (served on --metrics-port). */
public final class BackendMetrics {
  private BackendMetrics() {}

  public static String scrape(StatusReply s) {
    StringBuilder out = new StringBuilder();
    gauge(out, "edgepipe_vgpu_sessions", "open tenant sessions", "", s.getSessionsCount());
    gauge(out, "edgepipe_vgpu_device_bytes_in_use", "device memory allocated for sessions", "", s.getDeviceBytesInUse());
    out.append("# HELP edgepipe_vgpu_busy_seconds_total device busy time since start\n")
        .append("# TYPE edgepipe_vgpu_busy_seconds_total counter\n")
        .append(String.format(Locale.ROOT, "edgepipe_vgpu_busy_seconds_total %.6f%n", s.getBusyNanosTotal() / 1e9));
    out.append("# TYPE edgepipe_vgpu_session_bytes_in_use gauge\n");
    out.append("# TYPE edgepipe_vgpu_session_busy_share gauge\n");
    for (SessionStatus t : s.getSessionsList()) {
      // tenant names are validated by the backend (short, printable); quotes are escaped anyway
      String labels = "{tenant=\"" + t.getTenant().replace("\\", "\\\\").replace("\"", "\\\"") + "\",session=\""
          + t.getSessionId() + "\"}";
      out.append("edgepipe_vgpu_session_bytes_in_use").append(labels).append(' ').append(t.getBytesInUse()).append('\n');
      out.append("edgepipe_vgpu_session_busy_share").append(labels).append(' ')
          .append(String.format(Locale.ROOT, "%.4f", t.getBusyShare())).append('\n');
    }
    return out.toString();
  }

  private static void gauge(StringBuilder out, String name, String help, String labels, long value) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n')
        .append("# TYPE ").append(name).append(" gauge\n")
        .append(name).append(labels).append(' ').append(value).append('\n');
  }
}
