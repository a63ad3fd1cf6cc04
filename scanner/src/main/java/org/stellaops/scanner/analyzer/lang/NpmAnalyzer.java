package org.stellaops.scanner.analyzer.lang;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.regex.Pattern;
import org.stellaops.core.model.PackageRecord;
import org.stellaops.scanner.analyzer.Analyzer;
import org.stellaops.scanner.analyzer.FragmentSink;
import org.stellaops.scanner.analyzer.LayerFile;

/** Installed npm packages: {@code node_modules/<name>/package.json} and {@code node_modules/@scope/<name>/package.json}. */
public final class NpmAnalyzer implements Analyzer {
    private static final Pattern INSTALLED = Pattern.compile("(?:^|.*/)node_modules/(?:@[^/]+/)?[^/@][^/]*/package\\.json");

    @Override
    public String name() {
        return "npm";
    }

    @Override
    public int version() {
        return 1;
    }

    @Override
    public boolean wants(String path, long size) {
        return path.endsWith("/package.json") && size < 4 * 1024 * 1024 && INSTALLED.matcher(path).matches();
    }

    @Override
    public void analyze(LayerFile file, FragmentSink sink) {
        JsonNode n = JsonFiles.parse(file, sink);
        if (n == null || !n.isObject()) {
            return;
        }
        String fullName = JsonFiles.text(n, "name");
        String version = JsonFiles.text(n, "version");
        if (fullName == null || version == null) {
            return; // nested package.json files of a package's own (test fixtures, sub-entry points) carry no identity
        }
        String namespace = null;
        String name = fullName;
        if (fullName.startsWith("@") && fullName.contains("/")) {
            namespace = fullName.substring(0, fullName.indexOf('/'));
            name = fullName.substring(fullName.indexOf('/') + 1);
        }
        sink.addPackage(PackageRecord.builder("npm", name).namespace(namespace).version(version)
                .licenses(JsonFiles.licenses(n.get("license"), n.get("licenses")))
                .analyzer(name()).evidence(file.path()).confidence("high")
                .property("stella:npm:private", n.path("private").asBoolean(false) ? "true" : null)
                .build());
    }
}
