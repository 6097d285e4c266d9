package io.edgepipe.planner.deploy;

import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects the warnings the API server sends with its answers (HTTP {@code Warning} headers):
 * a Pod Security "warn" finding on a Deployment's pod template, a deprecated API or field, an
 * unknown field under fieldValidation=Warn. An object admitted with a warning is admitted, so
 * only this shows that a manifest is not as clean as it should be.
 */
public final class ApiWarnings implements Interceptor {
  private final List<String> warnings = new CopyOnWriteArrayList<>();

  /** A builder whose clients report their warnings to this collector. */
  public KubernetesClientBuilder installOn(KubernetesClientBuilder builder) {
    return builder.withHttpClientBuilderConsumer(http -> http.addOrReplaceInterceptor("edgepipe-warnings", this));
  }

  @Override
  public void after(HttpRequest request, HttpResponse<?> response, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
    for (String header : response.headers("Warning")) {
      warnings.add(request.method() + " " + request.uri().getPath() + ": " + text(header));
    }
  }

  /** Every warning so far, as "METHOD /path: text". */
  public List<String> all() {
    return List.copyOf(warnings);
  }

  /** The text of a {@code 299 - "text"} header. */
  static String text(String header) {
    int quote = header.indexOf('"');
    return quote >= 0 && header.endsWith("\"") && header.length() > quote + 1
        ? header.substring(quote + 1, header.length() - 1).replace("\\\"", "\"")
        : header;
  }
}
