package org.stellaops.scanner.analyzer.lang;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.stellaops.core.model.PackageRecord;
import org.stellaops.scanner.analyzer.Analyzer;
import org.stellaops.scanner.analyzer.FragmentSink;
import org.stellaops.scanner.analyzer.LayerFile;

/** .NET applications: the {@code libraries} of {@code *.deps.json} (NuGet packages and the application's projects). */
public final class DotnetAnalyzer implements Analyzer {
    @Override
    public String name() {
        return "dotnet";
    }

    @Override
    public int version() {
        return 1;
    }

    @Override
    public boolean wants(String path, long size) {
        return path.endsWith(".deps.json") && size < 32 * 1024 * 1024;
    }

    @Override
    public void analyze(LayerFile file, FragmentSink sink) {
        JsonNode n = JsonFiles.parse(file, sink);
        if (n == null) {
            return;
        }
        JsonNode libs = n.path("libraries");
        if (!libs.isObject()) {
            sink.warn(file.path() + ": deps.json without a libraries object");
            return;
        }
        for (Map.Entry<String, JsonNode> e : libs.properties()) {
            int slash = e.getKey().lastIndexOf('/');
            if (slash <= 0) {
                sink.warn(file.path() + ": library key '" + e.getKey() + "' is not Name/Version");
                continue;
            }
            String name = e.getKey().substring(0, slash);
            String version = e.getKey().substring(slash + 1);
            String type = e.getValue().path("type").asText("");
            boolean pkg = type.equals("package");
            sink.addPackage(PackageRecord.builder(pkg ? "nuget" : "generic", name).version(version)
                    .analyzer(name()).evidence(file.path()).confidence(pkg ? "high" : "medium")
                    .property("stella:dotnet:type", type)
                    .property("stella:dotnet:sha512", JsonFiles.text(e.getValue(), "sha512"))
                    .build());
        }
    }
}
