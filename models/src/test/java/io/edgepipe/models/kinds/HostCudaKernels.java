package io.edgepipe.models.kinds;

import io.edgepipe.vgpu.Dim3;
import io.edgepipe.vgpu.RegisteredKernel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The layer kinds' CUDA C compiled as host programs: each {@code <kind>.cu} with a shim that steps
 * through the launch grid thread by thread ({@code src/test/cuda/host_grid.h}) and a generated
 * driver that reads one launch from a file, runs the kernel and writes its output buffer.
 */
public final class HostCudaKernels {
  private static final Path KINDS_SOURCE = Path.of("src/main/java");
  private static final Path SHIM = Path.of("src/test/cuda/host_grid.h");

  /** Programs built in this JVM, by kernel name: the test classes share them (sources do not change). */
  private static final Map<String, Path> PROGRAMS = new HashMap<>();
  private static final Path BUILD = Path.of("target/host-cuda");

  private final String cxx;
  private final Path work;

  /** Compiles with {@code cxx} (see {@link #compiler()}); launches are written to {@code work}. */
  public HostCudaKernels(String cxx, Path work) {
    this.cxx = cxx;
    this.work = work;
  }

  /** g++, clang++ or c++, whichever answers first (CXX first when set); null if none does. */
  public static String compiler() {
    List<String> candidates = new ArrayList<>();
    String env = System.getenv("CXX");
    if (env != null && !env.isBlank()) {
      candidates.add(env);
    }
    candidates.addAll(List.of("g++", "clang++", "c++"));
    for (String c : candidates) {
      try {
        Process p = new ProcessBuilder(c, "--version").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
          return c;
        }
      } catch (IOException e) {
        // not installed: try the next
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
    return null;
  }

  /** Source of a registered kernel: the .cu beside its kind's Java source (named as its PTX). */
  public static Path source(RegisteredKernel k) {
    String ptx = k.ptxResource();
    return KINDS_SOURCE.resolve(ptx.substring(1, ptx.length() - ".ptx".length()) + ".cu");
  }

  /** Runs the recorded launch's kernel over {@code grid} x {@code block}; returns its output buffer. */
  public float[] replay(LaunchRecorder.Recorded l, Dim3 grid, Dim3 block) throws IOException {
    Path exe = program(l.kernel());
    int bytes = 12;
    for (int i = 0; i < l.ints().length; i++) {
      bytes += l.before()[i] == null ? 8 : 8 + 4 * l.before()[i].length;
    }
    ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(grid.x()).putInt(block.x()).putInt(l.ints().length);
    for (int i = 0; i < l.ints().length; i++) {
      float[] buf = l.before()[i];
      if (buf == null) {
        b.putInt(0).putInt(l.ints()[i]);
      } else {
        b.putInt(1).putInt(buf.length);
        for (float v : buf) {
          b.putFloat(v);
        }
      }
    }
    Path in = work.resolve("launch.bin");
    Path out = work.resolve("out.bin");
    Files.write(in, b.array());
    run(List.of(exe.toString(), in.toString(), out.toString()), "run " + exe.getFileName());
    ByteBuffer o = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
    float[] f = new float[o.remaining() / 4];
    o.asFloatBuffer().get(f);
    return f;
  }

  private Path program(RegisteredKernel k) throws IOException {
    synchronized (PROGRAMS) {
      Path exe = PROGRAMS.get(k.name());
      if (exe == null) {
        exe = build(k);
        PROGRAMS.put(k.name(), exe);
      }
      return exe;
    }
  }

  /**
   * A program that reads a launch (grid, block, then each argument: tag 0 and an int, or tag 1,
   * a count and that many floats), runs the kernel over the grid and writes the output buffer.
   */
  private Path build(RegisteredKernel k) throws IOException {
    boolean[] ptr = k.pointers();
    StringBuilder call = new StringBuilder(k.name()).append('(');
    for (int i = 0; i < ptr.length; i++) {
      call.append(i > 0 ? ", " : "").append(ptr[i] ? "buf[" + i + "].data()" : "iv[" + i + "]");
    }
    call.append(')');
    String driver = """
        #include <cstdio>
        #include <cstdlib>
        #include <cstdint>
        #include <vector>
        #include "%s"
        static int32_t rd(FILE* f) {
            int32_t v;
            if (fread(&v, 4, 1, f) != 1) exit(3);
            return v;
        }
        int main(int argc, char** argv) {
            FILE* in = fopen(argv[1], "rb");
            if (!in) return 2;
            const unsigned grid = (unsigned)rd(in), block = (unsigned)rd(in);
            const int nargs = rd(in);
            std::vector<std::vector<float>> buf(nargs);
            std::vector<int> iv(nargs);
            for (int i = 0; i < nargs; i++) {
                if (rd(in) == 1) {
                    buf[i].resize((size_t)rd(in));
                    if (fread(buf[i].data(), 4, buf[i].size(), in) != buf[i].size()) return 3;
                } else {
                    iv[i] = rd(in);
                }
            }
            fclose(in);
            edge_launch(grid, block, [&] { %s; });
            FILE* out = fopen(argv[2], "wb");
            if (!out) return 2;
            fwrite(buf[%d].data(), 4, buf[%d].size(), out);
            return fclose(out) == 0 ? 0 : 2;
        }
        """.formatted(source(k).toAbsolutePath(), call, k.outputIndex(), k.outputIndex());
    Files.createDirectories(BUILD);
    Path cpp = BUILD.resolve(k.name() + ".cpp");
    Path exe = BUILD.resolve(k.name());
    Files.writeString(cpp, driver);
    run(List.of(cxx, "-std=c++17", "-O2", "-ffp-contract=off", "-include", SHIM.toAbsolutePath().toString(),
        "-o", exe.toString(), cpp.toString()), "compile " + source(k));
    return exe;
  }

  private static void run(List<String> cmd, String what) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(what + ": timed out");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new AssertionError(what + ": interrupted");
    }
    if (p.exitValue() != 0) {
      throw new AssertionError(what + " failed (exit " + p.exitValue() + "):\n" + log);
    }
  }
}
