package org.stellaops.core.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.util.List;

/**
 * What the analyzers found in one layer: the unit that is cached (by layer digest + analyzer version), stored by
 * workers and composed bottom to top into an image SBOM.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record LayerFragment(
        int schema,
        String layerDigest,
        String diffId,
        String analyzerVersion,
        @JsonSerialize(using = FileRecordsCodec.Serializer.class)
        @JsonDeserialize(using = FileRecordsCodec.Deserializer.class)
        List<FileRecord> files,
        List<String> whiteouts,
        List<String> opaqueDirs,
        List<PackageRecord> packages,
        List<FileList> fileLists,
        List<OsRelease> osReleases,
        List<String> warnings,
        List<ExecRecord> execs) {

    public static final int SCHEMA = 2;

    /** A fragment without records for the entrypoint trace. */
    public LayerFragment(int schema, String layerDigest, String diffId, String analyzerVersion, List<FileRecord> files,
                         List<String> whiteouts, List<String> opaqueDirs, List<PackageRecord> packages,
                         List<FileList> fileLists, List<OsRelease> osReleases, List<String> warnings) {
        this(schema, layerDigest, diffId, analyzerVersion, files, whiteouts, opaqueDirs, packages, fileLists, osReleases,
                warnings, List.of());
    }

    @JsonCreator
    public LayerFragment {
        files = files == null ? List.of() : List.copyOf(files);
        whiteouts = whiteouts == null ? List.of() : List.copyOf(whiteouts);
        opaqueDirs = opaqueDirs == null ? List.of() : List.copyOf(opaqueDirs);
        packages = packages == null ? List.of() : List.copyOf(packages);
        fileLists = fileLists == null ? List.of() : List.copyOf(fileLists);
        osReleases = osReleases == null ? List.of() : List.copyOf(osReleases);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
        execs = execs == null ? List.of() : List.copyOf(execs);
    }
}
