package org.stellaops.scanner.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.stellaops.core.model.OsRelease;
import org.stellaops.core.model.PackageRecord;
import org.stellaops.scanner.analyzer.Analyzer;
import org.stellaops.scanner.analyzer.FragmentSink;
import org.stellaops.scanner.analyzer.LayerFile;

/** Runs one analyzer on one file and keeps what it reports. */
public final class Collect implements FragmentSink {
    public final List<PackageRecord> packages = new ArrayList<>();
    public final List<String> warnings = new ArrayList<>();
    public final List<String[]> fileLists = new ArrayList<>();

    public static Collect run(Analyzer a, String path, byte[] content) throws IOException {
        Collect c = new Collect();
        a.analyze(new LayerFile(path, 0755, content), c);
        return c;
    }

    public static Collect run(Analyzer a, String path, String content) throws IOException {
        return run(a, path, content.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void addPackage(PackageRecord pkg) {
        packages.add(pkg);
    }

    @Override
    public void addFileList(String key, String evidencePath, List<String> files) {
        fileLists.add(new String[] {key, evidencePath, String.valueOf(files.size())});
    }

    @Override
    public void addOsRelease(OsRelease osRelease) {
    }

    @Override
    public void warn(String message) {
        warnings.add(message);
    }
}
