package io.edgepipe.testbed;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the command line that runs a program on a node of an up testbed: the process first
 * joins the node's cpu cgroup (by writing its own PID to {@code cgroup.procs}; no cgroup-tools
 * needed), then enters the node's network namespace with {@code ip netns exec} (which remounts
 * /sys, hence this order) and execs the program. Every step is an exec, so the PID of the
 * started {@link Process} is the program's own PID and a signal to it reaches the program.
 */
public final class NodeLauncher {
  private final TestbedState state;

  public NodeLauncher(TestbedState state) {
    this.state = state;
  }

  /** {@code sh -c 'echo $$ > CGROUP/cgroup.procs && exec ip netns exec NS "$@"' sh ARGV...} */
  public List<String> command(Node node, List<String> argv) {
    Path procs = state.names().cpuCgroup(node).resolve("cgroup.procs");
    List<String> cmd = new ArrayList<>(List.of("sh", "-c",
        "echo $$ > '" + procs + "' && exec ip netns exec '" + state.netns(node) + "' \"$@\"", "sh"));
    cmd.addAll(argv);
    return cmd;
  }

  /**
   * {@code ip netns exec NS ARGV...}: in the node's network namespace but outside its cpu
   * cgroup. For the emulated network itself (the delay forwarder), which must not spend the
   * emulated node's CPU.
   */
  public List<String> networkCommand(Node node, List<String> argv) {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", state.netns(node)));
    cmd.addAll(argv);
    return cmd;
  }

  /**
   * Flags that keep a JVM on the quota-limited edge from sizing itself for the host. The JVM
   * cannot see the cgroup quota once {@code ip netns exec} has remounted /sys, and the quota may
   * be cut while it runs (the grid, E7), so it is told one processor whatever the quota is now:
   * one GC thread (the serial collector, whose young collections of per-frame buffers cost less
   * CPU than G1's barriers and concurrent threads), two JIT threads (the least tiered
   * compilation allows), two Netty event loops and a common pool of one worker. A stage computes
   * a frame on one thread either way (the common pool has one worker with two processors too),
   * so a node with several cores is still filled by its several JVMs.
   */
  public static final List<String> QUOTA_NODE_JVM_FLAGS = List.of("-XX:ActiveProcessorCount=1", "-XX:+UseSerialGC",
      "-XX:CICompilerCount=2");

  /**
   * Flags for every node's JVMs: compile to C2 after a tenth of the default invocation counts. A
   * method called once per frame otherwise reaches C2 only after about 15,000 frames (minutes at
   * the tens of frames per second a quota allows): in session 6's quiet grid the edge's CPU per
   * frame was still falling through all three repeats (EEEE at 0.5 cores, 256x256: 127, 166, 205
   * fps), and the calibration visits before it read up to 2x the CPU per frame of the same
   * placement unthrottled 10 minutes later.
   */
  public static final List<String> WARM_JIT_FLAGS = List.of("-XX:CompileThresholdScaling=0.1");

  /** JVM flags for a Java program on this node: {@link #WARM_JIT_FLAGS}, and on the edge {@link #QUOTA_NODE_JVM_FLAGS}. */
  public List<String> jvmOptions(Node node) {
    List<String> options = new ArrayList<>(WARM_JIT_FLAGS);
    if (node == Node.EDGE) {
      options.addAll(QUOTA_NODE_JVM_FLAGS);
    }
    options.add("-Dedgepipe.shm.dir=" + shmDir(node));
    return options;
  }

  /** The node's shared-memory folder, made on first use ({@code down} removes it). */
  private Path shmDir(Node node) {
    Path dir = state.names().shmDir(node);
    try {
      java.nio.file.Files.createDirectories(dir);
    } catch (java.io.IOException e) {
      throw new TestbedException("cannot create " + dir + ": " + e.getMessage());
    }
    return dir;
  }

  /** {@code java <jvmOptions> <extraJvm> -cp CLASSPATH MAIN ARGS...} on the node, this JVM's java and classpath. */
  public List<String> javaCommand(Node node, List<String> extraJvm, String mainClass, List<String> args) {
    List<String> jvm = new ArrayList<>(jvmOptions(node));
    jvm.addAll(extraJvm);
    return command(node, java(jvm, mainClass, args));
  }

  /** {@code java ... MAIN ARGS} as argv, with this JVM's java, classpath and logging setup. */
  static List<String> java(List<String> jvmOptions, String mainClass, List<String> args) {
    List<String> argv = new ArrayList<>();
    argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    argv.addAll(jvmOptions);
    argv.addAll(io.edgepipe.api.VectorApi.childJvmFlags()); // the CPU twins' fast path
    argv.add("-Djava.awt.headless=true");
    String logging = System.getProperty("java.util.logging.config.file");
    if (logging != null) {
      argv.add("-Djava.util.logging.config.file=" + logging);
    }
    argv.add("-cp");
    argv.add(System.getProperty("java.class.path"));
    argv.add(mainClass);
    argv.addAll(args);
    return argv;
  }

  /** Starts the command on the node; its stdout and stderr go to {@code log}. */
  public NodeProcess start(String name, Node node, List<String> argv, Path log) {
    return NodeProcess.start(name, command(node, argv), log);
  }

  public NodeProcess startJava(String name, Node node, List<String> extraJvm, String mainClass, List<String> args,
      Path log) {
    return NodeProcess.start(name, javaCommand(node, extraJvm, mainClass, args), log);
  }

  /** The delay forwarder with these arguments, in the node's namespace, outside its cgroup. */
  public NodeProcess startDelayProxy(String name, Node node, List<String> args, Path log) {
    return NodeProcess.start(name, networkCommand(node, java(List.of("-Xmx256m"), DelayProxy.class.getName(), args)),
        log);
  }

  public TestbedState state() {
    return state;
  }
}
