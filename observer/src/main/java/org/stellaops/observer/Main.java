package org.stellaops.observer;

import io.grpc.StatusRuntimeException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The observer DaemonSet's entry point. Settings (environment; docs/observer.md):
 * STELLA_CRI_SOCKET (/run/containerd/containerd.sock), STELLA_OPERATOR_URL (https://stella-operator.stella-system.svc:8443),
 * STELLA_OPERATOR_CA (PEM file; the JDK's trust store when unset), STELLA_TOKEN_FILE (the projected ServiceAccount
 * token), NODE_NAME (downward API), STELLA_POLL_SECONDS (5), STELLA_SAMPLE_SECONDS (30), STELLA_BUFFER_EVENTS (10000),
 * STELLA_PROC (/proc).
 */
public final class Main {

    private static final Logger LOG = Logger.getLogger(Main.class.getName());

    private Main() {
    }

    private static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : v;
    }

    public static void main(String[] args) throws Exception {
        Path socket = Path.of(env("STELLA_CRI_SOCKET", "/run/containerd/containerd.sock"));
        URI endpoint = URI.create(env("STELLA_OPERATOR_URL", "https://stella-operator.stella-system.svc:8443"))
                .resolve("/api/v1/runtime/events");
        Path token = Path.of(env("STELLA_TOKEN_FILE", "/var/run/secrets/kubernetes.io/serviceaccount/token"));
        String node = env("NODE_NAME", "unknown");
        long poll = Long.parseLong(env("STELLA_POLL_SECONDS", "5"));
        long sample = Long.parseLong(env("STELLA_SAMPLE_SECONDS", "30"));
        int buffer = Integer.parseInt(env("STELLA_BUFFER_EVENTS", "10000"));
        Path procRoot = Path.of(env("STELLA_PROC", "/proc"));

        HttpClient.Builder hb = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        String ca = System.getenv("STELLA_OPERATOR_CA");
        if (ca != null && !ca.isBlank()) {
            hb.sslContext(trusting(Path.of(ca)));
        }
        EventSender sender = new EventSender(hb.build(), endpoint, token, node, buffer, Duration.ofMillis(500),
                Duration.ofMinutes(2));
        CriClient cri = new CriClient(socket, 10_000);
        Observer observer = new Observer(cri, new ProcReader(procRoot, 20_000), ImageFacts.NONE, sender::offer, node,
                Clock.systemUTC());

        Thread send = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    sender.drain();
                    synchronized (sender) {
                        if (sender.buffered() == 0) {
                            sender.wait(1000);
                        }
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "event-sender");
        send.setDaemon(true);
        send.start();

        ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor();
        long[] lastSample = {System.nanoTime() - TimeUnit.SECONDS.toNanos(sample)};
        Runnable tick = () -> {
            try {
                long now = System.nanoTime();
                boolean resample = now - lastSample[0] >= TimeUnit.SECONDS.toNanos(sample);
                observer.tick(resample);
                if (resample) {
                    lastSample[0] = now;
                }
            } catch (StatusRuntimeException e) {
                // the runtime restarting, or its socket gone: the channel reconnects; the next tick tries again
                LOG.warning("CRI " + socket + ": " + e.getStatus().getCode());
            } catch (Exception e) {
                LOG.warning("observer tick failed: " + e);
            }
        };
        ticks.scheduleWithFixedDelay(tick, 0, poll, TimeUnit.SECONDS);
        try {
            if (cri.watch(id -> ticks.execute(tick), t -> LOG.info("CRI event stream ended; polling continues"))) {
                LOG.info("CRI container events: subscribed; polling every " + poll + " s as well");
            }
        } catch (StatusRuntimeException e) {
            LOG.info("CRI container events unavailable; polling every " + poll + " s");
        }
        LOG.info("observer on " + node + ": " + socket + " → " + endpoint);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            ticks.shutdownNow();
            send.interrupt();
            cri.close();
            LOG.info("observer stopped: " + sender.counters());
        }));
        Thread.currentThread().join();
    }

    private static SSLContext trusting(Path pem) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
