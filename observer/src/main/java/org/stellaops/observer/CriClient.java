package org.stellaops.observer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import runtime.v1.Api;
import runtime.v1.ImageServiceGrpc;
import runtime.v1.RuntimeServiceGrpc;

/**
 * Client of the node's container runtime through the CRI v1 gRPC API (stubs generated from k8s.io/cri-api's
 * api.proto at build time), over the runtime's Unix domain socket (containerd:
 * {@code /run/containerd/containerd.sock}, CRI-O: {@code /var/run/crio/crio.sock}). Read-only calls only.
 */
public final class CriClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final EpollEventLoopGroup group;
    private final ManagedChannel channel;
    private final RuntimeServiceGrpc.RuntimeServiceBlockingStub runtime;
    private final RuntimeServiceGrpc.RuntimeServiceStub runtimeAsync;
    private final ImageServiceGrpc.ImageServiceBlockingStub images;
    private final long timeoutMillis;

    public CriClient(Path socket, long timeoutMillis) {
        this.group = new EpollEventLoopGroup(1);
        this.channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .eventLoopGroup(group)
                .channelType(EpollDomainSocketChannel.class)
                .usePlaintext()
                // CRI answers (ListContainers on a busy node) exceed gRPC's 4 MiB default; kubelet allows 16 MiB
                .maxInboundMessageSize(16 * 1024 * 1024)
                .build();
        this.runtime = RuntimeServiceGrpc.newBlockingStub(channel);
        this.runtimeAsync = RuntimeServiceGrpc.newStub(channel);
        this.images = ImageServiceGrpc.newBlockingStub(channel);
        this.timeoutMillis = timeoutMillis;
    }

    private RuntimeServiceGrpc.RuntimeServiceBlockingStub rt() {
        return runtime.withDeadlineAfter(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    /** "runtimeName runtimeVersion (CRI runtimeApiVersion)". */
    public String version() {
        Api.VersionResponse v = rt().version(Api.VersionRequest.newBuilder().setVersion("v1").build());
        return v.getRuntimeName() + " " + v.getRuntimeVersion() + " (CRI " + v.getRuntimeApiVersion() + ")";
    }

    /** Every container the runtime knows (all states); pods, images and PIDs resolved with {@link #status}. */
    public List<CriContainer> listContainers() {
        Api.ListContainersResponse r = rt().listContainers(Api.ListContainersRequest.getDefaultInstance());
        List<CriContainer> out = new ArrayList<>(r.getContainersCount());
        for (Api.Container c : r.getContainersList()) {
            status(c.getId()).ifPresent(out::add);
        }
        return out;
    }

    /** The container's verbose status; empty when it was removed meanwhile. */
    public Optional<CriContainer> status(String id) {
        Api.ContainerStatusResponse r;
        try {
            r = rt().containerStatus(Api.ContainerStatusRequest.newBuilder().setContainerId(id).setVerbose(true).build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
        Api.ContainerStatus s = r.getStatus();
        var labels = s.getLabelsMap();
        String imageId = s.getImageRef();
        return Optional.of(new CriContainer(s.getId(), s.getMetadata().getName(),
                labels.get(CriContainer.POD_NAME), labels.get(CriContainer.POD_NAMESPACE), labels.get(CriContainer.POD_UID),
                s.getImage().getImage(), imageId, repoDigest(imageId, s.getImage().getImage()),
                s.getState().name(), pid(r.getInfoMap().get("info")), s.getStartedAt(), Map.copyOf(labels)));
    }

    /**
     * The PID from the runtime's verbose info. containerd and CRI-O both put a JSON document under the key "info"
     * whose top-level "pid" is the container's first process as seen from the node's PID namespace.
     */
    static long pid(String info) {
        if (info == null || info.isEmpty()) {
            return 0;
        }
        try {
            JsonNode n = JSON.readTree(info).path("pid");
            return n.canConvertToLong() ? n.asLong() : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** The image's repository digest (name@sha256:...), preferring the one whose name matches the container's image. */
    private String repoDigest(String imageId, String imageRef) {
        if (imageId == null || imageId.isEmpty()) {
            return null;
        }
        try {
            Api.ImageStatusResponse r = images.withDeadlineAfter(timeoutMillis, TimeUnit.MILLISECONDS)
                    .imageStatus(Api.ImageStatusRequest.newBuilder()
                            .setImage(Api.ImageSpec.newBuilder().setImage(imageId)).build());
            List<String> digests = r.getImage().getRepoDigestsList();
            String repo = imageRef == null ? "" : imageRef.replaceFirst("[:@][^/]*$", "");
            for (String d : digests) {
                if (d.startsWith(repo + "@")) {
                    return d;
                }
            }
            return digests.isEmpty() ? null : digests.get(0);
        } catch (StatusRuntimeException e) {
            return null;
        }
    }

    /**
     * Subscribes to the runtime's container event stream (GetContainerEvents; containerd 1.7+, CRI-O 1.26+).
     * Returns false when the runtime does not implement it (or cannot be reached), so the caller polls instead; otherwise calls
     * {@code onEvent} with each changed container id until the stream ends and then {@code onEnd}.
     */
    public boolean watch(Consumer<String> onEvent, Consumer<Throwable> onEnd) throws InterruptedException {
        var first = new java.util.concurrent.CompletableFuture<Boolean>();
        runtimeAsync.getContainerEvents(Api.GetEventsRequest.getDefaultInstance(), new StreamObserver<>() {
            @Override
            public void onNext(Api.ContainerEventResponse e) {
                first.complete(true);
                // (a stream that is open but quiet is taken as working when the timeout below passes)
                onEvent.accept(e.getContainerId());
            }

            @Override
            public void onError(Throwable t) {
                // an error before the stream was known to work (UNIMPLEMENTED, or the runtime unreachable): not
                // subscribed, the caller polls; after that: the stream ended
                if (!first.complete(false)) {
                    onEnd.accept(t);
                }
            }

            @Override
            public void onCompleted() {
                first.complete(true);
                onEnd.accept(null);
            }
        });
        try {
            // a stream with nothing to say yet gives no first message: no UNIMPLEMENTED within the timeout means supported
            return first.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return first.complete(true) || first.getNow(false);
        } catch (java.util.concurrent.ExecutionException e) {
            return false;
        }
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
