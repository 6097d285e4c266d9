package io.edgepipe.experiments;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CSV files recorded from a quick run of the suite (2-core machine, no testbed), shared by the
 * report tests: fast, no pipeline is run.
 */
final class RecordedRun {
  static final String META = """
      key,value
      date,2026-11-22T20:36
      spec,pipelines/thesis.yaml (thesis)
      plan,quick
      cores,2
      testbed,no: run without --testbed
      e4_status,skipped
      e4_reason,run without --testbed (edge/server placements need the emulated testbed)
      e5_status,predictions only
      e5_profile,"compute measured in this process for the server tier; edge compute = server compute / 0.5"
      e6_where,embedded (4 services over loopback gRPC on this machine)
      e6_size,640x360
      e6_fps_per_flow,30.00
      e6_deadline_ms,100.0
      e6_late_tolerance_pct,1.00
      """;

  static final String E1 = """
      size,side,mode,frames,latency_mean_ms,latency_p50_ms,latency_p95_ms,compute_ms,communication_ms,other_ms
      128x128,128,monolith,10,1.03,0.155,8.67,1.00,0.031,0
      128x128,128,microservices,10,3.69,3.62,8.32,0.348,3.34,0
      256x256,256,monolith,10,8.16,6.19,23.74,8.03,0.130,0
      256x256,256,microservices,10,16.56,16.09,27.62,5.36,11.20,0
      512x512,512,monolith,10,8.51,4.50,28.63,8.39,0.121,0
      512x512,512,microservices,10,14.56,10.15,32.07,3.31,11.25,0
      1024x1024,1024,monolith,10,18.31,12.03,64.24,18.18,0.123,0.000
      1024x1024,1024,microservices,10,72.45,55.92,146.8,13.57,58.88,0
      """;

  static final String E2 = """
      size,side,stage,compute_ms,transfer_ms,ccr
      128x128,128,producer,0.017,1.01,60.96
      128x128,128,conv,0.156,0.648,4.17
      128x128,128,relu,0.090,1.21,13.38
      128x128,128,maxpool,0.085,0.475,5.56
      128x128,128,total,0.348,3.34,9.61
      256x256,256,producer,0.225,2.80,12.44
      256x256,256,conv,1.57,3.74,2.38
      256x256,256,relu,3.21,2.42,0.752
      256x256,256,maxpool,0.352,2.25,6.39
      256x256,256,total,5.36,11.20,2.09
      512x512,512,producer,0.775,1.19,1.53
      512x512,512,conv,1.44,5.37,3.73
      512x512,512,relu,0.469,3.15,6.73
      512x512,512,maxpool,0.629,1.53,2.44
      512x512,512,total,3.31,11.25,3.39
      1024x1024,1024,producer,0.764,3.80,4.98
      1024x1024,1024,conv,4.47,20.61,4.61
      1024x1024,1024,relu,4.54,23.07,5.09
      1024x1024,1024,maxpool,3.80,11.40,3.00
      1024x1024,1024,total,13.57,58.88,4.34
      """;

  static final String E3 = """
      variant,stages,services,frames,delivered,fps,change_vs_monolith_pct,cpu_ms_per_frame,cpu_bound_fps,slowest_service,slowest_service_ms,lat_p50_ms,thesis_server_pct,thesis_edge_pct
      monolith,1,producer+conv+relu+maxpool (one process),200,200,118.3,-,11.05,181.0,-,-,5.56,-,-
      2-stage,2,producer | conv+relu+maxpool,200,200,54.19,-54.2,25.80,77.52,conv+relu+maxpool,14.85,492.1,-,-
      3-stage,3,producer | conv | relu+maxpool,200,200,28.62,-75.8,22.20,90.09,relu+maxpool,24.53,827.2,-,-
      3-stage,3,producer | conv+relu | maxpool,200,200,32.07,-72.9,21.85,91.53,conv+relu,21.67,665.1,-,-
      4-stage,4,producer | conv | relu | maxpool,200,200,35.02,-70.4,22.90,87.34,conv,9.26,885.7,76.58,103.9
      """;

  static final String E5_PREDICTED = """
      bandwidth,size,side,placement,pred_latency_ms,pred_fps,pred_bottleneck,meas_latency_ms,meas_fps,latency_err_pct,fps_err_pct
      1gbit,512x512,512,SSSS,38.49,46.26,conv,-,-,-,-
      1gbit,512x512,512,ESSS,41.52,47.45,conv,-,-,-,-
      1gbit,512x512,512,EESS,49.92,31.10,conv,-,-,-,-
      1gbit,512x512,512,EEES,56.64,38.58,conv,-,-,-,-
      1gbit,512x512,512,EEEE,52.60,35.62,conv,-,-,-,-
      100mbit,512x512,512,SSSS,38.49,46.26,conv,-,-,-,-
      100mbit,512x512,512,ESSS,79.27,42.14,maxpool,-,-,-,-
      100mbit,512x512,512,EESS,144.3,9.29,conv,-,-,-,-
      100mbit,512x512,512,EEES,151.0,10.08,relu,-,-,-,-
      100mbit,512x512,512,EEEE,52.60,35.62,conv,-,-,-,-
      """;

  static final String E5_BEST_PREDICTED = """
      bandwidth,size,objective,predicted_best,measured_best,match
      1gbit,512x512,throughput,ESSS,-,-
      1gbit,512x512,latency,SSSS,-,-
      100mbit,512x512,throughput,SSSS,-,-
      100mbit,512x512,latency,SSSS,-,-
      """;

  static final String E6 = """
      flows,offered_fps,delivered_fps,frames,delivered,dropped,late,late_pct,lat_p50_ms,lat_p95_ms,lat_p99_ms,carried
      1,30.00,30.14,90,90,0,0,0,11.78,24.86,32.54,yes
      2,60.00,60.32,180,180,0,26,17.33,15.21,280.7,357.4,no
      """;

  private RecordedRun() {}

  /** Writes the recorded run's files into {@code dir}, as the suite would. */
  static void write(Path dir) throws IOException {
    Files.writeString(dir.resolve(MetaFile.NAME), META);
    Files.writeString(dir.resolve(LatencyExperiment.E1_CSV), E1);
    Files.writeString(dir.resolve(LatencyExperiment.E2_CSV), E2);
    Files.writeString(dir.resolve(ThroughputExperiment.CSV), E3);
    Files.writeString(dir.resolve(PlacementExperiment.E4_CSV),
        "bandwidth,size,side,placement,frames,delivered,fps,lat_mean_ms,lat_p50_ms,lat_p95_ms,lost\n");
    Files.writeString(dir.resolve(PlacementExperiment.E5_CSV), E5_PREDICTED);
    Files.writeString(dir.resolve(PlacementExperiment.E5_BEST_CSV), E5_BEST_PREDICTED);
    Files.writeString(dir.resolve(FlowCapacityExperiment.CSV), E6);
  }
}
