package org.stellaops.scanner.image;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;
import org.stellaops.scanner.ScanException;

/** Files of an image on disk, either a directory (OCI layout) or a tar (docker-archive), read by relative path. */
interface BlobStore extends Closeable {

    String describe();

    Optional<InputStream> open(String relativePath) throws IOException;

    default byte[] read(String relativePath, long limit) throws IOException {
        try (InputStream in = open(relativePath).orElseThrow(() -> new ScanException(ScanException.Kind.NOT_FOUND,
                describe() + ": " + relativePath + " is missing"))) {
            byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (b.length > limit) {
                throw new ScanException(ScanException.Kind.BAD_INPUT, describe() + ": " + relativePath + " is larger than " + limit + " bytes");
            }
            return b;
        }
    }

    static String blobPath(String digest) {
        return "blobs/" + digest.replace(':', '/');
    }

    /** An OCI layout directory. */
    final class Dir implements BlobStore {
        private final Path root;

        Dir(Path root) {
            this.root = root;
        }

        @Override
        public String describe() {
            return "OCI layout " + root;
        }

        @Override
        public Optional<InputStream> open(String relativePath) throws IOException {
            Path p = root.resolve(relativePath).normalize();
            if (!p.startsWith(root.normalize())) {
                throw new ScanException(ScanException.Kind.BAD_INPUT, describe() + ": path " + relativePath + " escapes the layout");
            }
            try {
                return Optional.of(Files.newInputStream(p));
            } catch (NoSuchFileException e) {
                return Optional.empty();
            }
        }

        @Override
        public void close() {
        }
    }

    /** A tar archive read with random access (never extracted). */
    final class Tar implements BlobStore {
        private final Path file;
        private final TarFile tar;
        private final Map<String, TarArchiveEntry> entries = new HashMap<>();

        Tar(Path file) {
            this.file = file;
            try {
                this.tar = new TarFile(file, StandardCharsets.UTF_8.name()); // names as UTF-8, not the platform charset
            } catch (IOException | RuntimeException e) {
                throw new ScanException(ScanException.Kind.BAD_INPUT, "docker-archive " + file + ": not a readable tar archive: " + e.getMessage(), e);
            }
            for (TarArchiveEntry e : tar.getEntries()) {
                String name = e.getName();
                while (name.startsWith("./")) {
                    name = name.substring(2);
                }
                entries.put(name, e);
            }
        }

        @Override
        public String describe() {
            return "docker-archive " + file;
        }

        boolean has(String path) {
            return entries.containsKey(path);
        }

        @Override
        public Optional<InputStream> open(String relativePath) throws IOException {
            TarArchiveEntry e = entries.get(relativePath);
            if (e == null) {
                return Optional.empty();
            }
            int hops = 0;
            while ((e.isSymbolicLink() || e.isLink()) && hops++ < 8) {
                String target = e.isLink() ? e.getLinkName() : Path.of(relativePath).resolveSibling(e.getLinkName()).normalize().toString();
                e = entries.get(target);
                if (e == null) {
                    return Optional.empty();
                }
            }
            if (e.isSparse()) {
                return Optional.of(tar.getInputStream(e));
            }
            // A stream of its own per entry: TarFile's entry streams share one channel and must not be read by two
            // layer threads at once.
            InputStream in = Files.newInputStream(file);
            try {
                in.skipNBytes(e.getDataOffset());
            } catch (IOException ex) {
                in.close();
                throw ex;
            }
            return Optional.of(org.apache.commons.io.input.BoundedInputStream.builder().setInputStream(in)
                    .setMaxCount(e.getSize()).setPropagateClose(true).get());
        }

        @Override
        public void close() throws IOException {
            tar.close();
        }
    }
}
