package org.stellaops.operator.scan;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The slow steps of a scan (registry resolution, composing the SBOM, building the decider's index and deciding) run
 * here, on a bounded pool, never on a reconcile thread. A step is keyed by what it depends on (scan uid, generation,
 * step and its inputs), so asking again for a step that is running does not start it twice; when it finishes, the
 * scan is triggered (an event for its reconciler) and the next reconcile takes the result.
 */
@ApplicationScoped
public class ScanWork {
    private static final Logger LOG = Logger.getLogger(ScanWork.class);
    /** Threads for scan steps; a queued step waits here, not on a reconcile thread. */
    static final int THREADS = 4;
    static final int QUEUE = 1024;
    /** A result nobody collected (its scan was deleted or moved on) is dropped after this. */
    static final Duration KEEP = Duration.ofMinutes(10);

    private final ThreadPoolExecutor pool;
    private final Map<String, Task> tasks = new ConcurrentHashMap<>();
    private final List<Consumer<ResourceID>> triggers = new CopyOnWriteArrayList<>();

    public ScanWork() {
        AtomicInteger n = new AtomicInteger();
        pool = new ThreadPoolExecutor(THREADS, THREADS, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "stella-scan-work-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
    }

    /** A step's work; may throw what the step throws (the reconcile rethrows it when it collects the result). */
    @FunctionalInterface
    public interface Step<T> {
        T run() throws Exception;
    }

    /** The result of a finished step: a value, or what it threw. */
    public record Result<T>(T value, Exception error) {
        /** The value, or the step's exception rethrown in the reconcile. */
        public T get() throws Exception {
            if (error != null) {
                throw error;
            }
            return value;
        }
    }

    private static final class Task {
        final CompletableFuture<Object> future = new CompletableFuture<>();
        volatile Instant finished;
    }

    /**
     * Who is told when a step finishes: the reconciler's inbound event source (one per registration of the reconciler
     * with an operator; a stopped operator's source ignores the event).
     */
    public void onFinished(Consumer<ResourceID> trigger) {
        triggers.add(trigger);
    }

    /**
     * The result of the step with this key if it has finished (it is then forgotten); otherwise the step is started
     * (unless it runs already) and empty is returned. When the pool is full the step is not started: empty, and the
     * caller looks again later.
     */
    public <T> Optional<Result<T>> run(String key, ResourceID scan, Step<T> step) {
        return run(key, scan, step, triggers);
    }

    /**
     * The same for a resource of another kind (an Attestation's signing and Rekor calls): when the step finishes, only
     * {@code trigger} is told, not the ImageScan reconciler.
     */
    public <T> Optional<Result<T>> run(String key, ResourceID resource, Step<T> step, Consumer<ResourceID> trigger) {
        return run(key, resource, step, List.of(trigger));
    }

    @SuppressWarnings("unchecked")
    private <T> Optional<Result<T>> run(String key, ResourceID scan, Step<T> step, List<Consumer<ResourceID>> notify) {
        prune();
        Task task = tasks.get(key);
        if (task != null && task.future.isDone()) {
            tasks.remove(key, task);
            try {
                return Optional.of(new Result<>((T) task.future.get(), null));
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                return Optional.of(new Result<>(null, c instanceof Exception ex ? ex : new IllegalStateException(c)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        if (task != null) {
            return Optional.empty();
        }
        Task mine = new Task();
        if (tasks.putIfAbsent(key, mine) != null) {
            return Optional.empty();
        }
        try {
            pool.execute(() -> {
                try {
                    mine.future.complete(step.run());
                } catch (Exception | Error e) {
                    mine.future.completeExceptionally(e);
                } finally {
                    mine.finished = Instant.now();
                    for (Consumer<ResourceID> t : notify) {
                        try {
                            t.accept(scan);
                        } catch (RuntimeException e) {
                            LOG.debugf("scan %s not triggered: %s", scan, e.getMessage());
                        }
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            tasks.remove(key, mine);
        }
        return Optional.empty();
    }

    /** Whether a step with this key is queued or running. */
    public boolean running(String key) {
        Task t = tasks.get(key);
        return t != null && !t.future.isDone();
    }

    private void prune() {
        Instant old = Instant.now().minus(KEEP);
        tasks.values().removeIf(t -> t.finished != null && t.finished.isBefore(old));
    }

    void stop(@Observes ShutdownEvent e) {
        pool.shutdownNow();
    }
}
