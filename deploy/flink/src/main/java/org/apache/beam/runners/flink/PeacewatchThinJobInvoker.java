package org.apache.beam.runners.flink;

// In Beam's package only because FlinkServerConfiguration's getters are package-private.

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.runners.jobsubmission.JobInvocation;
import org.apache.beam.sdk.util.construction.PipelineOptionsTranslation;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.Struct;
import org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.util.concurrent.ListeningExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link FlinkJobInvoker} that stages only the files named by {@code peacewatch.flink.filesToStage}. */
public final class PeacewatchThinJobInvoker extends FlinkJobInvoker {
  private static final Logger LOG = LoggerFactory.getLogger(PeacewatchThinJobInvoker.class);
  static final String FILES_PROPERTY = "peacewatch.flink.filesToStage";
  static final String BUNDLE_PROPERTY = "peacewatch.flink.maxBundleSize";
  private static final String BUNDLE_OPTION = "beam:option:max_bundle_size:v1";

  private final FlinkJobServerDriver.FlinkServerConfiguration configuration;

  public PeacewatchThinJobInvoker(FlinkJobServerDriver.FlinkServerConfiguration configuration) {
    super(configuration);
    this.configuration = configuration;
  }

  static List<String> filesToStage() {
    List<String> files = new ArrayList<>();
    for (String path : System.getProperty(FILES_PROPERTY, "").split(File.pathSeparator)) {
      if (!path.isEmpty()) {
        files.add(path);
      }
    }
    return files;
  }

  @Override
  protected JobInvocation invokeWithExecutor(
      RunnerApi.Pipeline pipeline, Struct options, String retrievalToken, ListeningExecutorService executorService) {
    FlinkPipelineOptions flinkOptions = PipelineOptionsTranslation.fromProto(options).as(FlinkPipelineOptions.class);
    // A default bundle size for jobs that do not set one: counters reach Flink's REST API when a
    // bundle ends, so short bundles keep progress and idle detection current.
    String bundle = System.getProperty(BUNDLE_PROPERTY, "");
    if (!bundle.isEmpty() && !options.getFieldsMap().containsKey(BUNDLE_OPTION)) {
      flinkOptions.setMaxBundleSize(Long.parseLong(bundle));
    }
    String invocationId = String.format("%s_%s", flinkOptions.getJobName(), UUID.randomUUID());
    if (FlinkPipelineOptions.AUTO.equals(flinkOptions.getFlinkMaster())) {
      flinkOptions.setFlinkMaster(configuration.getFlinkMaster());
    }
    List<String> files = filesToStage();
    FlinkPipelineRunner runner = new FlinkPipelineRunner(flinkOptions, configuration.getFlinkConfDir(), files);
    flinkOptions.setRunner(null);
    LOG.info("Invoking job {} on {} with {} staged file(s)", invocationId, flinkOptions.getFlinkMaster(), files.size());
    return createJobInvocation(invocationId, retrievalToken, executorService, pipeline, flinkOptions, runner);
  }
}
