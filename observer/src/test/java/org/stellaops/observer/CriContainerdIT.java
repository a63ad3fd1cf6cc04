package org.stellaops.observer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import runtime.v1.Api;
import runtime.v1.RuntimeServiceGrpc;

/**
 * The CRI client against Debian's containerd (CRI plugin + runc) started by the test: a pod sandbox and a container
 * from the debian-app fixture image are created through CRI as a kubelet would (its pod labels), the container runs
 * the image's python3 importing ssl; the observer's client finds it with pod, image digest and PID, and the
 * /proc reader sees libssl mapped inside the container's root.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CriContainerdIT {

    private static final String IMAGE = "stella.test/debian-app:1";
    private static final String DIGEST = "sha256:fdd50ce327fbb039d3d0b2ae6a67c08bb0e29df3a5e3401a7d81e98671352677";

    private static TestContainerd containerd;
    private static EpollEventLoopGroup group;
    private static ManagedChannel channel;
    private static RuntimeServiceGrpc.RuntimeServiceBlockingStub kubelet;
    private static String sandboxId;
    private static final List<RuntimeEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    private static CriClient observerCri;
    private static Observer observer;
    private static String containerId;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(TestContainerd.available(), "containerd (apt-get install containerd) or the fixture images missing");
        containerd = TestContainerd.start();
        containerd.importPause();
        containerd.importLayout(TestContainerd.fixtures().resolve("images/debian-app"), "stella.test/debian-app");
        // the kubelet's side, for creating the pod: a plain CRI client from the same generated stubs
        group = new EpollEventLoopGroup(1);
        channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(containerd.socket.toString()))
                .eventLoopGroup(group).channelType(EpollDomainSocketChannel.class).usePlaintext().build();
        kubelet = RuntimeServiceGrpc.newBlockingStub(channel);
        observerCri = new CriClient(containerd.socket, 10_000);
        observer = new Observer(observerCri, new ProcReader(Path.of("/proc"), 1000), ImageFacts.NONE, events::add,
                "node-a", java.time.Clock.systemUTC());
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (sandboxId != null) {
                kubelet.stopPodSandbox(Api.StopPodSandboxRequest.newBuilder().setPodSandboxId(sandboxId).build());
                kubelet.removePodSandbox(Api.RemovePodSandboxRequest.newBuilder().setPodSandboxId(sandboxId).build());
            }
        } finally {
            if (observerCri != null) {
                observerCri.close();
            }
            if (channel != null) {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            }
            if (containerd != null) {
                containerd.close();
            }
        }
    }

    private static CriClient client() {
        return new CriClient(containerd.socket, 10_000);
    }

    @Test
    @Order(1)
    void anEmptyNodeHasNoContainersAndNoEventStream() throws Exception {
        try (CriClient cri = client()) {
            assertThat(cri.version()).startsWith("containerd ").contains("(CRI v1)");
            assertThat(cri.listContainers()).isEmpty();
            // containerd 1.6 has no GetContainerEvents: the observer must fall back to polling
            assertThat(cri.watch(id -> { }, t -> { })).isFalse();
        }
    }

    @Test
    @Order(2)
    void aRunningContainerIsFoundWithPodImageDigestPidAndLibraries() throws Exception {
        Api.PodSandboxConfig pod = Api.PodSandboxConfig.newBuilder()
                .setMetadata(Api.PodSandboxMetadata.newBuilder().setName("shop").setNamespace("team-a")
                        .setUid("6b1b7a2e-0c1f-4a57-9a57-1d2f3e4a5b6c"))
                .setLogDirectory(containerd.dir.resolve("pods").toString())
                .putLabels(CriContainer.POD_NAME, "shop").putLabels(CriContainer.POD_NAMESPACE, "team-a")
                .putLabels(CriContainer.POD_UID, "6b1b7a2e-0c1f-4a57-9a57-1d2f3e4a5b6c")
                // no CNI on this machine: the pod uses the node's network namespace (hostNetwork)
                .setLinux(Api.LinuxPodSandboxConfig.newBuilder().setSecurityContext(
                        Api.LinuxSandboxSecurityContext.newBuilder().setNamespaceOptions(
                                Api.NamespaceOption.newBuilder().setNetwork(Api.NamespaceMode.NODE))))
                .build();
        sandboxId = kubelet.runPodSandbox(Api.RunPodSandboxRequest.newBuilder().setConfig(pod).build()).getPodSandboxId();
        String code = "import ssl, time; time.sleep(600)";
        containerId = kubelet.createContainer(Api.CreateContainerRequest.newBuilder().setPodSandboxId(sandboxId)
                .setSandboxConfig(pod)
                .setConfig(Api.ContainerConfig.newBuilder()
                        .setMetadata(Api.ContainerMetadata.newBuilder().setName("web"))
                        .setImage(Api.ImageSpec.newBuilder().setImage(IMAGE))
                        .addCommand("/usr/bin/python3").addArgs("-c").addArgs(code)
                        .setLogPath("web.log")
                        .putLabels(CriContainer.POD_NAME, "shop").putLabels(CriContainer.POD_NAMESPACE, "team-a")
                        .putLabels(CriContainer.POD_UID, "6b1b7a2e-0c1f-4a57-9a57-1d2f3e4a5b6c")
                        .putLabels("io.kubernetes.container.name", "web"))
                .build()).getContainerId();
        kubelet.startContainer(Api.StartContainerRequest.newBuilder().setContainerId(containerId).build());

        CriContainer c;
        ProcessInfo p;
        try (CriClient cri = client()) {
            List<CriContainer> all = cri.listContainers();
            assertThat(all).extracting(CriContainer::id).containsExactly(containerId);
            c = all.get(0);
            assertThat(c.running()).isTrue();
            assertThat(c.podName()).isEqualTo("shop");
            assertThat(c.podNamespace()).isEqualTo("team-a");
            assertThat(c.podUid()).isEqualTo("6b1b7a2e-0c1f-4a57-9a57-1d2f3e4a5b6c");
            assertThat(c.name()).isEqualTo("web");
            assertThat(c.image()).isEqualTo(IMAGE);
            assertThat(c.imageDigest()).isEqualTo("stella.test/debian-app@" + DIGEST);
            assertThat(c.pid()).isGreaterThan(1);
            assertThat(c.startedAtNanos()).isGreaterThan(0);

            // python needs a moment to import ssl after the exec
            ProcReader reader = new ProcReader(Path.of("/proc"), 1000);
            Instant until = Instant.now().plusSeconds(30);
            while (true) {
                p = reader.read(c.pid()).orElseThrow();
                if (p.libraries().stream().anyMatch(l -> l.path().contains("libssl")) || Instant.now().isAfter(until)) {
                    break;
                }
                Thread.sleep(200);
            }
            assertThat(p.exe()).isEqualTo("/usr/bin/python3.11");
            assertThat(p.cmdline()).containsExactly("/usr/bin/python3", "-c", code);
            ProcessInfo.MappedFile ssl = p.libraries().stream().filter(l -> l.path().endsWith("/libssl.so.3"))
                    .findFirst().orElseThrow(() -> new AssertionError("no libssl in " + p0(c)));
            // resolved inside the container's root (the image's file), not the node's
            Path inContainer = Path.of("/proc/" + c.pid() + "/root" + ssl.path());
            assertThat(ssl.file().inode()).isEqualTo(Files.getAttribute(inContainer, "unix:ino"));
            assertThat(ssl.file().sha256()).isEqualTo(TestContainerd.sha256(Files.readAllBytes(inContainer)));
            assertThat(reader.sameCgroup(c.pid())).contains(c.pid());
        }
    }

    @Test
    @Order(3)
    void theObserverReportsTheStartAndAnExecAsDrift() throws Exception {
        assumeTrue(containerId != null);
        observer.tick(true);
        List<RuntimeEvent> starts = events.stream().filter(e -> e.kind() == RuntimeEvent.Kind.ContainerStart).toList();
        assertThat(starts).hasSize(1);
        RuntimeEvent start = starts.get(0);
        assertThat(start.schema()).isEqualTo("stella.runtime.event@v1");
        assertThat(start.node()).isEqualTo("node-a");
        assertThat(start.pod()).isEqualTo(new RuntimeEvent.Pod("team-a", "shop", "6b1b7a2e-0c1f-4a57-9a57-1d2f3e4a5b6c"));
        assertThat(start.image().digest()).isEqualTo(DIGEST);
        assertThat(start.image().reference()).isEqualTo(IMAGE);
        assertThat(start.process().exe()).isEqualTo("/usr/bin/python3.11");
        assertThat(start.process().libraries()).extracting(RuntimeEvent.Library::path)
                .anyMatch(p -> p.endsWith("/libssl.so.3"));
        assertThat(events).noneMatch(e -> e.kind() == RuntimeEvent.Kind.Drift); // the entrypoint's own process

        // an extra process, as kubectl exec starts it: not a descendant of the container's first process
        Thread exec = new Thread(() -> kubelet.execSync(Api.ExecSyncRequest.newBuilder().setContainerId(containerId)
                .addCmd("/usr/bin/sleep").addCmd("5").setTimeout(20).build()));
        exec.start();
        Instant until = Instant.now().plusSeconds(15);
        while (events.stream().noneMatch(e -> e.kind() == RuntimeEvent.Kind.Drift) && Instant.now().isBefore(until)) {
            Thread.sleep(300);
            observer.tick(true);
        }
        exec.join(20_000);
        List<RuntimeEvent> drift = events.stream().filter(e -> e.kind() == RuntimeEvent.Kind.Drift).toList();
        assertThat(drift).hasSize(1);
        assertThat(drift.get(0).drift().reason()).isEqualTo("notFromEntrypoint");
        assertThat(drift.get(0).drift().path()).isEqualTo("/usr/bin/sleep");
        assertThat(drift.get(0).container().id()).isEqualTo(containerId);
        observer.tick(true);
        assertThat(events.stream().filter(e -> e.kind() == RuntimeEvent.Kind.Drift)).hasSize(1); // reported once
        assertThat(events).extracting(RuntimeEvent::eventId).doesNotHaveDuplicates();
    }

    private static String p0(CriContainer c) {
        try {
            return Files.readString(Path.of("/proc/" + c.pid() + "/maps"), StandardCharsets.UTF_8);
        } catch (Exception e) {
            return e.toString();
        }
    }

    @Test
    @Order(4)
    void aStoppedContainerIsReportedExited() throws Exception {
        assumeTrue(containerId != null);
        // containerd 1.6 sometimes answers a stop with "ttrpc: closed" while its shim exits; a kubelet retries, so do we
        for (int attempt = 1; ; attempt++) {
            try {
                kubelet.stopContainer(Api.StopContainerRequest.newBuilder().setContainerId(containerId).setTimeout(1).build());
                break;
            } catch (io.grpc.StatusRuntimeException e) {
                if (attempt == 3) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
        try (CriClient cri = client()) {
            Optional<CriContainer> c = cri.status(containerId);
            assertThat(c).get().extracting(CriContainer::state).isEqualTo("CONTAINER_EXITED");
            assertThat(c.get().pid()).isZero();
            assertThat(cri.status("0123456789abcdef")).isEmpty();
        }
        observer.tick(false);
        List<RuntimeEvent> stops = events.stream().filter(e -> e.kind() == RuntimeEvent.Kind.ContainerStop).toList();
        assertThat(stops).hasSize(1);
        assertThat(stops.get(0).container().state()).isEqualTo("CONTAINER_EXITED");
        assertThat(stops.get(0).pod().name()).isEqualTo("shop");
    }
}
