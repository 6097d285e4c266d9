package io.edgepipe.vgpu.remote;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.ExtensionRegistryLite;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import com.google.protobuf.UnknownFieldSet;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Detachable;
import io.grpc.Drainable;
import io.grpc.HasByteBuffer;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Protobuf marshallers for the vGPU's Session stream that copy frame data as few times as the
 * transport needs. gRPC's stock marshaller copies a received message twice (into a scratch array,
 * then each {@code bytes} field out of it) and writes a sent one through a 4 KiB staging buffer.
 * Here:
 * <ul>
 *   <li>{@link #copyOnce}: a large message is read once into one fresh array and parsed with
 *       aliasing, so its {@code bytes} fields are views of that array (one copy in all). Used by the
 *       backend, whose device copies want contiguous buffers.</li>
 *   <li>{@link Retaining}: a large message is parsed in place: its {@code bytes} fields are views of
 *       the transport's own buffers (no copy at all), which stay held until
 *       {@link Retaining#release}. Used by the client, which copies DtoH data straight from them
 *       into the caller's buffers.</li>
 *   <li>Sending: the message is written with a 64 KiB encoder, so large fields go to the transport
 *       in few large writes (a heap array field in one).</li>
 * </ul>
 * Small messages take gRPC's stock path.
 *
 * <p>A malformed message is not thrown from {@code parse} (gRPC would turn that into UNKNOWN,
 * "Application error"): it parses to an empty message that carries the parser's complaint, which
 * {@link #malformed} reads, so the receiver can refuse it with a precise INVALID_ARGUMENT.
 */
public final class Marshalling {
  private Marshalling() {}

  /** Unknown-field number that marks a message that could not be parsed (never sent on the wire by us). */
  static final int MALFORMED_FIELD = 536_870_000;

  /** Why {@code m} could not be parsed, or null for a well-formed message. */
  public static String malformed(Message m) {
    UnknownFieldSet u = m.getUnknownFields();
    if (!u.hasField(MALFORMED_FIELD)) {
      return null;
    }
    List<ByteString> d = u.getField(MALFORMED_FIELD).getLengthDelimitedList();
    return d.isEmpty() ? "malformed message" : d.get(0).toStringUtf8();
  }

  /** Messages at least this large take the copy-saving paths. */
  static final int LARGE = 32 * 1024;

  private static final int ENCODER_BUFFER = 64 * 1024;

  /** A marshaller that parses large messages with one copy (see the class comment). */
  public static <T extends Message> MethodDescriptor.PrototypeMarshaller<T> copyOnce(T prototype) {
    return new Base<>(prototype) {};
  }

  /** A marshaller whose large messages alias the transport's buffers until released. */
  public static <T extends Message> Retaining<T> retaining(T prototype) {
    return new Retaining<>(prototype);
  }

  /** Parses in place; {@link #release} gives the transport's buffers back. */
  public static final class Retaining<T extends Message> extends Base<T> {
    private final Map<T, InputStream> held = Collections.synchronizedMap(new IdentityHashMap<>());
    private final java.util.concurrent.atomic.AtomicLong inPlace = new java.util.concurrent.atomic.AtomicLong();

    Retaining(T prototype) {
      super(prototype);
    }

    @Override
    T parseLarge(InputStream in, int size) throws IOException {
      if (!(in instanceof Detachable d) || !(in instanceof HasByteBuffer h) || !h.byteBufferSupported()
          || !in.markSupported()) {
        return super.parseLarge(in, size);
      }
      InputStream owned = d.detach(); // ours now: gRPC will not release these buffers
      boolean keep = false;
      try {
        // without a mark, the stream releases each buffer as soon as it is read past; marked,
        // it keeps them all until closed, which is what the views below need
        owned.mark(Integer.MAX_VALUE);
        List<ByteString> parts = new ArrayList<>();
        int left = size;
        while (left > 0) {
          ByteBuffer b = ((HasByteBuffer) owned).getByteBuffer();
          if (b == null || !b.hasRemaining()) {
            throw new IOException("message ended " + left + " bytes early");
          }
          int n = Math.min(b.remaining(), left);
          ByteBuffer view = b.slice();
          view.limit(n);
          parts.add(UnsafeByteOperations.unsafeWrap(view));
          long skipped = owned.skip(n);
          if (skipped != n) {
            throw new IOException("could not advance over " + n + " bytes");
          }
          left -= n;
        }
        T msg = parse(ByteString.copyFrom(parts).newCodedInput(), size); // copyFrom(Iterable) concatenates views
        held.put(msg, owned);
        inPlace.incrementAndGet();
        keep = true;
        return msg;
      } finally {
        if (!keep) {
          owned.close();
        }
      }
    }

    /** Gives back the buffers {@code msg} aliases (no-op for a message parsed by copying). */
    public void release(T msg) {
      InputStream in = msg == null ? null : held.remove(msg);
      if (in != null) {
        try {
          in.close();
        } catch (IOException e) {
          // closing a buffer stream does not fail
        }
      }
    }

    /** Messages parsed in place so far. */
    public long parsedInPlace() {
      return inPlace.get();
    }

    /** Messages parsed in place and not yet released (tests check this goes back to 0). */
    public int held() {
      return held.size();
    }
  }

  /** The shared part: stock handling for small messages, aliasing parse, 64 KiB encoder. */
  abstract static class Base<T extends Message> implements MethodDescriptor.PrototypeMarshaller<T> {
    private final T prototype;
    private final Parser<T> parser;
    private final MethodDescriptor.Marshaller<T> stock;

    @SuppressWarnings("unchecked")
    Base(T prototype) {
      this.prototype = prototype;
      this.parser = (Parser<T>) prototype.getParserForType();
      this.stock = ProtoUtils.marshaller(prototype);
    }

    @Override
    public T getMessagePrototype() {
      return prototype;
    }

    @Override
    public Class<T> getMessageClass() {
      @SuppressWarnings("unchecked")
      Class<T> c = (Class<T>) prototype.getClass();
      return c;
    }

    @Override
    public InputStream stream(T value) {
      int size = value.getSerializedSize();
      if (size < LARGE) {
        return stock.stream(value);
      }
      return new Encoded<>(value, size);
    }

    @Override
    public T parse(InputStream in) {
      if (in instanceof Encoded<?> e && e.message != null && getMessageClass().isInstance(e.message)) {
        // in-process transport: the sender's message object itself, never serialized
        T m = getMessageClass().cast(e.message);
        e.message = null;
        return m;
      }
      try {
        if (in instanceof KnownLength) {
          int size = in.available();
          if (size >= LARGE) {
            return parseLarge(in, size);
          }
        }
      } catch (IOException e) { // InvalidProtocolBufferException included
        return malformedMessage(e);
      }
      try {
        return stock.parse(in);
      } catch (io.grpc.StatusRuntimeException e) {
        // the stock parser calls any malformed message INTERNAL; it is the sender's fault
        if (e.getCause() instanceof InvalidProtocolBufferException ipe) {
          return malformedMessage(ipe);
        }
        throw e;
      }
    }

    private T malformedMessage(IOException e) {
      String why = "malformed " + prototype.getDescriptorForType().getName() + ": " + e.getMessage();
      @SuppressWarnings("unchecked")
      T m = (T) prototype.toBuilder().setUnknownFields(UnknownFieldSet.newBuilder().addField(MALFORMED_FIELD,
          UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8(why)).build()).build()).build();
      return m;
    }

    /** Parses a message of {@code size} bytes (>= {@link #LARGE}); by default with one copy. */
    T parseLarge(InputStream in, int size) throws IOException {
      byte[] all = new byte[size];
      int off = 0;
      while (off < size) {
        int n = in.read(all, off, size - off);
        if (n < 0) {
          throw new IOException("message ended after " + off + " of " + size + " bytes");
        }
        off += n;
      }
      return parse(UnsafeByteOperations.unsafeWrap(all).newCodedInput(), size);
    }

    final T parse(CodedInputStream cis, int size) throws InvalidProtocolBufferException {
      cis.enableAliasing(true);
      cis.setSizeLimit(Math.max(size, 64));
      T msg = parser.parseFrom(cis, ExtensionRegistryLite.getEmptyRegistry());
      cis.checkLastTagWas(0);
      return msg;
    }
  }

  /** A message serialized into the transport when drained, with a large encoder buffer. */
  private static final class Encoded<T extends Message> extends InputStream implements Drainable, KnownLength {
    private T message;
    private final int size;
    private InputStream fallback;

    Encoded(T message, int size) {
      this.message = message;
      this.size = size;
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      if (message == null) {
        return fallback == null ? 0 : (int) fallback.transferTo(target);
      }
      CodedOutputStream out = CodedOutputStream.newInstance(target, Math.min(ENCODER_BUFFER, size));
      message.writeTo(out);
      out.flush();
      message = null;
      return size;
    }

    @Override
    public int available() {
      if (message != null) {
        return size;
      }
      return fallback == null ? 0 : available(fallback);
    }

    private static int available(InputStream in) {
      try {
        return in.available();
      } catch (IOException e) {
        return 0;
      }
    }

    @Override
    public int read() throws IOException {
      return stream().read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return stream().read(b, off, len);
    }

    /** Only transports that do not drain (in-process copies) read bytes: serialize once then. */
    private InputStream stream() {
      if (fallback == null) {
        fallback = message == null ? InputStream.nullInputStream() : message.toByteString().newInput();
        message = null;
      }
      return fallback;
    }
  }
}
