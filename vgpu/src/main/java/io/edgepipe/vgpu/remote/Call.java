package io.edgepipe.vgpu.remote;

import com.google.protobuf.ByteString;
import io.edgepipe.vgpu.Dim3;
import io.edgepipe.vgpu.KernelArgs;
import io.edgepipe.vgpu.LaunchCheck;
import io.edgepipe.vgpu.proto.Arg;
import io.edgepipe.vgpu.proto.Free;
import io.edgepipe.vgpu.proto.GetFunction;
import io.edgepipe.vgpu.proto.Launch;
import io.edgepipe.vgpu.proto.LoadModule;
import io.edgepipe.vgpu.proto.Malloc;
import io.edgepipe.vgpu.proto.Op;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A call queued by {@link RemoteGpu}, in the device's own handles; {@link #toOp} translates it
 * into the current session's handles when the batch is sent.
 */
sealed interface Call {
  /** The op in the current session's handles; payloads placed by {@code payloads} (segment or inline). */
  Op toOp(HandleJournal handles, PayloadLink payloads);

  String describe();

  /** Buffers the call reads. */
  default long[] read() {
    return new long[0];
  }

  record LoadModuleCall(long handle, String name) implements Call {
    public Op toOp(HandleJournal handles, PayloadLink payloads) {
      return Op.newBuilder().setLoadModule(LoadModule.newBuilder().setName(name)).build();
    }

    public String describe() {
      return "loadModule " + name;
    }
  }

  record FunctionCall(long handle, long module, String name) implements Call {
    public Op toOp(HandleJournal handles, PayloadLink payloads) {
      return Op.newBuilder().setGetFunction(GetFunction.newBuilder().setModule(handles.backend(module)).setName(name))
          .build();
    }

    public String describe() {
      return "function " + name;
    }
  }

  record MallocCall(long handle, long bytes) implements Call {
    public Op toOp(HandleJournal handles, PayloadLink payloads) {
      return Op.newBuilder().setMalloc(Malloc.newBuilder().setBytes(bytes)).build();
    }

    public String describe() {
      return "malloc of " + bytes + " bytes";
    }
  }

  record FreeCall(long handle) implements Call {
    public Op toOp(HandleJournal handles, PayloadLink payloads) {
      return Op.newBuilder().setFree(Free.newBuilder().setPtr(handles.backend(handle))).build();
    }

    public String describe() {
      return "free of buffer " + handle;
    }
  }

  /**
   * {@code keep}: the bytes kept for replay (a blocking copy), or null; {@code source}: the
   * caller's buffer {@code data} is a view of, when it may be one of the session's host buffers
   * (direct), else null.
   */
  record HtoDCall(long dst, ByteString data, byte[] keep, ByteBuffer source) implements Call {
    public Op toOp(HandleJournal handles, PayloadLink payloads) {
      return Op.newBuilder().setHtod(payloads.htod(handles.backend(dst), data, source)).build();
    }

    public String describe() {
      return "copyHtoD to buffer " + dst;
    }
  }

  record DtoHCall(long src, int bytes, ByteBuffer dst) implements Call {
    public Op toOp(HandleJournal handles, PayloadLink payloads) {
      return Op.newBuilder().setDtoh(payloads.dtoh(handles.backend(src), bytes, dst)).build();
    }

    public String describe() {
      return "copyDtoH from buffer " + src;
    }

    @Override
    public long[] read() {
      return new long[] {src};
    }
  }

  record LaunchCall(long function, String kernel, Dim3 grid, Dim3 block, List<KernelArgs.Arg> args) implements Call {
    public Op toOp(HandleJournal handles, PayloadLink payloads) {
      Launch.Builder l = Launch.newBuilder().setFunction(handles.backend(function)).setGrid(dim(grid))
          .setBlock(dim(block));
      for (KernelArgs.Arg a : args) {
        l.addArgs(a.isPointer() ? Arg.newBuilder().setPtr(handles.backend(a.ptr().handle()))
            : Arg.newBuilder().setI32(a.value()));
      }
      return Op.newBuilder().setLaunch(l).build();
    }

    public String describe() {
      return "launch of " + kernel;
    }

    /** The pointers the kernel writes: the catalog's output argument, else (unknown kernel) every pointer. */
    long[] written() {
      int out = LaunchCheck.outputIndex(kernel);
      if (out >= 0) {
        return new long[] {args.get(out).ptr().handle()};
      }
      return pointers(-1);
    }

    @Override
    public long[] read() {
      return pointers(LaunchCheck.outputIndex(kernel));
    }

    private long[] pointers(int except) {
      return IntStream.range(0, args.size())
          .filter(i -> i != except && args.get(i).isPointer())
          .mapToLong(i -> args.get(i).ptr().handle()).toArray();
    }

    private static io.edgepipe.vgpu.proto.Dim3 dim(Dim3 d) {
      return io.edgepipe.vgpu.proto.Dim3.newBuilder().setX(d.x()).setY(d.y()).setZ(d.z()).build();
    }
  }
}
