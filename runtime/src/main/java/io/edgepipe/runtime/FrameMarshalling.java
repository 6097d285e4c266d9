package io.edgepipe.runtime;

import io.edgepipe.api.FrameValidator;
import io.edgepipe.api.proto.Frame;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.Marshaller;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.StatusRuntimeException;
import java.io.InputStream;

/**
 * Makes a request that is not a Frame at all (random bytes, a truncated message) answered with
 * INVALID_ARGUMENT naming the problem, like any other bad frame: the sender sent something wrong,
 * the stage is fine and keeps serving (on a stream, the next frame too). A marshaller that throws
 * makes gRPC close the call with UNKNOWN, so instead the parse failure comes back as a frame marked
 * with {@link FrameValidator#UNPARSEABLE_FIELD}, which the validator refuses with its message.
 */
final class FrameMarshalling {
  private FrameMarshalling() {}

  /** The service with every Frame-typed request parsed through {@link #strict}. */
  @SuppressWarnings("unchecked")
  static ServerServiceDefinition strict(ServerServiceDefinition service) {
    ServerServiceDefinition.Builder builder = ServerServiceDefinition.builder(service.getServiceDescriptor().getName());
    for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
      MethodDescriptor<?, ?> descriptor = method.getMethodDescriptor();
      if (descriptor.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<?> p
          && p.getMessagePrototype() instanceof Frame) {
        ServerMethodDefinition<Frame, Object> frames = (ServerMethodDefinition<Frame, Object>) method;
        MethodDescriptor<Frame, Object> strictDescriptor = frames.getMethodDescriptor().toBuilder()
            .setRequestMarshaller(strict((Marshaller<Frame>) descriptor.getRequestMarshaller())).build();
        builder.addMethod(ServerMethodDefinition.create(strictDescriptor, frames.getServerCallHandler()));
      } else {
        builder.addMethod(method);
      }
    }
    return builder.build();
  }

  private static Marshaller<Frame> strict(Marshaller<Frame> inner) {
    return new Marshaller<>() {
      @Override
      public InputStream stream(Frame value) {
        return inner.stream(value);
      }

      @Override
      public Frame parse(InputStream stream) {
        try {
          return inner.parse(stream);
        } catch (StatusRuntimeException e) {
          Throwable cause = e.getCause() != null ? e.getCause() : e;
          return FrameValidator.unparseable(String.valueOf(cause.getMessage()));
        }
      }
    };
  }
}
