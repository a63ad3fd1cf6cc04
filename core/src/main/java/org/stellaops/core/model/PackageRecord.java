package org.stellaops.core.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One package found by an analyzer in one layer. Identity fields are raw: OS packages get their distro namespace and
 * qualifier only at composition time, because {@code /etc/os-release} may live in another layer.
 *
 * @param type         purl type (deb, apk, rpm, maven, npm, pypi, golang, nuget, cargo, gem, composer, generic)
 * @param namespace    purl namespace (maven groupId, npm scope, go module path prefix), null when none
 * @param name         package name
 * @param version      version as the ecosystem writes it (dpkg with epoch, rpm version-release), null when unknown
 * @param qualifiers   purl qualifiers known in the layer (arch, epoch, upstream, ...)
 * @param licenses     declared licenses (SPDX ids or expressions, or free text), possibly empty
 * @param analyzer     name of the analyzer that produced it
 * @param evidencePath path of the file that proves it (relative to the filesystem root, no leading slash); nested
 *                     archives are separated by {@code !/}
 * @param confidence   high (package database or embedded metadata), medium (manifest), low (file name, heuristics)
 * @param properties   further facts (source package, ownership key, ...)
 * @param files        files the package owns (OS packages whose database lists them inline), possibly empty
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record PackageRecord(
        String type,
        String namespace,
        String name,
        String version,
        SortedMap<String, String> qualifiers,
        List<String> licenses,
        String analyzer,
        String evidencePath,
        String confidence,
        SortedMap<String, String> properties,
        List<String> files) {

    public PackageRecord {
        qualifiers = qualifiers == null ? new TreeMap<>() : new TreeMap<>(qualifiers);
        properties = properties == null ? new TreeMap<>() : new TreeMap<>(properties);
        licenses = licenses == null ? List.of() : List.copyOf(licenses);
        files = files == null ? List.of() : List.copyOf(files);
    }

    public static Builder builder(String type, String name) {
        return new Builder(type, name);
    }

    public boolean isOsPackage() {
        return "deb".equals(type) || "apk".equals(type) || "rpm".equals(type);
    }

    /** Mutable builder so analyzers read naturally. */
    public static final class Builder {
        private final String type;
        private final String name;
        private String namespace;
        private String version;
        private final SortedMap<String, String> qualifiers = new TreeMap<>();
        private List<String> licenses = List.of();
        private String analyzer;
        private String evidencePath;
        private String confidence = "high";
        private final SortedMap<String, String> properties = new TreeMap<>();
        private List<String> files = List.of();

        private Builder(String type, String name) {
            this.type = type;
            this.name = name;
        }

        public Builder namespace(String v) { this.namespace = blankToNull(v); return this; }
        public Builder version(String v) { this.version = blankToNull(v); return this; }
        public Builder qualifier(String k, String v) { if (v != null && !v.isBlank()) qualifiers.put(k, v); return this; }
        public Builder licenses(List<String> v) { this.licenses = v; return this; }
        public Builder analyzer(String v) { this.analyzer = v; return this; }
        public Builder evidence(String v) { this.evidencePath = v; return this; }
        public Builder confidence(String v) { this.confidence = v; return this; }
        public Builder property(String k, String v) { if (v != null && !v.isBlank()) properties.put(k, v); return this; }
        public Builder files(List<String> v) { this.files = v; return this; }

        public PackageRecord build() {
            return new PackageRecord(type, namespace, name, version, qualifiers, licenses, analyzer, evidencePath,
                    confidence, properties, files);
        }

        private static String blankToNull(String v) {
            return v == null || v.isBlank() ? null : v.trim();
        }
    }
}
