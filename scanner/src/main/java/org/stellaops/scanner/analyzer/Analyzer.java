package org.stellaops.scanner.analyzer;

import java.io.IOException;

/**
 * One ecosystem's cataloger. The layer reader streams each tar entry once and hands a file's content to every analyzer
 * that wants it, by path ({@link #wants}) or, for binaries, by ELF magic ({@link #wantsElf}). Analyzers must not keep
 * state across layers; {@link #version()} changes whenever their output for the same input could change, which
 * invalidates cached fragments.
 */
public interface Analyzer {
    String name();

    int version();

    /** True when the analyzer wants the content of the regular file at this path. */
    boolean wants(String path, long size);

    /** True when the analyzer wants every ELF file of the layer (Go, Rust, binary classifiers). */
    default boolean wantsElf() {
        return false;
    }

    /** True when the analyzer wants every executable script (a file with an execute bit starting with {@code #!}). */
    default boolean wantsScripts() {
        return false;
    }

    /**
     * True when the analyzer reads files larger than the in-memory limit from their spill file ({@link LayerFile#buffer()},
     * {@link LayerFile#open()}); others get only in-memory files, and larger ones are reported as not analyzed.
     */
    default boolean acceptsSpilled() {
        return false;
    }

    void analyze(LayerFile file, FragmentSink sink) throws IOException;

    static String fileName(String path) {
        int s = path.lastIndexOf('/');
        return s >= 0 ? path.substring(s + 1) : path;
    }
}
