package org.stellaops.core.advisories;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.stellaops.core.json.Digests;
import org.stellaops.core.json.Json;

/**
 * Advisory data loaded from files, directories and zips (such as OSV's per-ecosystem {@code all.zip}): OSV JSON/YAML,
 * Debian tracker, Alpine secdb, Red Hat CSAF (VEX and RHSA), NVD CVE 2.0, CISA KEV and EPSS, recognized by
 * content; gzip-compressed documents are inflated first. A document that cannot be read becomes a diagnostic naming
 * it and the rest still load; an unknown document is refused the same way. Reading stays within the set's {@link InputLimits}.
 */
public final class FeedSet {
    private final InputLimits limits;
    private final List<Advisory> advisories = new ArrayList<>();
    private final List<String> diagnostics = new ArrayList<>();
    private KevCatalog kev;
    private EpssScores epss;

    /** A set read within the default {@link InputLimits}. */
    public FeedSet() {
        this(InputLimits.DEFAULT);
    }

    public FeedSet(InputLimits limits) {
        this.limits = limits;
    }

    public List<Advisory> advisories() {
        return advisories;
    }

    public List<String> diagnostics() {
        return diagnostics;
    }

    public KevCatalog kev() {
        return kev;
    }

    public EpssScores epss() {
        return epss;
    }

    void setKev(KevCatalog kev) {
        this.kev = kev;
    }

    void setEpss(EpssScores epss) {
        this.epss = epss;
    }

    /** Adds everything another set holds (advisories, diagnostics; its KEV catalog and EPSS scores when this has none). */
    public FeedSet merge(FeedSet other) {
        advisories.addAll(other.advisories);
        diagnostics.addAll(other.diagnostics);
        if (kev == null) {
            kev = other.kev;
        }
        if (epss == null) {
            epss = other.epss;
        }
        return this;
    }

    /**
     * Loads a file, a directory (recursively) or a zip. A zip or kit past the {@link InputLimits} fails with
     * {@link InputTooLargeException} naming it.
     */
    public FeedSet load(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            try (Stream<Path> files = Files.walk(path)) {
                for (Path f : files.filter(Files::isRegularFile).sorted(Comparator.comparing(Path::toString)).toList()) {
                    loadFile(f);
                }
            }
        } else if (Files.isRegularFile(path)) {
            loadFile(path);
        } else {
            throw new java.nio.file.NoSuchFileException(path.toString(), null, "no such advisory file or directory");
        }
        return this;
    }

    private void loadFile(Path f) throws IOException {
        String name = f.getFileName().toString();
        if (name.endsWith(".md") || name.endsWith(".tsv") || name.startsWith(".")) {
            return;
        }
        if (name.endsWith(".zip")) {
            if (isKit(f)) {
                boolean alone = advisories.isEmpty() && kev == null && epss == null;
                Path index = OfflineKit.indexOf(f);
                FeedSet kit;
                if (Files.isRegularFile(index)) { // the compiled index installed beside the kit: one read, no JSON
                    kit = AdvisoryIndex.loadOrBuild(index, OfflineKit.manifestRevision(f, limits),
                            () -> OfflineKit.read(Files.readAllBytes(f), f.toString(), limits), diagnostics::add);
                } else {
                    kit = OfflineKit.read(Files.readAllBytes(f), f.toString(), limits);
                }
                advisories.addAll(kit.advisories());
                kev = kit.kev() != null ? kit.kev() : kev;
                epss = kit.epss() != null ? kit.epss() : epss;
                if (alone) {
                    setRevision(kit.revision());
                }
            } else {
                loadZip(f);
            }
            return;
        }
        if (Files.size(f) > limits.maxDocumentBytes()) {
            diagnostics.add(f + ": larger than " + limits.maxDocumentBytes() + " bytes (the limit for one document); skipped");
            return;
        }
        add(Files.readAllBytes(f), f.toString());
    }

    private static boolean isKit(Path zip) throws IOException {
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(zip.toFile())) {
            return z.getEntry(OfflineKit.MANIFEST) != null && z.getEntry("advisories.json") != null;
        } catch (java.util.zip.ZipException e) {
            return false;
        }
    }

    /** Every entry of a zip is a document; the zip fails as a whole past the entry, document or inflated bounds. */
    private void loadZip(Path zip) throws IOException {
        try (InputStream in = Files.newInputStream(zip)) {
            limits.readZip(in, zip.toString(), limits.maxDocumentBytes(), (name, data) -> add(data, zip + "!/" + name));
        } catch (AdvisoryFormatException e) {
            diagnostics.add(e.getMessage());
        }
    }

    /**
     * Adds one document, recognized by its content; a gzip-compressed one (by its magic bytes, whatever its name) is
     * inflated first, within the limit for one document. Problems become diagnostics that name the document and the
     * kind and place of the problem, never its content.
     */
    public void add(byte[] data, String origin) {
        if (InputLimits.isGzip(data)) {
            try {
                data = limits.gunzip(data, origin);
                origin = InputLimits.gunzippedName(origin);
            } catch (AdvisoryFormatException e) {
                diagnostics.add(e.getMessage());
                return;
            } catch (IOException e) {
                diagnostics.add(e instanceof InputTooLargeException ? e.getMessage() + "; skipped"
                        : origin + ": " + DocumentErrors.describe(e));
                return;
            }
        }
        try {
            if (origin.endsWith(".csv")) {
                epss = EpssScores.parse(data, origin);
                return;
            }
            if (origin.endsWith(".yaml") || origin.endsWith(".yml")) {
                advisories.add(OsvParser.parse(data, origin));
                return;
            }
            JsonNode root;
            try {
                root = Json.mapper().readTree(data);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                diagnostics.add(origin + ": " + DocumentErrors.describe(e, "JSON"));
                return;
            } catch (IOException e) {
                diagnostics.add(origin + ": " + DocumentErrors.describe(e));
                return;
            }
            if (root == null || !root.isObject()) {
                diagnostics.add(origin + ": not a JSON object; not an advisory document");
            } else if (RedHatCsafParser.isCsaf(root)) {
                advisories.addAll(RedHatCsafParser.parse(data, origin));
            } else if (root.has("catalogVersion") && root.has("vulnerabilities")) {
                kev = KevCatalog.parse(data, origin);
            } else if (root.has("Header") && root.has("Annotations")) {
                advisories.addAll(DebianTrackerParser.parse(data, origin));
            } else if (root.has("distroversion") && root.has("packages")) {
                advisories.addAll(AlpineSecdbParser.parse(data, origin));
            } else if (root.has("vulnerabilities") || root.path("id").asText("").startsWith("CVE-") && root.has("metrics")) {
                advisories.addAll(NvdParser.parse(data, origin));
            } else if (root.has("id") && (root.has("affected") || root.has("modified"))) {
                advisories.add(OsvParser.parse(data, origin));
            } else {
                diagnostics.add(origin + ": unknown advisory format (expected OSV, Debian tracker, Alpine secdb, Red Hat CSAF,"
                        + " NVD CVE 2.0, KEV or EPSS)");
            }
        } catch (AdvisoryFormatException e) {
            diagnostics.add(e.getMessage());
        }
    }

    /**
     * Advisories without their origins, in one total order (source, id, content): the same data loaded from other
     * paths or in another order gives the same list.
     */
    static List<Advisory> canonical(List<Advisory> advisories) {
        record Keyed(Advisory advisory, String json) {
        }
        List<Keyed> keyed = new ArrayList<>(advisories.size());
        for (Advisory a : advisories) {
            Advisory c = new Advisory(a.id(), a.aliases(), a.summary(), a.published(), a.modified(), a.withdrawn(),
                    a.severities(), a.affected(), a.references(), a.source(), null);
            keyed.add(new Keyed(c, new String(Json.write(c), java.nio.charset.StandardCharsets.UTF_8)));
        }
        keyed.sort(Comparator.comparing((Keyed k) -> k.advisory().source()).thenComparing(k -> k.advisory().id())
                .thenComparing(Keyed::json));
        List<Advisory> out = new ArrayList<>(keyed.size());
        keyed.forEach(k -> out.add(k.advisory()));
        return out;
    }

    /**
     * The revision of the loaded data: sha256 of the advisories in a canonical order without their origins, plus the
     * KEV catalog version and EPSS model and date.
     */
    public String revision() {
        Object stamp = List.of(advisories.size(), System.identityHashCode(kev), System.identityHashCode(epss));
        if (revision != null && stamp.equals(revisionStamp)) {
            return revision;
        }
        revisionStamp = stamp;
        revision = computeRevision();
        return revision;
    }

    private String revision;
    private Object revisionStamp;

    /**
     * Sets the revision of data read from a verified {@link AdvisoryIndex} (its digest checked): the revision its
     * builder computed from the documents, not recomputed from 300,000 advisories. Adding data afterwards computes it anew.
     */
    void setRevision(String revision) {
        this.revisionStamp = List.of(advisories.size(), System.identityHashCode(kev), System.identityHashCode(epss));
        this.revision = revision;
    }

    private String computeRevision() {
        List<Object> canonical = new ArrayList<>(canonical(advisories));
        canonical.add(kev == null ? "no-kev" : "kev " + kev.catalogVersion());
        canonical.add(epss == null ? "no-epss" : "epss " + epss.modelVersion() + " " + epss.scoreDate());
        return Digests.sha256(Json.write(canonical));
    }

}
