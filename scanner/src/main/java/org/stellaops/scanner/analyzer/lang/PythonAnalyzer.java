package org.stellaops.scanner.analyzer.lang;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.stellaops.core.model.PackageRecord;
import org.stellaops.scanner.analyzer.Analyzer;
import org.stellaops.scanner.analyzer.FragmentSink;
import org.stellaops.scanner.analyzer.LayerFile;
import org.stellaops.scanner.analyzer.os.KeyValues;

/**
 * Installed Python distributions: {@code *.dist-info/METADATA} (wheels, PEP 376) and {@code *.egg-info/PKG-INFO} or a
 * single-file {@code *.egg-info}. Names are normalized as PEP 503 says for the purl.
 */
public final class PythonAnalyzer implements Analyzer {
    @Override
    public String name() {
        return "python";
    }

    @Override
    public int version() {
        return 1;
    }

    @Override
    public boolean wants(String path, long size) {
        if (size > 8 * 1024 * 1024) {
            return false;
        }
        return path.endsWith(".dist-info/METADATA") || path.endsWith(".egg-info/PKG-INFO") || path.endsWith(".egg-info");
    }

    @Override
    public void analyze(LayerFile file, FragmentSink sink) {
        String text = file.text();
        int body = text.indexOf("\n\n");
        List<Map<String, String>> st = KeyValues.stanzas(body > 0 ? text.substring(0, body) : text);
        if (st.isEmpty()) {
            sink.warn(file.path() + ": empty metadata");
            return;
        }
        Map<String, String> h = st.get(0);
        String name = h.get("Name");
        String version = h.get("Version");
        if (name == null || version == null) {
            sink.warn(file.path() + ": metadata without Name or Version");
            return;
        }
        List<String> licenses = new ArrayList<>();
        String expr = h.get("License-Expression");
        String lic = h.get("License");
        if (expr != null) {
            licenses.add(expr);
        } else if (lic != null && !lic.isBlank() && !lic.equalsIgnoreCase("UNKNOWN") && lic.length() < 100) {
            licenses.add(lic);
        }
        sink.addPackage(PackageRecord.builder("pypi", normalize(name)).version(version).licenses(licenses)
                .analyzer(name()).evidence(file.path()).confidence("high")
                .property("stella:python:name", name.equals(normalize(name)) ? null : name)
                .build());
    }

    /** PEP 503: lowercase, runs of -, _ and . become one -. */
    static String normalize(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "-");
    }
}
