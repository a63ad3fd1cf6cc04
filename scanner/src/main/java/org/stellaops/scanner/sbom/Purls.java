package org.stellaops.scanner.sbom;

import com.github.packageurl.MalformedPackageURLException;
import com.github.packageurl.PackageURL;
import java.util.Map;
import java.util.TreeMap;

/** Package URLs through packageurl-java, which validates and canonicalizes (type rules for pypi, npm, golang, ...). */
public final class Purls {
    private Purls() {
    }

    public static String of(String type, String namespace, String name, String version, Map<String, String> qualifiers) {
        try {
            TreeMap<String, String> q = qualifiers == null || qualifiers.isEmpty() ? null : new TreeMap<>(qualifiers);
            return new PackageURL(type, namespace, name, version, q, null).canonicalize();
        } catch (MalformedPackageURLException e) {
            throw new IllegalArgumentException("cannot build a package URL for " + type + "/" + namespace + "/" + name
                    + "@" + version + ": " + e.getMessage(), e);
        }
    }

    /** {@code pkg:oci/<last name segment>@<digest>?repository_url=<registry/repository>}, the purl of an image. */
    public static String ofImage(String name, String digest) {
        String last = name.contains("/") ? name.substring(name.lastIndexOf('/') + 1) : name;
        Map<String, String> q = new TreeMap<>();
        if (name.contains("/") && !name.startsWith("/")) {
            q.put("repository_url", name);
        }
        return of("oci", null, last.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9._-]", "-"), digest, q);
    }
}
