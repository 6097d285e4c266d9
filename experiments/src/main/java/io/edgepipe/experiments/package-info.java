/**
 * {@code pipeline bench experiments}: the thesis's experiments and the dual-plane work's flow
 * capacity as one suite, written to {@code results/<yyyy-MM-dd>-experiments/}.
 *
 * <pre>
 * pipeline bench experiments [--testbed] [--spec pipelines/thesis.yaml] [--quick] [--out results]
 *                            [--only E1,E3,...] [--sizes 128,256] [--bandwidths 1gbit,100mbit]
 *                            [--edge-cpu 0.5] [--e6-placement ESSS] [--report-only DIR]
 * </pre>
 *
 * <table>
 *   <caption>What each experiment measures and writes</caption>
 *   <tr><th>id</th><th>what</th><th>file</th></tr>
 *   <tr><td>E1</td><td>latency of one frame (one in flight), monolith vs 4 microservices, 128..1024
 *       square, split into compute (sum of process) and communication (sum of receive + send)</td>
 *       <td>e1_latency.csv, e1_latency.png</td></tr>
 *   <tr><td>E2</td><td>CCR per stage and size from E1's runs: (send + next receive) / process</td>
 *       <td>e2_ccr.csv, e2_ccr.png</td></tr>
 *   <tr><td>E3</td><td>fps of 1000 (quick: 200) 1280x720 frames: monolith, and 2/3/4-stage pipelines
 *       made by fusing consecutive layers into one service ({@link io.edgepipe.harness.EmbeddedRun#fused})</td>
 *       <td>e3_throughput.csv, e3_throughput.png</td></tr>
 *   <tr><td>E4</td><td>latency and fps of SSSS, ESSS, EESS, EEES, EEEE on the testbed per size and link
 *       rate; skipped (with the reason in the report) without --testbed, root or a usable testbed</td>
 *       <td>e4_placements.csv, e4_*.png</td></tr>
 *   <tr><td>E5</td><td>the planner's predictions for those placements from a measured profile, beside E4's
 *       measurements: error and best-placement match; predictions only when E4 is skipped</td>
 *       <td>e5_predictions.csv, e5_best.csv, e5_*.png</td></tr>
 *   <tr><td>E6</td><td>flow capacity: 30 fps cameras added until frames are dropped or late (100 ms)</td>
 *       <td>e6_flows.csv, e6_flows.png</td></tr>
 * </table>
 *
 * <p>{@code meta.csv} holds the settings and notes (skips and their reasons, load average);
 * {@link io.edgepipe.experiments.ReportWriter} turns the folder's CSV files into
 * {@code report.md} and the charts, and can be re-run alone ({@code --report-only DIR}). Each
 * experiment declares its CSV columns once, as an enum implementing
 * {@link io.edgepipe.experiments.CsvColumn} that writes the header and names the cells read back,
 * and has a {@link io.edgepipe.experiments.ReportSection} next to it (LatencySection for E1,
 * CcrSection for E2, ThroughputSection, PlacementSection, PredictionSection, FlowCapacitySection)
 * that renders its heading, charts, reading and tables; ReportWriter only puts them in order under
 * the heading and the table of settings.
 */
package io.edgepipe.experiments;
