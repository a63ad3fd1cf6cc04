package org.stellaops.scanner.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.stellaops.scanner.ScanException;

/**
 * A response body read as an {@link InputStream} in which every read waits at most the idle timeout for more bytes;
 * after that the exchange is cancelled and the read fails with {@link ScanException.Kind#UNAVAILABLE}.
 *
 * <p>Hand-written because {@code java.net.http} bounds only the time to the response headers ({@code
 * HttpRequest.timeout}): a registry that sends headers and then stalls would block a body read through
 * {@code BodyHandlers.ofInputStream()} forever. A per-read (idle) timeout, not a total one, is what fits blobs: a
 * multi-GiB layer on a slow link legitimately takes long, while a pause of the configured length means a stall.
 * The subscriber requests one list of buffers at a time, so at most one list is held ahead of the reader.
 */
final class IdleTimeoutBody implements HttpResponse.BodySubscriber<InputStream> {
    private static final Object END = new Object();

    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final long idleNanos;
    private final Duration idle;
    private final String what;
    private final Stream stream = new Stream();
    private volatile Flow.Subscription subscription;

    IdleTimeoutBody(Duration idle, String what) {
        this.idle = idle;
        this.idleNanos = idle.toNanos();
        this.what = what;
    }

    static HttpResponse.BodyHandler<InputStream> handler(Duration idle, String what) {
        return info -> new IdleTimeoutBody(idle, what);
    }

    @Override
    public CompletionStage<InputStream> getBody() {
        return CompletableFuture.completedStage(stream);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        if (subscription != null) {
            s.cancel();
            return;
        }
        subscription = s;
        if (stream.closed) {
            s.cancel();
        } else {
            s.request(1);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        queue.add(item);
    }

    @Override
    public void onError(Throwable t) {
        queue.add(t);
    }

    @Override
    public void onComplete() {
        queue.add(END);
    }

    private void cancel() {
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }

    private final class Stream extends InputStream {
        private Iterator<ByteBuffer> buffers;
        private ByteBuffer current;
        private boolean done;
        private volatile boolean closed;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (closed) {
                throw new IOException(what + ": stream closed");
            }
            if (len == 0) {
                return 0;
            }
            while (current == null || !current.hasRemaining()) {
                if (buffers != null && buffers.hasNext()) {
                    current = buffers.next();
                    continue;
                }
                if (done) {
                    return -1;
                }
                Object next;
                try {
                    next = queue.poll(idleNanos, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    cancel();
                    throw new InterruptedIOException(what + ": interrupted");
                }
                if (next == null) {
                    cancel();
                    done = true;
                    throw new ScanException(ScanException.Kind.UNAVAILABLE, what + ": read timed out: no data from the registry for "
                            + seconds(idle) + " (the response stalled)");
                }
                if (next == END) {
                    done = true;
                    return -1;
                }
                if (next instanceof Throwable t) {
                    done = true;
                    throw new IOException(what + ": " + t.getMessage(), t);
                }
                @SuppressWarnings("unchecked")
                List<ByteBuffer> list = (List<ByteBuffer>) next;
                buffers = list.iterator();
                Flow.Subscription s = subscription;
                if (s != null) {
                    s.request(1);
                }
            }
            int n = Math.min(len, current.remaining());
            current.get(b, off, n);
            return n;
        }

        @Override
        public int available() {
            return current == null ? 0 : current.remaining();
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                cancel();
                queue.clear();
            }
        }
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
