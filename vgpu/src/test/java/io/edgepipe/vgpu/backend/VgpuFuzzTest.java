package io.edgepipe.vgpu.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.ForwardingGpu;
import io.edgepipe.vgpu.KernelCatalog;
import io.edgepipe.vgpu.cpu.CpuGpu;
import io.edgepipe.vgpu.proto.Arg;
import io.edgepipe.vgpu.proto.Batch;
import io.edgepipe.vgpu.proto.BatchResult;
import io.edgepipe.vgpu.proto.ClientMessage;
import io.edgepipe.vgpu.proto.CopyDtoH;
import io.edgepipe.vgpu.proto.CopyHtoD;
import io.edgepipe.vgpu.proto.Dim3;
import io.edgepipe.vgpu.proto.Free;
import io.edgepipe.vgpu.proto.GetFunction;
import io.edgepipe.vgpu.proto.Launch;
import io.edgepipe.vgpu.proto.LoadModule;
import io.edgepipe.vgpu.proto.Malloc;
import io.edgepipe.vgpu.proto.Op;
import io.edgepipe.vgpu.proto.Open;
import io.edgepipe.vgpu.proto.ServerMessage;
import io.edgepipe.vgpu.proto.VgpuGrpc;
import io.edgepipe.vgpu.remote.RemoteGpu;
import io.edgepipe.vgpu.remote.RemoteSpec;
import io.edgepipe.vgpu.remote.Wire;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile clients against a real backend over TCP loopback, through raw gRPC calls (a byte[]
 * marshaller, so nothing the client library checks gets in the way): random bytes, truncated
 * messages, unknown handles, huge and negative sizes, bad launches, copies past the end, hostile
 * opens, protocol misuse, enormous tenant names and tokens. Over 10,000 requests, each must be
 * answered with a precise status (never INTERNAL or UNKNOWN), interleaved good batches must all
 * compute the right thing, the backend must serve normally afterwards, no declared size may
 * reach the device beyond its capacity, and every byte must be freed when the sessions end.
 */
class VgpuFuzzTest {
  private static final long CAPACITY = 64L << 20;
  private static final Set<Status.Code> PRECISE = EnumSet.of(Status.Code.INVALID_ARGUMENT, Status.Code.NOT_FOUND,
      Status.Code.RESOURCE_EXHAUSTED, Status.Code.UNAUTHENTICATED, Status.Code.FAILED_PRECONDITION);

  private static final MethodDescriptor.Marshaller<byte[]> RAW = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };
  private static final MethodDescriptor<byte[], byte[]> SESSION = MethodDescriptor.<byte[], byte[]>newBuilder()
      .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
      .setFullMethodName(VgpuGrpc.getSessionMethod().getFullMethodName())
      .setRequestMarshaller(RAW).setResponseMarshaller(RAW).build();

  private CpuGpu cpu;
  private final AtomicLong largestAcceptedMalloc = new AtomicLong();
  private VgpuBackend backend;
  private ManagedChannel channel;
  private final Map<String, Integer> tally = new TreeMap<>();
  private int requests;

  @BeforeEach
  void start() throws Exception {
    cpu = new CpuGpu(CAPACITY);
    ForwardingGpu recording = new ForwardingGpu(cpu) {
      @Override
      public DevicePtr malloc(long bytes) {
        DevicePtr p = super.malloc(bytes);
        largestAcceptedMalloc.accumulateAndGet(bytes, Math::max);
        return p;
      }
    };
    // the backend is told of more memory than the device has, so sessions are admitted whose
    // quota passes the device: the device's own refusals are fuzzed too; and of a host budget
    // that admits every session, however fast the fuzzer opens them (admission: HostileTenantTest)
    backend = VgpuBackend.onAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), recording,
        TokenStore.of(Map.of("edge1", "s3cret", "edge2", "other")),
        BackendLimits.defaults().withDeviceMemory(64L << 30, 0).withMessages(64 << 20, 16L << 30)).start();
    channel = NettyChannelBuilder.forAddress(InetAddress.getLoopbackAddress().getHostAddress(), backend.port())
        .usePlaintext().maxInboundMessageSize(Wire.MAX_MESSAGE_BYTES).build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow();
    backend.stop();
  }

  /** One raw Session stream: send byte[] messages, read raw replies and the final status. */
  private final class Raw implements AutoCloseable {
    final LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
    final ClientCall<byte[], byte[]> call;
    boolean ended;

    Raw(String tenant, String token) {
      Metadata md = new Metadata();
      if (token != null) {
        md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
      }
      if (tenant != null) {
        md.put(Metadata.Key.of(Wire.TENANT_HEADER, Metadata.ASCII_STRING_MARSHALLER), tenant);
      }
      call = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(md))
          .newCall(SESSION, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS));
      call.start(new ClientCall.Listener<>() {
        @Override
        public void onMessage(byte[] message) {
          events.add(message);
          call.request(1);
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
          events.add(status);
        }
      }, new Metadata());
      call.request(1);
    }

    /** Sends and returns the reply, or the status the stream ended with. */
    Object send(byte[] message) {
      call.sendMessage(message);
      return next();
    }

    Object next() {
      try {
        Object o = events.poll(10, TimeUnit.SECONDS);
        if (o == null) {
          fail("the backend did not answer within 10 s: it must answer every message");
        }
        ended |= o instanceof Status;
        return o;
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }

    ServerMessage reply(ClientMessage m) {
      Object o = send(m.toByteArray());
      if (o instanceof Status s) {
        fail("stream ended with " + s + " where a reply was expected");
      }
      try {
        return ServerMessage.parseFrom((byte[]) o);
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }

    @Override
    public void close() {
      if (ended) {
        return;
      }
      call.halfClose();
      // the backend completes the stream after freeing the session
      Object o = next();
      while (!(o instanceof Status)) {
        o = next();
      }
    }
  }

  private void count(String what) {
    tally.merge(what, 1, Integer::sum);
    requests++;
  }

  /** A stream that must have ended with a precise status. */
  private void expectEnded(Object o, String what) {
    if (o instanceof Status s) {
      assertTrue(PRECISE.contains(s.getCode()), what + " ended with an imprecise status " + s);
      count(what + " -> " + s.getCode());
    } else {
      fail(what + ": expected the stream to end, got a reply");
    }
  }

  private static ClientMessage open(double fgpu, int vmem) {
    return ClientMessage.newBuilder().setOpen(Open.newBuilder().setFgpu(fgpu).setVmemUnits(vmem).setClient("fuzz")).build();
  }

  private static ClientMessage batch(long seq, Op... ops) {
    return ClientMessage.newBuilder().setBatch(Batch.newBuilder().setSeq(seq).addAllOps(List.of(ops))).build();
  }

  private static Op op(Op.Builder b) {
    return b.build();
  }

  @Test
  void tenThousandHostileRequestsAreAnsweredPreciselyAndLeakNothing() throws Exception {
    SplittableRandom r = new SplittableRandom(20261122);
    long t0 = System.nanoTime();

    // 1. random bytes as the first message of a session, and as a later one
    for (int i = 0; i < 1500; i++) {
      byte[] junk = new byte[1 + r.nextInt(i % 50 == 0 ? 70_000 : 200)];
      r.nextBytes(junk);
      Raw s = new Raw("edge1", "s3cret");
      Object o = s.send(junk);
      if (o instanceof Status) {
        expectEnded(o, "random bytes");
      } else {
        count("random bytes -> parsed as an open that was accepted");
        s.close();
      }
    }
    for (int i = 0; i < 500; i++) {
      try (Raw s = new Raw("edge1", "s3cret")) {
        assertTrue(s.reply(open(0.5, 1)).hasOpened());
        byte[] junk = new byte[1 + r.nextInt(300)];
        r.nextBytes(junk);
        Object o = s.send(junk);
        if (o instanceof Status) {
          expectEnded(o, "random bytes after open");
        } else {
          count("random bytes after open -> parsed as a batch, answered");
        }
      }
    }

    // 2. truncated messages: a real open / batch cut short
    byte[] goodOpen = open(0.5, 1).toByteArray();
    byte[] goodBatch = batch(1, op(Op.newBuilder().setHtod(CopyHtoD.newBuilder().setDst(5)
        .setData(ByteString.copyFrom(new byte[4000])))), op(Op.newBuilder().setMalloc(Malloc.newBuilder().setBytes(64))))
        .toByteArray();
    for (int i = 0; i < 600; i++) {
      Raw s = new Raw("edge2", "other");
      Object o;
      if (i % 2 == 0) {
        o = s.send(java.util.Arrays.copyOf(goodOpen, r.nextInt(goodOpen.length)));
      } else {
        assertTrue(s.reply(open(0.3, 1)).hasOpened());
        o = s.send(java.util.Arrays.copyOf(goodBatch, 1 + r.nextInt(goodBatch.length - 1)));
      }
      if (o instanceof Status) {
        expectEnded(o, "truncated message");
      } else {
        count("truncated message -> still a valid prefix, answered");
        s.close();
      }
    }

    // 3. hostile opens and protocol misuse
    double[] fgpus = {0, -1, 1.5, Double.NaN, Double.POSITIVE_INFINITY, Double.MIN_VALUE * -1, 2};
    int[] vmems = {0, -1, Integer.MIN_VALUE, SessionHandler.MAX_VMEM_UNITS + 1, Integer.MAX_VALUE};
    for (int i = 0; i < 400; i++) {
      Raw s = new Raw("edge1", "s3cret");
      ClientMessage m = switch (i % 4) {
        case 0 -> open(fgpus[r.nextInt(fgpus.length)], 1);
        case 1 -> open(0.5, vmems[r.nextInt(vmems.length)]);
        case 2 -> ClientMessage.newBuilder().setOpen(Open.newBuilder().setFgpu(0.5).setVmemUnits(1)
            .setClient("x".repeat(SessionHandler.MAX_CLIENT_CHARS + 1 + r.nextInt(100_000)))).build();
        default -> batch(1, op(Op.newBuilder().setMalloc(Malloc.newBuilder().setBytes(64)))); // batch before open
      };
      expectEnded(s.send(m.toByteArray()), "hostile open #" + (i % 4));
    }
    for (int i = 0; i < 100; i++) {
      Raw s = new Raw("edge1", "s3cret");
      assertTrue(s.reply(open(0.5, 1)).hasOpened());
      expectEnded(s.send((i % 2 == 0 ? open(0.5, 1) : ClientMessage.getDefaultInstance()).toByteArray()),
          "second open / empty message");
    }

    // 4. enormous or wrong credentials
    for (int i = 0; i < 400; i++) {
      String tenant = switch (i % 4) {
        case 0 -> "edge1";
        case 1 -> "t".repeat(1 + r.nextInt(4000));
        case 2 -> null;
        default -> "edge2";
      };
      String token = switch (i % 5) {
        case 0 -> "s3cret".repeat(1 + r.nextInt(600));
        case 1 -> null;
        case 2 -> "";
        case 3 -> Long.toHexString(r.nextLong());
        default -> "other" + r.nextInt(10);
      };
      expectEnded(new Raw(tenant, token).send(goodOpen), "bad credentials");
    }

    // 5. hostile batches in long sessions, with good batches interleaved that must compute right
    int good = 0;
    for (int session = 0; session < 4; session++) {
      try (Raw s = new Raw("edge1", "s3cret")) {
        assertTrue(s.reply(open(0.5, 1)).hasOpened());
        long seq = 1;
        BatchResult setup = s.reply(batch(seq++, op(Op.newBuilder().setLoadModule(LoadModule.newBuilder()
            .setName(KernelCatalog.MODULE))), op(Op.newBuilder().setMalloc(Malloc.newBuilder().setBytes(4096))),
            op(Op.newBuilder().setMalloc(Malloc.newBuilder().setBytes(4096))))).getResult();
        assertTrue(!setup.hasError(), setup.toString());
        long module = setup.getHandles(0);
        long in = setup.getHandles(1);
        long out = setup.getHandles(2);
        BatchResult fn = s.reply(batch(seq++, op(Op.newBuilder().setGetFunction(GetFunction.newBuilder()
            .setModule(module).setName(KernelCatalog.RELU_F32))))).getResult();
        long relu = fn.getHandles(0);
        for (int i = 0; i < 2000; i++) {
          if (i % 8 == 0) {
            good++;
            float[] v = new float[1024];
            ByteBuffer bb = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
            for (int k = 0; k < v.length; k++) {
              v[k] = (float) r.nextDouble(-5, 5);
              bb.putFloat(v[k]);
            }
            BatchResult ok = s.reply(batch(seq++,
                op(Op.newBuilder().setHtod(CopyHtoD.newBuilder().setDst(in).setData(ByteString.copyFrom(bb.array())))),
                op(Op.newBuilder().setLaunch(Launch.newBuilder().setFunction(relu).setGrid(dim(4, 1, 1)).setBlock(dim(256, 1, 1))
                    .addArgs(ptr(in)).addArgs(ptr(out)).addArgs(i32(1024)))),
                op(Op.newBuilder().setDtoh(CopyDtoH.newBuilder().setSrc(out).setBytes(4096))))).getResult();
            assertTrue(!ok.hasError(), "good batch " + good + " failed: " + ok.getError());
            ByteBuffer res = ok.getDtoh(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            for (int k = 0; k < v.length; k++) {
              assertEquals(Math.max(v[k], 0f), res.getFloat(4 * k), 0f);
            }
            continue;
          }
          Op hostile = hostileOp(r, module, relu, in, out);
          ServerMessage reply = s.reply(batch(seq++, hostile));
          assertTrue(reply.hasResult(), "a batch is answered with a result");
          BatchResult res = reply.getResult();
          if (!res.hasError()) {
            count("hostile op " + hostile.getKindCase() + " -> harmless, ran");
            // a malloc that passed (small enough) is freed again so the quota does not fill up
            if (hostile.hasMalloc()) {
              BatchResult f = s.reply(batch(seq++, op(Op.newBuilder().setFree(Free.newBuilder().setPtr(res.getHandles(0))))))
                  .getResult();
              assertTrue(!f.hasError(), f.toString());
            }
            continue;
          }
          Status.Code code = Status.Code.valueOf(res.getError().getCode());
          assertTrue(PRECISE.contains(code), "hostile " + hostile.getKindCase() + " answered " + res.getError());
          assertTrue(res.getError().getMessage().length() < 600, "messages stay short: " + res.getError().getMessage());
          count("hostile op " + hostile.getKindCase() + " -> " + code);
        }
      }
    }

    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
    System.out.printf("vgpu fuzz: %d hostile requests and %d good batches in %d s:%n", requests, good, seconds);
    tally.forEach((k, v) -> System.out.printf("  %6d  %s%n", v, k));
    assertTrue(requests >= 10_000, "at least 10,000 hostile requests, got " + requests);

    // the backend still serves, and everything was freed
    HealthCheckResponse h = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService(VgpuGrpc.SERVICE_NAME).build());
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, h.getStatus());
    try (RemoteGpu g = RemoteGpu.connect(new RemoteSpec(InetAddress.getLoopbackAddress().getHostAddress(),
        backend.port(), "edge2", "other", 1, 1, "after-fuzz"))) {
      DevicePtr p = g.malloc(16);
      g.copyHtoD(p, ByteBuffer.wrap(new byte[16]).put(3, (byte) 9));
      ByteBuffer back = ByteBuffer.allocate(16);
      g.copyDtoH(back, p);
      assertArrayEquals(ByteBuffer.wrap(new byte[16]).put(3, (byte) 9).array(), back.array());
    }
    BackendTest.waitFor(() -> backend.sessions() == 0 && backend.deviceBytesInUse() == 0);
    assertEquals(0, backend.sessions());
    assertEquals(0, backend.deviceBytesInUse());
    assertEquals(0, cpu.bytesInUse(), "the device holds nothing after the sessions closed");
    assertEquals(0, cpu.allocations());
    assertTrue(largestAcceptedMalloc.get() <= CAPACITY,
        "no declared size reached the device beyond its capacity: " + largestAcceptedMalloc.get());
  }

  /** One hostile op; the session's real handles are mixed in so that some reach deep checks. */
  private static Op hostileOp(SplittableRandom r, long module, long relu, long in, long out) {
    long unknown = r.nextBoolean() ? r.nextLong() : 1_000_000_000L + r.nextInt(1000);
    long anyPtr = r.nextInt(3) == 0 ? unknown : (r.nextBoolean() ? in : out);
    return switch (r.nextInt(12)) {
      case 0 -> op(Op.newBuilder().setFree(Free.newBuilder().setPtr(unknown)));
      case 1 -> op(Op.newBuilder().setMalloc(Malloc.newBuilder().setBytes(switch (r.nextInt(5)) {
        case 0 -> 0;
        case 1 -> -1 - r.nextInt(1000); // above 2^63 as a uint64
        case 2 -> Long.MAX_VALUE;
        case 3 -> (256L << 20) + 1 + r.nextInt(1 << 30); // past the quota
        default -> CAPACITY + 1 + r.nextInt(1 << 20); // within quota, past the device
      })));
      case 2 -> op(Op.newBuilder().setHtod(CopyHtoD.newBuilder().setDst(anyPtr)
          .setData(ByteString.copyFrom(new byte[4097 + r.nextInt(8000)])))); // past the 4096-byte buffers
      case 3 -> op(Op.newBuilder().setDtoh(CopyDtoH.newBuilder().setSrc(anyPtr).setBytes(switch (r.nextInt(3)) {
        case 0 -> 4097;
        case 1 -> -1L - r.nextInt(10);
        default -> Long.MAX_VALUE;
      })));
      case 4 -> { // wrong argument count
        Launch.Builder l = Launch.newBuilder().setFunction(relu).setGrid(dim(1, 1, 1)).setBlock(dim(256, 1, 1));
        int n = r.nextInt(6);
        if (n == 3) {
          n = 7;
        }
        for (int k = 0; k < n; k++) {
          l.addArgs(r.nextBoolean() ? ptr(in) : i32(r.nextInt()));
        }
        yield op(Op.newBuilder().setLaunch(l));
      }
      case 5 -> op(Op.newBuilder().setLaunch(Launch.newBuilder().setFunction(relu).setGrid(dim(1, 1, 1))
          .setBlock(dim(256, 1, 1)).addArgs(i32(5)).addArgs(ptr(out)).addArgs(ptr(in)))); // kinds swapped
      case 6 -> op(Op.newBuilder().setLaunch(Launch.newBuilder().setFunction(relu)
          .setGrid(dim(r.nextInt(3) - 1, r.nextInt(), 1)).setBlock(dim(r.nextInt(1 << 20), 0, 1))
          .addArgs(ptr(in)).addArgs(ptr(out)).addArgs(i32(1024))));
      case 7 -> op(Op.newBuilder().setLaunch(Launch.newBuilder().setFunction(relu).setGrid(dim(4, 1, 1))
          .setBlock(dim(256, 1, 1)).addArgs(ptr(in)).addArgs(ptr(out))
          .addArgs(i32(r.nextBoolean() ? 1025 + r.nextInt(1 << 30) : -1 - r.nextInt(1000))))); // n past the buffers
      case 8 -> op(Op.newBuilder().setLaunch(Launch.newBuilder().setFunction(r.nextBoolean() ? unknown : module)
          .setGrid(dim(1, 1, 1)).setBlock(dim(1, 1, 1)).addArgs(ptr(anyPtr)).addArgs(Arg.getDefaultInstance())));
      case 9 -> op(Op.newBuilder().setGetFunction(GetFunction.newBuilder().setModule(r.nextBoolean() ? module : unknown)
          .setName(r.nextBoolean() ? "no_such_kernel" : "k".repeat(1 + r.nextInt(50_000)))));
      case 10 -> op(Op.newBuilder().setLoadModule(LoadModule.newBuilder()
          .setName(r.nextBoolean() ? "no-such-module" : "m".repeat(200 + r.nextInt(50_000)))));
      default -> Op.getDefaultInstance(); // an op with nothing set
    };
  }

  private static Dim3 dim(int x, int y, int z) {
    return Dim3.newBuilder().setX(x).setY(y).setZ(z).build();
  }

  private static Arg ptr(long h) {
    return Arg.newBuilder().setPtr(h).build();
  }

  private static Arg i32(int v) {
    return Arg.newBuilder().setI32(v).build();
  }

  @Test
  void oversizedHeadersDoNotHurtTheBackend() throws Exception {
    // beyond the 8 KiB header list the backend advertises (HTTP/2 SETTINGS): the client's transport
    // refuses to send them (INTERNAL, HeaderListSizeException), the backend goes on
    List<Status.Code> seen = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Raw s = new Raw("t".repeat(20_000), "x".repeat(50_000));
      Object o = s.send(open(0.5, 1).toByteArray());
      assertNotNull(o);
      if (o instanceof Status st) {
        seen.add(st.getCode());
        if (i == 0) {
          System.out.println("vgpu fuzz: oversized headers: " + st);
        }
      }
    }
    System.out.println("vgpu fuzz: oversized headers answered with " + new java.util.TreeSet<>(seen));
    assertEquals(20, seen.size(), "every oversized request is refused");
    try (RemoteGpu g = RemoteGpu.connect(new RemoteSpec(InetAddress.getLoopbackAddress().getHostAddress(),
        backend.port(), "edge1", "s3cret", 1, 1, "after"))) {
      g.malloc(8);
    }
  }
}
