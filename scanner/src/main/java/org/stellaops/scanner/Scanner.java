package org.stellaops.scanner;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.stellaops.core.model.LayerFragment;
import org.stellaops.core.store.FragmentStore;
import org.stellaops.scanner.analyzer.AnalyzerSet;
import org.stellaops.scanner.image.ImageSource;
import org.stellaops.scanner.image.LayerRef;
import org.stellaops.scanner.image.ResolvedImage;
import org.stellaops.scanner.layer.LayerReader;
import org.stellaops.scanner.sbom.Composer;
import org.stellaops.scanner.sbom.ImageInventory;

/**
 * The scan pipeline: resolve → per layer (cached fragment, or stream + analyze + store) in parallel, bounded by
 * {@code parallelism} → compose. A layer whose fragment is cached for this analyzer version is never opened.
 */
public final class Scanner {
    private final AnalyzerSet analyzers;
    private final FragmentStore store;
    private final int parallelism;

    public Scanner(AnalyzerSet analyzers, FragmentStore store, int parallelism) {
        this.analyzers = analyzers;
        this.store = store;
        this.parallelism = Math.max(1, parallelism);
    }

    public ScanResult scan(ImageSource source, ScanListener listener) throws IOException {
        ResolvedImage image = source.resolve();
        listener.resolved(image);
        List<LayerRef> layers = image.layers();
        AtomicInteger cached = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, Math.max(1, layers.size())), r -> {
            Thread t = new Thread(r, "stella-layer");
            t.setDaemon(true);
            return t;
        });
        try {
            // Largest blobs first, so that the last layer to finish is a small one (longest-processing-time order).
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < layers.size(); i++) {
                order.add(i);
            }
            order.sort((a, b) -> Long.compare(layers.get(b).size(), layers.get(a).size()));
            List<Future<LayerFragment>> futures = new ArrayList<>(java.util.Collections.nCopies(layers.size(), null));
            for (int index : order) {
                LayerRef layer = layers.get(index);
                futures.set(index, pool.submit(() -> analyze(source, index, layer, listener, cached)));
            }
            List<LayerFragment> fragments = new ArrayList<>();
            for (Future<LayerFragment> f : futures) {
                fragments.add(await(f));
            }
            ImageInventory inventory = new Composer().compose(image, fragments);
            return new ScanResult(fragments, inventory, cached.get(), layers.size() - cached.get());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Analyzes one layer (or reads it from the store): what a worker Job does. */
    public LayerFragment analyzeLayer(ImageSource source, LayerRef layer) throws IOException {
        return analyze(source, 0, layer, ScanListener.NONE, new AtomicInteger());
    }

    private LayerFragment analyze(ImageSource source, int index, LayerRef layer, ScanListener listener,
                                  AtomicInteger cached) throws IOException {
        long start = System.nanoTime();
        Optional<LayerFragment> hit;
        try {
            hit = store.get(layer.digest(), analyzers.version());
        } catch (FragmentStore.FragmentTooLargeException e) {
            throw new ScanException(ScanException.Kind.BAD_INPUT, "layer " + layer.digest() + ": stored fragment " + e.getMessage(), e);
        }
        if (hit.isPresent() && layer.diffId().equals(hit.get().diffId())) {
            cached.incrementAndGet();
            listener.layerDone(index, layer, hit.get(), true, (System.nanoTime() - start) / 1_000_000);
            return hit.get();
        }
        listener.layerStarted(index, layer);
        LayerFragment fragment;
        try (InputStream in = source.openLayer(layer)) {
            fragment = new LayerReader(analyzers).read(in, layer);
        }
        store.put(fragment);
        listener.layerDone(index, layer, fragment, false, (System.nanoTime() - start) / 1_000_000);
        return fragment;
    }

    private static LayerFragment await(Future<LayerFragment> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof ScanException se) {
                throw se;
            }
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            throw new IllegalStateException(c);
        }
    }
}
