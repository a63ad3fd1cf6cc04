package org.stellaops.scanner.analyzer.binary;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.util.Optional;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.stellaops.core.json.Json;
import org.stellaops.core.model.PackageRecord;
import org.stellaops.scanner.analyzer.Analyzer;
import org.stellaops.scanner.analyzer.FragmentSink;
import org.stellaops.scanner.analyzer.LayerFile;

/**
 * Rust binaries built with cargo-auditable: the zlib-compressed JSON dependency list in the {@code .dep-v0} ELF
 * section. Crates from crates.io become {@code pkg:cargo}; local and git crates are kept with their source.
 */
public final class RustAuditableAnalyzer implements Analyzer {
    private static final int MAX_JSON = 8 * 1024 * 1024;

    @Override
    public String name() {
        return "rust-auditable";
    }

    @Override
    public int version() {
        return 1;
    }

    @Override
    public boolean wants(String path, long size) {
        return false;
    }

    @Override
    public boolean wantsElf() {
        return true;
    }

    @Override
    public boolean acceptsSpilled() {
        return true;
    }

    @Override
    public void analyze(LayerFile file, FragmentSink sink) {
        Optional<byte[]> section;
        try {
            section = Elf.parse(file.buffer()).flatMap(e -> e.sectionBytes(".dep-v0"));
        } catch (java.io.IOException e) {
            sink.warn(file.path() + ": rust analyzer could not read the file: " + e.getMessage());
            return;
        }
        if (section.isEmpty()) {
            return;
        }
        byte[] json;
        try {
            json = inflate(section.get());
        } catch (DataFormatException e) {
            sink.warn(file.path() + ": .dep-v0 section is not zlib data: " + e.getMessage());
            return;
        }
        JsonNode root;
        try {
            root = Json.mapper().readTree(json);
        } catch (java.io.IOException e) {
            sink.warn(file.path() + ": .dep-v0 section is not JSON: " + e.getMessage());
            return;
        }
        for (JsonNode p : root.path("packages")) {
            String name = p.path("name").asText(null);
            String version = p.path("version").asText(null);
            if (name == null || version == null) {
                continue;
            }
            String source = p.path("source").asText("crates.io");
            boolean cratesIo = source.equals("crates.io");
            sink.addPackage(PackageRecord.builder(cratesIo ? "cargo" : "generic", name).version(version)
                    .analyzer(name()).evidence(file.path()).confidence("high")
                    .property("stella:rust:source", source)
                    .property("stella:rust:kind", p.path("kind").asText(null))
                    .property("stella:rust:root", p.path("root").asBoolean(false) ? "true" : null)
                    .build());
        }
    }

    private static byte[] inflate(byte[] data) throws DataFormatException {
        Inflater inf = new Inflater();
        try {
            inf.setInput(data);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[65536];
            while (!inf.finished()) {
                int n = inf.inflate(buf);
                if (n == 0 && (inf.needsInput() || inf.needsDictionary())) {
                    throw new DataFormatException("truncated zlib stream");
                }
                out.write(buf, 0, n);
                if (out.size() > MAX_JSON) {
                    throw new DataFormatException("inflates past " + MAX_JSON + " bytes");
                }
            }
            return out.toByteArray();
        } finally {
            inf.end();
        }
    }
}
