package io.edgepipe.runtime;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.DiscardUnknownFieldsParser;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import com.google.protobuf.UnsafeByteOperations;
import io.edgepipe.api.FrameValidator;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.NamedTensor;
import io.edgepipe.api.proto.StageGrpc;
import io.grpc.Detachable;
import io.grpc.HasByteBuffer;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.Marshaller;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a service parses the Frames it receives.
 *
 * <p>Strict: a request that is not a Frame at all (random bytes, a truncated message) is answered
 * with INVALID_ARGUMENT naming the problem, like any other bad frame: the sender sent something
 * wrong, the stage is fine and keeps serving (on a stream, the next frame too). A marshaller that
 * throws makes gRPC close the call with UNKNOWN, so instead the parse failure comes back as a
 * frame marked with {@link FrameValidator#UNPARSEABLE_FIELD}, which the validator refuses.
 *
 * <p>Zero-copy, on a stage's {@code Stream}: when the transport offers its buffers
 * ({@link Detachable} and {@link HasByteBuffer}, as grpc-netty does), the message is parsed over
 * them with aliasing, so the payload is not copied off the network buffers. Those buffers then
 * belong to the frame until {@link #takeRelease}'s runnable is run (by
 * {@link FrameStreamEndpoint}, once the frame is handled). Unknown fields are discarded, so
 * nothing but the payload can borrow them: {@code data}, or the named tensors' data of a model
 * partition's frame (which has no {@code data}; its buffers were once given back at parse time
 * while its tensors still pointed into them, and a partition read freed memory).
 */
final class FrameMarshalling {
  /** Buffers lent to frames parsed in place, until the stream endpoint takes them. */
  private static final Map<Frame, InputStream> LENT = Collections.synchronizedMap(new IdentityHashMap<>());
  private static final Parser<Frame> PARSER = DiscardUnknownFieldsParser.wrap(Frame.parser());

  private FrameMarshalling() {}

  /** The service with every Frame-typed request parsed strictly, and a stage's stream in place. */
  @SuppressWarnings("unchecked")
  static ServerServiceDefinition strict(ServerServiceDefinition service) {
    ServerServiceDefinition.Builder builder = ServerServiceDefinition.builder(service.getServiceDescriptor().getName());
    for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
      MethodDescriptor<?, ?> descriptor = method.getMethodDescriptor();
      if (descriptor.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<?> p
          && p.getMessagePrototype() instanceof Frame) {
        ServerMethodDefinition<Frame, Object> frames = (ServerMethodDefinition<Frame, Object>) method;
        // only the stage stream's endpoint releases lent buffers; other calls get owned frames
        boolean inPlace = descriptor.getFullMethodName().equals(StageGrpc.getStreamMethod().getFullMethodName());
        MethodDescriptor<Frame, Object> strictDescriptor = frames.getMethodDescriptor().toBuilder()
            .setRequestMarshaller(strict((Marshaller<Frame>) descriptor.getRequestMarshaller(), inPlace)).build();
        builder.addMethod(ServerMethodDefinition.create(strictDescriptor, frames.getServerCallHandler()));
      } else {
        builder.addMethod(method);
      }
    }
    return builder.build();
  }

  /** @param inPlace parse over the transport's buffers where it lends them (a stage's stream) */
  static Marshaller<Frame> strict(Marshaller<Frame> inner, boolean inPlace) {
    return new Marshaller<>() {
      @Override
      public InputStream stream(Frame value) {
        return inner.stream(value);
      }

      @Override
      public Frame parse(InputStream stream) {
        try {
          if (inPlace && lendsBuffers(stream)) {
            return parseInPlace(((Detachable) stream).detach());
          }
          return inner.parse(stream);
        } catch (StatusRuntimeException e) {
          Throwable cause = e.getCause() != null ? e.getCause() : e;
          return FrameValidator.unparseable(String.valueOf(cause.getMessage()));
        }
      }
    };
  }

  /**
   * Whether the stream can lend its buffers. Not whether all of them are direct: grpc-java's
   * deframer merges runs of buffers under 1 KiB into one heap array, which makes
   * {@code byteBufferSupported()} false for the whole message although every other piece is a
   * network buffer. Sending such messages (one in twenty at 11 MB frames) through the copying
   * parser cost a heap copy of the whole payload; {@link #parseInPlace} copies just that piece.
   */
  private static boolean lendsBuffers(InputStream stream) {
    return stream instanceof KnownLength && stream instanceof Detachable && stream instanceof HasByteBuffer;
  }

  /** Parses over the detached stream's buffers; on success the frame owns the stream until released. */
  private static Frame parseInPlace(InputStream detached) {
    boolean lent = false;
    try {
      int size = detached.available();
      detached.mark(size); // keep the buffers while walking them
      List<ByteString> pieces = new ArrayList<>();
      SmallPieces small = new SmallPieces(pieces);
      HeapPieces heap = new HeapPieces();
      while (detached.available() > 0) {
        ByteBuffer piece = heap.nextBuffer(detached);
        if (!piece.isDirect() || piece.remaining() < SmallPieces.BELOW) {
          small.add(piece); // a heap piece is merged into a direct buffer too: the rope must be all direct
        } else {
          small.flush();
          pieces.add(UnsafeByteOperations.unsafeWrap(piece));
        }
        if (!heap.copied()) {
          detached.skip(piece.remaining());
        }
      }
      small.flush();
      detached.reset();
      CodedInputStream in = ByteString.copyFrom(pieces).newCodedInput(); // a rope over the pieces, no copy
      in.enableAliasing(true);
      in.setSizeLimit(Integer.MAX_VALUE); // the transport already enforced the message limit
      Frame frame = PARSER.parseFrom(in);
      in.checkLastTagWas(0);
      if (!borrowsBytes(frame)) {
        return frame; // nothing borrowed: the buffers go back now (finally)
      }
      LENT.put(frame, detached);
      lent = true;
      return frame;
    } catch (InvalidProtocolBufferException e) {
      return FrameValidator.unparseable(String.valueOf(e.getMessage()));
    } catch (IOException e) {
      return FrameValidator.unparseable(String.valueOf(e.getMessage()));
    } finally {
      if (!lent) {
        closeQuietly(detached);
      }
    }
  }

  /**
   * The next buffer of a detached stream: the transport's own, or where the stream's current
   * piece is a heap array that cannot be lent (grpc-java's merge of small buffers, see
   * {@link #lendsBuffers}), a copy of the next bytes. The copy reads 1 KiB, doubling while the
   * pieces stay unlendable (so a stream of only heap pieces costs a few failed tries, not one per
   * KiB); it may take a few bytes of the following network buffer too, which is harmless.
   */
  private static final class HeapPieces {
    private int chunk = 1024;
    private boolean copied;

    ByteBuffer nextBuffer(InputStream detached) throws IOException {
      try {
        ByteBuffer lent = ((HasByteBuffer) detached).getByteBuffer();
        if (lent != null) {
          copied = false;
          chunk = 1024;
          return lent;
        }
      } catch (UnsupportedOperationException heapPiece) {
        // fall through: copy this piece's bytes
      }
      byte[] bytes = new byte[Math.min(chunk, detached.available())];
      int read = detached.readNBytes(bytes, 0, bytes.length);
      chunk = Math.min(chunk * 2, 1 << 20);
      copied = true;
      return ByteBuffer.wrap(bytes, 0, read);
    }

    /** Whether the last buffer was a copy (already read off the stream) rather than lent. */
    boolean copied() {
      return copied;
    }
  }

  /**
   * Runs of adjacent small buffers, copied together into one direct buffer. Why: protobuf's rope
   * flattens two adjacent pieces shorter than 128 bytes together into a heap array, and a rope
   * that mixes heap and direct pieces is then parsed through a stream that copies the whole
   * payload. A socket read that ends a few bytes into an HTTP/2 frame leaves such slivers; merged
   * (a few bytes copied), every piece is direct and no two small ones touch.
   */
  private static final class SmallPieces {
    static final int BELOW = 1024;
    private final List<ByteString> into;
    private final List<ByteBuffer> run = new ArrayList<>();
    private int bytes;

    SmallPieces(List<ByteString> into) {
      this.into = into;
    }

    void add(ByteBuffer piece) {
      run.add(piece.duplicate());
      bytes += piece.remaining();
    }

    void flush() {
      if (run.isEmpty()) {
        return;
      }
      ByteBuffer merged = ByteBuffer.allocateDirect(bytes);
      for (ByteBuffer piece : run) {
        merged.put(piece);
      }
      into.add(UnsafeByteOperations.unsafeWrap(merged.flip()));
      run.clear();
      bytes = 0;
    }
  }

  /**
   * What gives back the transport buffers {@code frame}'s payload borrows, or null when it
   * borrows none. Taken once: the caller must run it when the frame's payload is no longer read.
   */
  static Runnable takeRelease(Frame frame) {
    InputStream lent = LENT.remove(frame);
    return lent == null ? null : () -> closeQuietly(lent);
  }

  /**
   * Whether a frame parsed with aliasing holds views on the buffers it was parsed from: its
   * bytes fields, {@code data} and each named tensor's {@code data} (a model partition's frame
   * has only the latter). Strings are decoded into copies and unknown fields are discarded.
   */
  private static boolean borrowsBytes(Frame frame) {
    if (!frame.getData().isEmpty()) {
      return true;
    }
    for (NamedTensor t : frame.getTensorsList()) {
      if (!t.getData().isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /** {@code frame} with its payload (data and named tensors) copied out of any borrowed buffers. */
  static Frame ownedCopy(Frame frame) {
    Frame.Builder owned = frame.toBuilder().setData(copyOf(frame.getData()));
    for (int i = 0; i < owned.getTensorsCount(); i++) {
      NamedTensor t = owned.getTensors(i);
      owned.setTensors(i, t.toBuilder().setData(copyOf(t.getData())));
    }
    return owned.build();
  }

  private static ByteString copyOf(ByteString bytes) {
    return bytes.isEmpty() ? ByteString.EMPTY : UnsafeByteOperations.unsafeWrap(bytes.toByteArray());
  }

  private static void closeQuietly(InputStream stream) {
    try {
      stream.close();
    } catch (IOException ignored) {
      // releasing a buffer cannot usefully fail
    }
  }
}
