package io.edgepipe.vgpu.bench;

import io.edgepipe.vgpu.proto.Batch;
import io.edgepipe.vgpu.proto.ClientMessage;
import io.edgepipe.vgpu.proto.Op;
import io.edgepipe.vgpu.proto.Open;
import io.edgepipe.vgpu.proto.ServerMessage;
import io.edgepipe.vgpu.proto.VgpuGrpc;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A session stream driven message by message, as a hostile client written from vgpu.proto would:
 * it reads replies only when asked ({@link #read}), so it can leave them unread. For the tests and
 * the tenants bench.
 */
public final class RawSession implements ClientResponseObserver<ClientMessage, ServerMessage> {
  private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
  private ClientCallStreamObserver<ClientMessage> requests;
  private volatile Status ended;

  public RawSession(Channel channel, String token) {
    Metadata md = new Metadata();
    md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
    VgpuGrpc.newStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md)).session(this);
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<ClientMessage> r) {
    this.requests = r;
    r.disableAutoRequestWithInitial(0);
  }

  public void send(ClientMessage m) {
    requests.onNext(m);
  }

  /** Sends open and reads its answer. */
  public ServerMessage open(double fgpu, int vmemUnits) throws InterruptedException {
    send(ClientMessage.newBuilder().setOpen(Open.newBuilder().setFgpu(fgpu).setVmemUnits(vmemUnits)).build());
    return read(5_000);
  }

  /** Sends a batch without reading its reply. */
  public void batch(long seq, List<Op> ops) {
    send(ClientMessage.newBuilder().setBatch(Batch.newBuilder().setSeq(seq).addAllOps(ops)).build());
  }

  /**
   * Lets the backend send {@code n} replies beyond those {@link #read} asks for, so a client that
   * keeps several batches in flight has their replies queued here instead of holding the backend's
   * next read back until it asks.
   */
  public void requestReplies(int n) {
    requests.request(n);
  }

  /** Reads one more message: the next reply, or null if the stream ended (see {@link #ended()}). */
  public ServerMessage read(long timeoutMillis) throws InterruptedException {
    requests.request(1);
    Object o = inbox.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    return o instanceof ServerMessage m ? m : null;
  }

  /** The stream's end status, waiting up to {@code timeoutMillis}; null while it is open. */
  public Status awaitEnd(long timeoutMillis) throws InterruptedException {
    long end = System.currentTimeMillis() + timeoutMillis;
    while (ended == null && System.currentTimeMillis() < end) {
      Thread.sleep(10);
    }
    return ended;
  }

  public void cancel() {
    requests.cancel("test done", null);
  }

  @Override
  public void onNext(ServerMessage value) {
    inbox.add(value);
  }

  @Override
  public void onError(Throwable t) {
    ended = Status.fromThrowable(t);
    inbox.add(t);
  }

  @Override
  public void onCompleted() {
    ended = Status.OK;
    inbox.add(Status.OK);
  }
}
