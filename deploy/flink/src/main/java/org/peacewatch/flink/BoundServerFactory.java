package org.peacewatch.flink;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.beam.model.pipeline.v1.Endpoints;
import org.apache.beam.sdk.fn.server.GrpcContextHeaderAccessorProvider;
import org.apache.beam.sdk.fn.server.ServerFactory;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.BindableService;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.Server;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.ServerInterceptors;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.netty.NettyServerBuilder;

/**
 * A gRPC {@link ServerFactory} that listens on one host address.
 *
 * <p>Beam's default factory builds its servers with {@code NettyServerBuilder.forPort(port)}, which
 * listens on every interface whatever {@code --job-host} says. This one binds the job and artifact
 * services to the given host (127.0.0.1 for the local cluster), with Beam's other settings.
 */
final class BoundServerFactory extends ServerFactory {
  private static final int KEEP_ALIVE_TIME_SEC = 20;

  private final String host;
  private final int port;

  BoundServerFactory(String host, int port) {
    this.host = host;
    this.port = port;
  }

  @Override
  public Server allocateAddressAndCreate(List<BindableService> services, Endpoints.ApiServiceDescriptor.Builder descriptor)
      throws IOException {
    Server server = start(host, port, services);
    descriptor.setUrl(host + ":" + server.getPort());
    return server;
  }

  @Override
  public Server create(List<BindableService> services, Endpoints.ApiServiceDescriptor descriptor) throws IOException {
    String url = descriptor.getUrl();
    int colon = url.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("expected host:port, got " + url);
    }
    return start(url.substring(0, colon), Integer.parseInt(url.substring(colon + 1)), services);
  }

  private static Server start(String host, int port, List<BindableService> services) throws IOException {
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
        .maxInboundMessageSize(Integer.MAX_VALUE)
        .permitKeepAliveTime(KEEP_ALIVE_TIME_SEC, TimeUnit.SECONDS);
    for (BindableService service : services) {
      builder.addService(ServerInterceptors.intercept(service, GrpcContextHeaderAccessorProvider.interceptor()));
    }
    return builder.build().start();
  }
}
