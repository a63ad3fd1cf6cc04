package org.stellaops.scanner.analyzer.os;

import java.util.Map;
import org.stellaops.core.model.OsRelease;
import org.stellaops.scanner.analyzer.Analyzer;
import org.stellaops.scanner.analyzer.FragmentSink;
import org.stellaops.scanner.analyzer.LayerFile;

/** {@code /etc/os-release} and {@code /usr/lib/os-release} (os-release(5)). */
public final class OsReleaseAnalyzer implements Analyzer {
    @Override
    public String name() {
        return "os-release";
    }

    @Override
    public int version() {
        return 1;
    }

    @Override
    public boolean wants(String path, long size) {
        return (path.equals("etc/os-release") || path.equals("usr/lib/os-release")) && size < 64 * 1024;
    }

    @Override
    public void analyze(LayerFile file, FragmentSink sink) {
        Map<String, String> kv = KeyValues.shell(file.text());
        if (kv.get("ID") == null) {
            sink.warn(file.path() + ": os-release without ID");
            return;
        }
        sink.addOsRelease(new OsRelease(file.path(), kv.get("ID"), kv.get("VERSION_ID"), kv.get("VERSION_CODENAME"),
                kv.get("PRETTY_NAME"), kv.get("ID_LIKE")));
    }
}
