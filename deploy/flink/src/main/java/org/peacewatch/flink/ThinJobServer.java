package org.peacewatch.flink;

import org.apache.beam.runners.flink.FlinkJobServerDriver;
import org.apache.beam.runners.flink.PeacewatchThinJobInvoker;
import org.apache.beam.runners.jobsubmission.JobServerDriver;
import org.apache.beam.sdk.fn.server.ServerFactory;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Beam's Flink job server (the flags of {@code FlinkJobServerDriver}) with two changes.
 *
 * <ul>
 *   <li>Jobs ship no jars. The stock invoker stages the job server's whole classpath (about 160 MB)
 *       with every submission: each job then fills the cluster's blob store and loads its own copy
 *       of Beam and Flink into every TaskManager. The peacewatch cluster runs its JobManager and
 *       TaskManagers from the same Maven classpath as this job server, so a job needs no jar of its
 *       own; the files staged are those named by the system property
 *       {@code peacewatch.flink.filesToStage} (path-separated, empty by default).
 *   <li>The job and artifact services listen on {@code --job-host} only, not on every interface.
 * </ul>
 */
public final class ThinJobServer extends JobServerDriver {
  private ThinJobServer(
      FlinkJobServerDriver.FlinkServerConfiguration configuration,
      ServerFactory jobServerFactory,
      ServerFactory artifactServerFactory,
      JobInvokerFactory jobInvokerFactory) {
    super(configuration, jobServerFactory, artifactServerFactory, jobInvokerFactory);
  }

  public static void main(String[] args) throws Exception {
    FileSystems.setDefaultPipelineOptions(PipelineOptionsFactory.create());
    FlinkJobServerDriver.FlinkServerConfiguration configuration = FlinkJobServerDriver.parseArgs(args);
    String host = configuration.getHost();
    new ThinJobServer(
            configuration,
            new BoundServerFactory(host, configuration.getPort()),
            new BoundServerFactory(host, configuration.getArtifactPort()),
            () -> new PeacewatchThinJobInvoker(configuration))
        .run();
  }
}
