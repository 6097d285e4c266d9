package io.edgepipe.runtime.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.edgepipe.api.proto.DType;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.FrameAck;
import io.edgepipe.api.proto.Shape;
import io.edgepipe.api.proto.StageGrpc;
import io.edgepipe.runtime.Transport;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS on loopback through {@link Transport}: a stage server with a CA-signed certificate
 * serves clients that present one, and refuses clients without a certificate, with one from
 * another CA, or speaking plaintext; a client refuses a server from another CA or under another
 * name.
 */
class MutualTlsTest {
  private static final long MAX_FRAME = 8 << 20;
  @TempDir
  static Path dir;
  private static TlsFiles convTls;
  private static TlsFiles producerTls;
  private static TlsFiles strangerTls;
  private static Server server;

  @BeforeAll
  static void start() throws Exception {
    CertificateAuthority ca = CertificateAuthority.generate("edgepipe test CA", Duration.ofDays(1));
    convTls = ca.writeService(dir.resolve("ours"), "conv", "edgepipe", Duration.ofDays(1));
    producerTls = ca.writeService(dir.resolve("ours"), "producer", "edgepipe", Duration.ofDays(1));
    CertificateAuthority other = CertificateAuthority.generate("someone else's CA", Duration.ofDays(1));
    strangerTls = other.writeService(dir.resolve("theirs"), "producer", "edgepipe", Duration.ofDays(1));
    server = Transport.server("127.0.0.1", 0, MAX_FRAME, convTls).addService(new EchoStage()).build().start();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** Process echoes the frame; Stream acks every frame with OK. */
  static final class EchoStage extends StageGrpc.StageImplBase {
    @Override
    public void process(Frame request, StreamObserver<Frame> responses) {
      responses.onNext(request);
      responses.onCompleted();
    }

    @Override
    public StreamObserver<Frame> stream(StreamObserver<FrameAck> acks) {
      return new StreamObserver<>() {
        @Override
        public void onNext(Frame f) {
          acks.onNext(FrameAck.newBuilder().setFlowId(f.getFlowId()).setSeq(f.getSeq()).build());
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          acks.onCompleted();
        }
      };
    }
  }

  private static Frame frame(long seq) {
    byte[] data = new byte[3 * 64 * 64 * 4];
    data[0] = (byte) seq;
    return Frame.newBuilder().setFlowId("tls").setSeq(seq).setDtype(DType.F32)
        .setShape(Shape.newBuilder().setC(3).setH(64).setW(64)).setData(ByteString.copyFrom(data)).build();
  }

  private static String target() {
    return "127.0.0.1:" + server.getPort();
  }

  private static Status call(ManagedChannel channel) {
    try {
      StageGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).process(frame(1));
      return Status.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void clientWithCertificateFromTheCaPassesFrames() throws Exception {
    ManagedChannel channel = Transport.channel(target(), MAX_FRAME, producerTls);
    try {
      Frame back = StageGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).process(frame(7));
      assertEquals(frame(7), back);
      // and the hot path: a bidirectional stream of frames, one ack each
      List<FrameAck> acks = new ArrayList<>();
      CountDownLatch done = new CountDownLatch(1);
      AtomicReference<Throwable> error = new AtomicReference<>();
      StreamObserver<Frame> out = StageGrpc.newStub(channel).stream(new StreamObserver<>() {
        @Override
        public void onNext(FrameAck ack) {
          synchronized (acks) {
            acks.add(ack);
          }
        }

        @Override
        public void onError(Throwable t) {
          error.set(t);
          done.countDown();
        }

        @Override
        public void onCompleted() {
          done.countDown();
        }
      });
      for (long seq = 0; seq < 20; seq++) {
        out.onNext(frame(seq));
      }
      out.onCompleted();
      assertTrue(done.await(10, TimeUnit.SECONDS));
      assertEquals(null, error.get());
      assertEquals(20, acks.size());
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void namesOfTheServiceAreAcceptedAsServerNames() throws Exception {
    for (String authority : List.of("conv", "conv.edgepipe.svc.cluster.local", "localhost")) {
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort())
          .sslContext(producerTls.clientContext()).overrideAuthority(authority).build();
      assertEquals(Status.Code.OK, call(channel).getCode(), authority);
    }
  }

  @Test
  void clientWithoutCertificateIsRefused() throws Exception {
    ManagedChannel channel = NettyChannelBuilder.forTarget(target())
        .sslContext(GrpcSslContexts.forClient().trustManager(convTls.ca().toFile()).build()).build();
    assertEquals(Status.Code.UNAVAILABLE, call(channel).getCode());
  }

  @Test
  void clientWithCertificateFromAnotherCaIsRefused() throws Exception {
    // it trusts our CA (so it would accept the server) but its own certificate is signed by another
    ManagedChannel channel = NettyChannelBuilder.forTarget(target())
        .sslContext(GrpcSslContexts.forClient().keyManager(strangerTls.cert().toFile(), strangerTls.key().toFile())
            .trustManager(convTls.ca().toFile()).build()).build();
    assertEquals(Status.Code.UNAVAILABLE, call(channel).getCode());
  }

  @Test
  void plaintextClientIsRefused() {
    assertEquals(Status.Code.UNAVAILABLE, call(Transport.channel(target(), MAX_FRAME)).getCode());
  }

  @Test
  void clientRefusesServerFromAnotherCa() {
    // a stranger's client trusts only its own CA: our server's certificate does not verify
    assertEquals(Status.Code.UNAVAILABLE, call(Transport.channel(target(), MAX_FRAME, strangerTls)).getCode());
  }

  @Test
  void clientRefusesServerUnderAnotherName() throws Exception {
    // a valid certificate from the right CA, but for conv, while the client asked for relu
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort())
        .sslContext(producerTls.clientContext()).overrideAuthority("relu.edgepipe.svc.cluster.local").build();
    assertEquals(Status.Code.UNAVAILABLE, call(channel).getCode());
  }

  @Test
  void credentialsApiGivesTheSameIdentity() throws Exception {
    ManagedChannel ok = io.grpc.Grpc.newChannelBuilder(target(), producerTls.channelCredentials()).build();
    assertEquals(Status.Code.OK, call(ok).getCode());
    ManagedChannel stranger = io.grpc.Grpc.newChannelBuilder(target(), strangerTls.channelCredentials()).build();
    assertEquals(Status.Code.UNAVAILABLE, call(stranger).getCode());
    Server viaCredentials = io.grpc.Grpc.newServerBuilderForPort(0, convTls.serverCredentials())
        .addService(new EchoStage()).build().start();
    try {
      assertEquals(Status.Code.OK,
          call(Transport.channel("localhost:" + viaCredentials.getPort(), MAX_FRAME, producerTls)).getCode());
      assertEquals(Status.Code.UNAVAILABLE,
          call(Transport.channel("localhost:" + viaCredentials.getPort(), MAX_FRAME)).getCode());
    } finally {
      viaCredentials.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void misconfiguredFilesFailAtStartNamingTheFile() {
    TlsFiles wrongKey = new TlsFiles(convTls.cert(), strangerTls.key(), convTls.ca());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, wrongKey::serverContext);
    assertTrue(e.getMessage().contains("does not belong") && e.getMessage().contains("conv.pem"), e.getMessage());
    TlsFiles wrongCa = new TlsFiles(strangerTls.cert(), strangerTls.key(), convTls.ca());
    e = assertThrows(IllegalArgumentException.class, wrongCa::clientContext);
    assertTrue(e.getMessage().contains("not signed by the CA"), e.getMessage());
    TlsFiles keyAsCert = new TlsFiles(convTls.key(), convTls.key(), convTls.ca());
    assertThrows(IllegalArgumentException.class, keyAsCert::checked);
  }
}
