package org.stellaops.scanner.analyzer.lang;

import com.fasterxml.jackson.databind.JsonNode;
import org.stellaops.core.model.PackageRecord;
import org.stellaops.scanner.analyzer.Analyzer;
import org.stellaops.scanner.analyzer.FragmentSink;
import org.stellaops.scanner.analyzer.LayerFile;

/** Composer-installed PHP packages: {@code vendor/composer/installed.json} (Composer 1 array and Composer 2 object). */
public final class PhpComposerAnalyzer implements Analyzer {
    @Override
    public String name() {
        return "composer";
    }

    @Override
    public int version() {
        return 1;
    }

    @Override
    public boolean wants(String path, long size) {
        return path.endsWith("vendor/composer/installed.json") && size < 32 * 1024 * 1024;
    }

    @Override
    public void analyze(LayerFile file, FragmentSink sink) {
        JsonNode n = JsonFiles.parse(file, sink);
        if (n == null) {
            return;
        }
        JsonNode packages = n.isArray() ? n : n.path("packages");
        if (!packages.isArray()) {
            sink.warn(file.path() + ": neither a package array nor an object with packages");
            return;
        }
        for (JsonNode p : packages) {
            String full = JsonFiles.text(p, "name");
            String version = JsonFiles.text(p, "version");
            if (full == null || version == null || !full.contains("/")) {
                sink.warn(file.path() + ": package entry without vendor/name or version; skipped");
                continue;
            }
            sink.addPackage(PackageRecord.builder("composer", full.substring(full.indexOf('/') + 1))
                    .namespace(full.substring(0, full.indexOf('/'))).version(version)
                    .licenses(JsonFiles.licenses(p.get("license")))
                    .analyzer(name()).evidence(file.path()).confidence("high")
                    .property("stella:composer:type", JsonFiles.text(p, "type"))
                    .build());
        }
    }
}
