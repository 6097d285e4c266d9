package io.edgepipe.vgpu.backend;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Optional;

/**
 * Admits a call only with a known token in its metadata ({@code authorization: Bearer <token>},
 * optionally {@code x-vgpu-tenant: <name>}) and passes the authenticated tenant to the service
 * in {@link #TENANT}. Refusals are UNAUTHENTICATED and say nothing about which part was wrong.
 */
final class AuthInterceptor implements ServerInterceptor {
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> TENANT_HEADER =
      Metadata.Key.of("x-vgpu-tenant", Metadata.ASCII_STRING_MARSHALLER);
  static final Context.Key<String> TENANT = Context.key("vgpu-tenant");

  private static final String BEARER = "Bearer ";

  private final TokenStore tokens;

  AuthInterceptor(TokenStore tokens) {
    this.tokens = tokens;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    String auth = headers.get(AUTHORIZATION);
    String token = auth != null && auth.startsWith(BEARER) ? auth.substring(BEARER.length()).strip() : null;
    String tenant = headers.get(TENANT_HEADER);
    Optional<String> who = tokens.authenticate(tenant, token);
    if (who.isEmpty()) {
      String why = token == null ? "missing vGPU token" : "unknown vGPU tenant/token";
      call.close(Status.UNAUTHENTICATED.withDescription(why), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return Contexts.interceptCall(Context.current().withValue(TENANT, who.get()), call, headers, next);
  }
}
